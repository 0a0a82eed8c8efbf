package app

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/evidence"
	"github.com/vigil-ir/vigil/internal/incident"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/sysinfo"
	"github.com/vigil-ir/vigil/internal/target"
)

// KeyPath is where the evidence signing key lives unless --key says: in
// Vigil's state directory, beside the store.
func KeyPath(flag, storeFlag string, getenv func(string) string) string {
	if flag != "" {
		return flag
	}
	return filepath.Join(filepath.Dir(StorePath(storeFlag, getenv)), evidence.KeyFile)
}

// CollectOptions configure `vigil collect`.
type CollectOptions struct {
	Target  *target.Target
	Output  string    // a new file, or "-" for Stdout
	Stdout  io.Writer // where "-" goes
	Profile string
	Secrets bool
	KeyPath string
	Command []string
	Store   string // the store: the open incident case is recorded in the manifest and gets the archive
	Getenv  func(string) string
	// EncryptTo encrypts the archive with age to these public keys (age1...,
	// SSH public keys) or the recipients in these files.
	EncryptTo []string
	// MemoryPIDs are processes whose readable memory is copied (live host).
	MemoryPIDs []int
}

// CollectReport is what a collection produced.
type CollectReport struct {
	Output     string              `json:"output"`
	Archive    evidence.ArchiveSum `json:"archive"`
	Manifest   *evidence.Manifest  `json:"-"`
	PublicKey  string              `json:"public_key"`
	KeyFP      string              `json:"key_fingerprint"`
	KeyPath    string              `json:"key_path"`
	KeyCreated bool                `json:"key_created"`
}

// Collect gathers evidence from o.Target into one signed archive. The
// archive must not lie inside an offline target; a new file is never
// written over an existing one; free space is checked against the plan
// before anything is written, and a failed collection removes its
// partial archive.
func Collect(ctx context.Context, o CollectOptions) (*CollectReport, error) {
	prof, err := evidence.GetProfile(o.Profile)
	if err != nil {
		return nil, &MsgError{model.Msg("evidence.err.profile", o.Profile)}
	}
	if o.Output != "-" {
		inside, err := InsideTarget(o.Output, o.Target)
		if err != nil {
			return nil, err
		}
		if inside {
			return nil, &MsgError{model.Msg("evidence.err.inside-target", o.Output, o.Target.Root())}
		}
		if _, err := os.Lstat(o.Output); err == nil {
			return nil, &MsgError{model.Msg("evidence.err.exists", o.Output)}
		}
	}
	recs, recLines, err := recipients(o.EncryptTo)
	if err != nil {
		return nil, err
	}
	key, created, err := evidence.LoadOrCreateKey(o.KeyPath)
	if err != nil {
		return nil, err
	}
	actor := CurrentActor(o.Getenv)
	host, _ := os.Hostname()
	caseRef := ""
	var flagged []string
	if inside, _ := InsideTarget(o.Store, o.Target); o.Store != "" && !inside {
		caseRef = CurrentIncident(ctx, o.Store)
		flagged = flaggedPaths(ctx, o.Store, sysinfo.Describe(o.Target).ID())
	}
	m := evidence.Manifest{
		Tool: "vigil", Version: Version, Command: o.Command, Case: caseRef,
		Collector: evidence.Collector{Hostname: host, User: actor.User, SudoUser: actor.SudoUser},
		Footprint: evidence.Footprint{PID: os.Getpid()}, EncryptedTo: recLines,
	}
	if created {
		m.Footprint.FilesWritten = append(m.Footprint.FilesWritten, o.KeyPath, o.KeyPath+".pub")
	}
	if o.Output != "-" {
		m.Footprint.FilesWritten = append(m.Footprint.FilesWritten, o.Output)
	}
	var file *os.File
	open := func(estimate int64) (io.Writer, error) {
		if o.Output == "-" {
			return o.Stdout, nil
		}
		if err := checkSpace(filepath.Dir(o.Output), estimate); err != nil {
			return nil, err
		}
		file, err = os.OpenFile(o.Output, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		return file, err
	}
	res, err := evidence.Collect(ctx, evidence.Options{
		Target: o.Target, Profile: prof, Secrets: o.Secrets, Key: key, Manifest: m,
		SelfPID: os.Getpid(), Open: open, Flagged: flagged, Recipients: recs,
		MemoryPIDs: o.MemoryPIDs,
		Render:     func(msg model.Message) string { return texts().Message(catalog.English, msg) },
	})
	if err = closeOutput(file, err); err != nil {
		return nil, err
	}
	rep := &CollectReport{
		Output: o.Output, Archive: res.Sum, Manifest: res.Manifest, KeyPath: o.KeyPath, KeyCreated: created,
	}
	if caseRef != "" {
		where := o.Output
		if where == "-" {
			where = "stdout"
		}
		_, _ = AttachToIncident(ctx, o.Store, store.CaseEvent{Actor: actor.String(), Kind: incident.KindEvidence, Ref: where,
			Detail: fmt.Sprintf("%s %s, %d items, sha256 %s", m.Target.Hostname, res.Manifest.Profile, res.Manifest.Totals.Items, res.Sum.SHA256)})
	}
	pub := key.Public().(ed25519.PublicKey)
	rep.PublicKey, rep.KeyFP = evidence.PublicKeyText(pub), evidence.KeyFingerprint(pub)
	return rep, nil
}

// maxFlagged bounds the flagged paths a collection adds.
const maxFlagged = 2000

// flaggedPaths are the paths of the target's open findings at medium or
// above in the store at path (none when there is no store): what the
// scans flagged is copied, not only named.
func flaggedPaths(ctx context.Context, path, targetKey string) []string {
	st, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		return nil
	}
	defer st.Close()
	recs, err := st.Findings(ctx, store.FindingQuery{TargetKey: targetKey, State: store.StateOpen, MinSeverity: model.Medium, Limit: maxFlagged})
	if err != nil {
		return nil
	}
	var out []string
	for _, r := range recs {
		if p := r.Finding.Evidence.Path; p != "" {
			out = append(out, p)
		}
	}
	return out
}

// checkSpace refuses to start when the directory's filesystem has less
// free space than the content planned: the worst case, content that does
// not compress.
func checkSpace(dir string, need int64) error {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return &MsgError{model.Msg("evidence.err.no-dir", dir)}
		}
		return err
	}
	free := int64(st.Bavail) * st.Bsize
	if free < need {
		return &MsgError{model.Msg("evidence.err.space", dir, free>>20, need>>20)}
	}
	return nil
}

// closeOutput syncs and closes an evidence file Vigil wrote (nil: stdout),
// and removes it when the work failed (err) or it cannot be completed: a
// partial archive or image must not pass for a whole one.
func closeOutput(f *os.File, err error) error {
	if f == nil {
		return err
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
