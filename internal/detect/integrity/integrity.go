package integrity

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids.
const (
	ruleSystemBinary  = "integrity.package.system-binary-modified"
	ruleFileModified  = "integrity.package.file-modified"
	ruleFilesMissing  = "integrity.package.files-missing"
	ruleSuidUnowned   = "integrity.suid.unpackaged"
	ruleSuidShell     = "integrity.suid.shell"
	ruleWorldWritable = "integrity.perm.world-writable-bin"
	rulePkgdbBroken   = "integrity.pkgdb.unparsable"
	ruleCapsUnowned   = "integrity.capability.unpackaged"
	ruleCapsPackaged  = "integrity.capability.packaged-changed"
)

// Indicator ids (texts in rules/indicators.yaml).
const (
	indModified       = "modified-package-file"
	indSystemCommand  = "system-command"
	indPAMModule      = "pam-module"
	indCoreLib        = "core-library"
	indScriptReplaced = "script-replaces-binary"
	indSetuid         = "setuid-file"
	indShellBinary    = "shell-binary"
	indShellCopy      = "interpreter-copy"
	indWritable       = "writable-location"
	indHidden         = "hidden-location"
	indHome           = "home-location"
	indNotPackaged    = "not-from-package"
	indWorldWritable  = "world-writable"
	indPkgdbBroken    = "package-database-broken"
	indFileCaps       = "file-capabilities"
)

// Detector is the file-integrity check.
type Detector struct {
	// Workers bounds parallel hashing (default: one per CPU, at least 2 and
	// at most 4: the tool shares the host it examines, at low priority).
	Workers int

	hashHook func(path string) // tests: called for every file hashed
}

// New returns the detector.
func New() *Detector { return &Detector{Workers: defaultWorkers()} }

func defaultWorkers() int { return min(max(runtime.GOMAXPROCS(0), 2), 4) }

// Name implements engine.Detector.
func (*Detector) Name() string { return "integrity" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleSystemBinary, ruleFileModified, ruleFilesMissing, ruleSuidUnowned, ruleSuidShell, ruleWorldWritable, rulePkgdbBroken, ruleCapsUnowned, ruleCapsPackaged}
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	db := inventory.Packages(env).DB
	r := &run{env: env, t: env.Target, db: db, workers: d.Workers, users: inventory.Users(env), hashHook: d.hashHook}
	if r.workers <= 0 {
		r.workers = defaultWorkers()
	}
	r.pkgdbProblems()
	if db.Format() == "" {
		env.GapMsg(model.GapSkipped, "", model.Msg("integrity.gap.no-pkgdb"))
		return r.walk(ctx)
	}
	// Hashing package files and walking the tree for setuid files wait on
	// different things (reads, lstat): both at once.
	walked := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil { // the engine recovers only its own goroutine
				walked <- fmt.Errorf("setuid walk: panic: %v", p)
			}
		}()
		walked <- r.walk(ctx)
	}()
	verr := r.verifyPackages(ctx)
	werr := <-walked
	return errors.Join(verr, werr)
}

type run struct {
	env      *engine.Env
	t        *target.Target
	db       *pkgdb.DB
	users    *users.DB
	workers  int
	hashHook func(string)
}

// fileFacts are what a finding shows about a file.
type fileFacts struct {
	mode  fs.FileMode
	uid   uint32
	gid   uint32
	mtime time.Time
	kind  string // ELF, script (#!...), data
	sha   string
	head  []byte
}

// facts reads the metadata, first bytes and sha256 of p (best effort: a
// finding is still worth emitting without them).
func (r *run) facts(p string, buf []byte) fileFacts {
	var f fileFacts
	fi, err := r.t.Lstat(p)
	if err != nil {
		return f
	}
	f.mode, f.mtime = fi.Mode(), fi.ModTime()
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		f.uid, f.gid = st.Uid, st.Gid
	}
	if !fi.Mode().IsRegular() {
		f.kind = fileTypeName(fi.Mode())
		return f
	}
	if fh, err := r.t.Open(p); err == nil {
		head := make([]byte, 4096)
		n, _ := fh.Read(head)
		fh.Close()
		f.head = head[:n]
		f.kind = fileKind(f.head)
	}
	if sum, err := pkgdb.HashFile(r.t, p, pkgdb.AlgoSHA256, buf); err == nil {
		f.sha = hexString(sum)
	}
	return f
}

func fileTypeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "other"
}

func (f fileFacts) evidence(p, pkg string) model.Evidence {
	ev := model.Evidence{Path: p, Package: pkg, SHA256: f.sha, Extra: map[string]string{}}
	if !f.mtime.IsZero() {
		mt := f.mtime.UTC()
		ev.MTime = &mt
	}
	if f.mode != 0 {
		ev.Extra["mode"] = modeString(f.mode)
		ev.Extra["owner"] = strconv.FormatUint(uint64(f.uid), 10) + ":" + strconv.FormatUint(uint64(f.gid), 10)
	}
	if f.kind != "" {
		ev.Extra["file_type"] = f.kind
	}
	return ev
}

// modeString is the octal mode with setuid/setgid/sticky, like stat %a.
func modeString(m fs.FileMode) string {
	v := uint32(m.Perm())
	if m&os.ModeSetuid != 0 {
		v |= 0o4000
	}
	if m&os.ModeSetgid != 0 {
		v |= 0o2000
	}
	if m&os.ModeSticky != 0 {
		v |= 0o1000
	}
	return "0" + strconv.FormatUint(uint64(v), 8)
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, len(b)*2)
	for i, c := range b {
		out[i*2], out[i*2+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
