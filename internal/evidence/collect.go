package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"filippo.io/age"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/sysinfo"
	"github.com/vigil-ir/vigil/internal/target"
)

// Options configure a collection.
type Options struct {
	Target  *target.Target
	Profile Profile
	Secrets bool // collect shadow files and private keys too
	Key     ed25519.PrivateKey
	// Manifest holds what the caller knows: Tool, Version, Command, Case,
	// Collector, Footprint. Collect fills the rest.
	Manifest Manifest
	Now      func() time.Time
	SelfPID  int      // never copy Vigil's own executable
	Flagged  []string // target paths the scans flagged: copied too (section flagged)
	// Recipients, when given, encrypt the archive with age (encrypt.go);
	// Manifest.EncryptedTo names them.
	Recipients []age.Recipient
	// MemoryPIDs are the processes whose memory is copied (live host),
	// at most MemoryLimit bytes each (0: DefaultMemoryLimit).
	MemoryPIDs  []int
	MemoryLimit int64
	Render      func(model.Message) string // English text of skip reasons; may be nil
	// Open is called once the plan is known, with the bytes of content it
	// will copy (before compression), to check free space and return
	// where the archive goes. Nothing is written before.
	Open func(estimate int64) (io.Writer, error)
}

// Result is a finished collection.
type Result struct {
	Manifest *Manifest
	Sum      ArchiveSum
	Planned  int64 // bytes the plan expected
}

// headSize is how much of a file is read before its entry is written, to
// tell a private key by its content.
const headSize = 4096

// Collect gathers the profile's places of the target into one archive:
// first the volatile state of a live host, then the files, then the signed
// manifest.
func Collect(ctx context.Context, o Options) (*Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	t := o.Target
	m := o.Manifest
	m.Format, m.Profile, m.Secrets = Format, o.Profile.Name, o.Secrets
	m.Started = o.Now().UTC()
	m.Target = TargetInfo{sysinfo.Describe(t)}

	rec := &Plan{}
	vol := volatileSnapshot(t, m.Started, o.SelfPID, o.Profile.CopySuspect, rec)
	defer func() {
		for _, v := range vol {
			if v.exe != nil {
				v.exe.Close()
			}
		}
	}()
	prof := o.Profile
	prof.Places = append(slices.Clone(prof.Places), flaggedPlaces(o.Flagged)...)
	runs, progPlaces := persistencePrograms(t)
	prof.Places = append(prof.Places, progPlaces...)
	m.Programs = runs
	plan := MakePlan(t, prof, o.Secrets)
	var memNotes []Skipped
	memTasks, memBytes := planMemory(t, o.MemoryPIDs, o.SelfPID, o.MemoryLimit, &memNotes)
	est := plan.bytes + memBytes
	for _, v := range vol {
		est += int64(len(v.data)) + v.item.Size
	}
	w, err := o.Open(est)
	if err != nil {
		return nil, err
	}
	aw, err := newArchiveWriter(w, o.Recipients)
	if err != nil {
		return nil, err
	}
	if err := dumpMemory(t, aw, memTasks, &memNotes); err != nil {
		return nil, err
	}
	for _, v := range vol {
		if v.exe != nil {
			_, err = aw.addStream(v.item, v.exe)
		} else {
			err = aw.addBytes(v.item, v.data)
		}
		if err != nil {
			return nil, err
		}
	}
	names := users.Load(t, target.Discard{})
	for _, f := range plan.files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := copyPlanned(t, aw, f, names, o.Secrets, rec); err != nil {
			return nil, err
		}
	}
	m.Skipped = append(rec.skipped, plan.skipped...)
	if o.Render != nil {
		for i := range m.Skipped {
			m.Skipped[i].Text = o.Render(m.Skipped[i].Reason)
		}
	}
	if m.Skipped == nil {
		m.Skipped = []Skipped{}
	}
	m.Mounts = plan.mounts
	if len(o.MemoryPIDs) == 0 {
		memNotes = append(memNotes, Skipped{Path: "memory", Section: SectionMemory, Reason: model.Msg("evidence.memory.none")})
	}
	m.Memory = append(memNotes, acquisitionTools(t)...)
	if o.Render != nil {
		for i := range m.Memory {
			m.Memory[i].Text = o.Render(m.Memory[i].Reason)
		}
	}
	m.Finished = o.Now().UTC()
	sum, err := aw.finish(&m, o.Key)
	if err != nil {
		return nil, err
	}
	return &Result{Manifest: &m, Sum: sum, Planned: est}, nil
}

// flaggedPlaces are the places of the flagged paths: a file, or a
// directory's first level. A path with glob characters is taken as it is
// only when it has none (Glob would read it as a pattern).
func flaggedPlaces(paths []string) []Place {
	var out []Place
	for _, p := range paths {
		if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, `*?[\`) {
			continue
		}
		out = append(out, Place{Section: SectionFlagged, Pattern: p, MaxDepth: 1, MaxFile: 256 * mib})
	}
	return out
}

// copyPlanned writes one planned file or link. Problems of the source are
// recorded as skipped; only an error writing the archive is returned.
func copyPlanned(t *target.Target, aw *archiveWriter, f planned, names *users.DB, secrets bool, rec *Plan) error {
	it := Item{Name: "files" + f.path, Path: f.path, Section: f.section, Kind: f.kind}
	if f.kind == KindSymlink {
		link, err := t.Readlink(f.path)
		if err != nil {
			rec.skip(f.path, f.section, target.ErrMessage(err))
			return nil
		}
		if fi, err := t.Lstat(f.path); err == nil {
			it = fillStat(it, fi, names)
		}
		it.Link = link
		return aw.addSymlink(it)
	}
	// Open the final component without following it: a file replaced by a
	// symlink since the plan is not followed out of its place.
	fi, err := t.Lstat(f.path)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		err = target.ErrNotRegular
	}
	var file *os.File
	if err == nil {
		file, err = t.Open(f.path)
	}
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			rec.skip(f.path, f.section, target.ErrMessage(err))
		} else {
			rec.skip(f.path, f.section, model.Msg("evidence.skip.vanished"))
		}
		return nil
	}
	defer file.Close()
	it, err = statItem(file, it)
	if err != nil {
		rec.skip(f.path, f.section, target.ErrMessage(err))
		return nil
	}
	it.Owner, it.Group = ownerNames(names, it.UID, it.GID)
	if it.Size > f.maxFile {
		rec.skip(f.path, f.section, model.Msg("evidence.skip.too-large", it.Size, f.maxFile))
		return nil
	}
	head := make([]byte, min(it.Size, headSize))
	n, _ := io.ReadFull(file, head)
	head = head[:n]
	if SecretContent(head) || SecretPath(f.path) {
		if !secrets {
			rec.skip(f.path, f.section, model.Msg("evidence.skip.secret"))
			return nil
		}
		it.Secret = true
	}
	_, err = aw.addStream(it, io.MultiReader(bytes.NewReader(head), file))
	return err
}

// statItem fills the item's metadata from the open file (what was read,
// not what the plan saw).
func statItem(f *os.File, it Item) (Item, error) {
	fi, err := f.Stat()
	if err != nil {
		return it, err
	}
	it = fillStat(it, fi, nil)
	it.Size = fi.Size()
	return it, nil
}

func fillStat(it Item, fi fs.FileInfo, names *users.DB) Item {
	it.Mode = modeString(fi.Mode())
	it.Mtime = fi.ModTime().UTC()
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		it.UID, it.GID = int(st.Uid), int(st.Gid)
		it.Ctime = time.Unix(st.Ctim.Unix()).UTC()
		it.Atime = time.Unix(st.Atim.Unix()).UTC()
	}
	if names != nil {
		it.Owner, it.Group = ownerNames(names, it.UID, it.GID)
	}
	return it
}

func ownerNames(db *users.DB, uid, gid int) (string, string) {
	owner := db.UserName(uid)
	group := ""
	if g, ok := db.GroupByGID(gid); ok {
		group = g.Name
	}
	return owner, group
}

// modeString is the Unix mode bits in octal (permissions, setuid, setgid,
// sticky).
func modeString(m fs.FileMode) string {
	bits := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		bits |= syscall.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		bits |= syscall.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		bits |= syscall.S_ISVTX
	}
	return fmt.Sprintf("%04o", bits)
}
