package authn

import (
	"context"
	"io/fs"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids.
const (
	ruleSudoNoPasswd  = "auth.sudo.nopasswd"
	ruleSudoRootGrant = "auth.sudo.root-grant"
	ruleSudoNoAuth    = "auth.sudo.noauth"
	ruleSudoEnv       = "auth.sudo.env"
	ruleSudoPerms     = "auth.sudo.perms"
	ruleSudoWeak      = "auth.sudo.weak-defaults"
	rulePamAlwaysTrue = "auth.pam.always-true"
	rulePamExec       = "auth.pam.exec"
	rulePamPermit     = "auth.pam.permit"
	rulePamModPath    = "auth.pam.module-path"
	rulePamMissing    = "auth.pam.module-missing"
	rulePamUnowned    = "auth.pam.module-unowned"
)

// Indicator ids this package adds (texts in rules/indicators.yaml), besides
// shared ones.
const (
	indAnyCommand  = "sudo.any-command"
	indShellEscape = "sudo.shell-escape"
	indFileWrite   = "sudo.file-write"
	indFileRead    = "sudo.file-read"
	indSetenv      = "sudo.setenv"
	indWritable    = "writable-location"
	indHidden      = "hidden-location"
	indNotPackaged = "not-from-package"
	indLDPreload   = "ld-preload"
	indCredential  = "credential-capture"
)

// recentWindow marks a policy file changed during the incident window.
const recentWindow = 7 * 24 * time.Hour

// Detector is the sudo and PAM check.
type Detector struct{}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "authn" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleSudoNoPasswd, ruleSudoRootGrant, ruleSudoNoAuth, ruleSudoEnv, ruleSudoPerms, ruleSudoWeak,
		rulePamAlwaysTrue, rulePamExec, rulePamPermit, rulePamModPath, rulePamMissing, rulePamUnowned}
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, now: env.Now(),
		db: inventory.Users(env),
		pk: inventory.Packages(env)}
	for _, step := range []func(){r.sudo, r.pam} {
		if err := ctx.Err(); err != nil {
			return err
		}
		step()
	}
	return nil
}

type run struct {
	env *engine.Env
	t   *target.Target
	now time.Time
	db  *users.DB
	pk  pkgdb.View
	// dormant maps a sudoers file sudo does not read now to the reason.
	dormant map[string]string
}

// ownership returns the owner of p and whether p is exactly as shipped.
func (r *run) ownership(p string) (string, bool) {
	pkg := r.pk.Owner(p)
	return pkg, pkg != "" && pkg != model.NoPackage && r.pk.Pristine(p)
}

// recent reports whether p was modified in the last week.
func (r *run) recent(p string) (time.Time, bool) {
	st, err := r.t.Stat(p)
	if err != nil {
		return time.Time{}, false
	}
	m := st.ModTime()
	return m, !m.After(r.now) && r.now.Sub(m) <= recentWindow
}

// placeIndicator says why path p is a place its user, or anyone, can
// write: a world-writable directory, a hidden directory, or a file or
// directory that is not root's or that others may write.
func (r *run) placeIndicator(p string) string {
	p = path.Clean(p)
	if places.Temporary(p) {
		return indWritable
	}
	if places.Hidden(p) != "" {
		return indHidden
	}
	if strings.HasPrefix(p, "/home/") {
		return indWritable
	}
	for q := p; q != "/" && q != "."; q = path.Dir(q) {
		st, err := r.t.Stat(q)
		if err != nil {
			continue
		}
		if replaceable(st, q == p) {
			return indWritable
		}
	}
	return ""
}

// replaceable reports whether someone other than root can change the file
// (self) or swap entries of the directory: not owned by root, or
// world-writable (a sticky directory only protects others' entries).
func replaceable(st fs.FileInfo, self bool) bool {
	if uid, _, ok := owner(st); ok && uid != 0 {
		return true
	}
	m := st.Mode()
	if !self && st.IsDir() && m&fs.ModeSticky != 0 {
		return false
	}
	// Group write is left out: Debian's /usr/local is group staff, 2775.
	return m.Perm()&0o002 != 0
}

// rootUID is the owner of the target's "/": 0 on a real system, the
// unpacking user on an extracted image.
func (r *run) rootUID() uint32 {
	if st, err := r.t.Stat("/"); err == nil {
		if uid, _, ok := owner(st); ok {
			return uid
		}
	}
	return 0
}

func owner(st fs.FileInfo) (uid, gid uint32, ok bool) {
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return s.Uid, s.Gid, true
}
