package loader

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/rootkits"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids.
const (
	rulePreload       = "persistence.ldso.preload"
	rulePreloadEmpty  = "persistence.ldso.preload-empty"
	ruleLibDir        = "persistence.ldso.libdir"
	ruleLibShadow     = "persistence.ldso.lib-shadow"
	ruleNotOnDisk     = "persistence.kmod.not-on-disk"
	ruleHidden        = "persistence.kmod.hidden"
	ruleTainted       = "persistence.kmod.tainted"
	ruleAutoload      = "persistence.kmod.autoload-unknown"
	ruleModprobe      = "persistence.kmod.modprobe-command"
	ruleStray         = "persistence.kmod.stray-file"
	ruleUnownedModule = "persistence.kmod.unowned-file"

	ruleKnownRootkitModule = "persistence.kmod.known-rootkit"
	ruleKnownRootkitFile   = "persistence.ldso.known-rootkit"
)

// Indicator ids (texts in rules/indicators.yaml).
const (
	indWritable      = "writable-location"
	indHidden        = "hidden-location"
	indNotPackaged   = "not-from-package"
	indMissing       = "missing-file"
	indLibShadow     = "library-shadow"
	indHiddenModule  = "hidden-module"
	indModuleUnknown = "unknown-module"
	indModprobeRuns  = "modprobe-runs-program"
	indDKMS          = "dkms"
	indKnownRootkit  = "known-rootkit"
)

// Detector is the dynamic linker and kernel module check.
type Detector struct{}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "loader" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector: the file checks run offline; the
// loaded-module checks gap themselves out there.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{rulePreload, rulePreloadEmpty, ruleLibDir, ruleLibShadow, ruleNotOnDisk, ruleHidden,
		ruleTainted, ruleAutoload, ruleModprobe, ruleStray, ruleUnownedModule, ruleKnownRootkitModule, ruleKnownRootkitFile}
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, pk: inventory.Packages(env), ctx: ctx}
	steps := []func(ix *modIndex){
		func(*modIndex) { r.ldso() },
		r.liveModules,
		r.autoload,
		func(*modIndex) { r.modprobe() },
		func(*modIndex) { r.knownRootkitModules() },
		func(*modIndex) { r.knownRootkitFiles() },
		r.unownedModules,
		func(*modIndex) { r.strayModules() },
	}
	ix := r.loadIndex()
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		s(ix)
	}
	return r.walkErr
}

type run struct {
	env *engine.Env
	t   *target.Target
	pk  pkgdb.View
	ctx context.Context

	walk    []target.WalkResult // the scan's one walk (Walks), fetched once
	walkErr error
}

// Walks implements engine.Walker: the places of stray module files, and
// the staging directories for rootkits' file names.
func (d *Detector) Walks(*engine.Env) []target.WalkSpec {
	names := rootkits.FileNames()
	return []target.WalkSpec{
		{Roots: strayRoots, MaxDepth: maxStrayDepth + 1, MaxKeep: maxStrayEntries, Visit: func(e *target.WalkEntry) (bool, bool) {
			if e.IsDir() {
				return false, skipDirs[e.Name]
			}
			return e.Type.IsRegular() && ModuleName(e.Name) != "", false
		}},
		{Roots: places.StagingDirs(), MaxDepth: 5, MaxKeep: maxRootkitWalk, Visit: func(e *target.WalkEntry) (bool, bool) {
			return !e.IsDir() && names[e.Name], false
		}},
	}
}

// walked returns the part of the scan's walk of spec i (nil after an
// error, which Run returns).
func (r *run) walked(i int) *target.WalkResult {
	if r.walk == nil && r.walkErr == nil {
		r.walk, r.walkErr = r.env.Walked(r.ctx)
	}
	if r.walkErr != nil {
		return nil
	}
	return &r.walk[i]
}

// readLimit bounds configuration files.
const readLimit = 4 << 20

func (r *run) read(p string) ([]byte, bool) { return r.t.ReadFileRec(r.env, p, readLimit) }

func (r *run) emit(f model.Finding) { r.env.Emit(f) }

func (r *run) worldWritable(p string) bool {
	st, err := r.t.Stat(p)
	return err == nil && st.Mode().Perm()&0o002 != 0
}

func (r *run) mtime(p string) *time.Time {
	st, err := r.t.Stat(p)
	if err != nil {
		return nil
	}
	m := st.ModTime().UTC()
	return &m
}

// hashLimit bounds what is hashed for evidence.
const hashLimit = 256 << 20

func (r *run) hash(p string) (string, bool) {
	f, err := r.t.Open(p)
	if err != nil {
		return "", false
	}
	defer f.Close()
	h := sha256.New()
	if n, err := io.Copy(h, io.LimitReader(f, hashLimit+1)); err != nil || n > hashLimit {
		return "", false
	}
	return hex.EncodeToString(h.Sum(nil)), true
}
