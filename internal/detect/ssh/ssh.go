package ssh

import (
	"context"
	"io/fs"
	"syscall"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids.
const (
	ruleRootLogin      = "ssh.sshd.root-login"
	ruleRootPassword   = "ssh.sshd.root-password"
	ruleEmptyPasswords = "ssh.sshd.empty-passwords"
	ruleListen         = "ssh.sshd.listen"
	ruleKeysFile       = "ssh.sshd.keys-file"
	ruleKeysCommand    = "ssh.sshd.keys-command"
	ruleForceCommand   = "ssh.sshd.force-command"
	ruleUserEnv        = "ssh.sshd.user-environment"
	ruleForwarding     = "ssh.sshd.forwarding"
	ruleNoPAM          = "ssh.sshd.no-pam"
	ruleAuthorizedKey  = "ssh.authorized-key"
	ruleKeyCommand     = "ssh.key.forced-command"
	ruleKeyEnv         = "ssh.key.environment"
	ruleKeyRootRecent  = "ssh.key.root-recent"
	ruleKeyService     = "ssh.key.service-account"
	ruleKeys2          = "ssh.key.authorized-keys2"
	ruleKeyDormant     = "ssh.key.dormant"
	ruleKeyBadLine     = "ssh.key.bad-line"
	ruleKeyShared      = "ssh.key.shared"
	ruleKeyPerms       = "ssh.key.file-perms"
	ruleEnvFile        = "ssh.user-environment-file"
	ruleClientLocal    = "ssh.client.local-command"
	ruleClientProxy    = "ssh.client.proxy-command"
	ruleRC             = "ssh.rc"
	ruleBinaryScript   = "ssh.binary.script"
	rulePrivateKey     = "ssh.private-key"
)

var allRules = []string{
	ruleRootLogin, ruleRootPassword, ruleEmptyPasswords, ruleListen, ruleKeysFile,
	ruleKeysCommand, ruleForceCommand, ruleUserEnv, ruleForwarding, ruleNoPAM,
	ruleAuthorizedKey, ruleKeyCommand, ruleKeyEnv, ruleKeyRootRecent, ruleKeyService,
	ruleKeys2, ruleKeyDormant, ruleKeyBadLine, ruleKeyShared, ruleKeyPerms, ruleEnvFile, ruleClientLocal, ruleClientProxy,
	ruleRC, ruleBinaryScript, rulePrivateKey,
}

// Indicator ids this package adds to cmdscan's (rules/indicators.yaml).
const (
	indWritable   = "writable-location"
	indHidden     = "hidden-location"
	indNotPackage = "not-from-package"
	indLDPreload  = "ld-preload"
)

// Size limits: configuration and key files are small; anything larger is a
// gap rather than a read.
const (
	configLimit = 1 << 20
	keysLimit   = 4 << 20
)

// Detector is the SSH check.
type Detector struct {
	// trustUID, when >= 0, is an extra owner that file ownership checks
	// accept like root. Tests set it to the uid that wrote the fixture.
	trustUID int
}

// New returns the detector.
func New() *Detector { return &Detector{trustUID: -1} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "ssh" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector: everything it reads is on disk.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string { return append([]string(nil), allRules...) }

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{
		env:      env,
		t:        env.Target,
		now:      env.Now(),
		accts:    loadAccounts(env),
		pk:       inventory.Packages(env),
		trustUID: d.trustUID,
		pristine: map[string]bool{},
	}
	r.sshd = r.loadSshd()
	steps := []func(){
		r.checkEnvironmentFiles, // before sshd: it raises PermitUserEnvironment
		r.checkSshd,
		r.checkAuthorizedKeys,
		r.checkClientConfigs,
		r.checkRC,
		r.checkBinaries,
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		step()
	}
	return r.checkPrivateKeys(ctx)
}

// run is one scan's state.
type run struct {
	env      *engine.Env
	t        *target.Target
	now      time.Time
	accts    []account
	pk       pkgdb.View
	trustUID int
	sshd     *config // nil when there is no sshd_config
	pristine map[string]bool
	// dangerousEnv lists ~/.ssh/environment files that set loader or
	// interpreter variables (raises PermitUserEnvironment).
	dangerousEnv []string
}

// isPristine reports whether p is a packaged file unchanged since install.
func (r *run) isPristine(p string) bool {
	v, ok := r.pristine[p]
	if !ok {
		o := r.pk.Owner(p)
		v = o != "" && o != model.NoPackage && r.pk.Pristine(p)
		r.pristine[p] = v
	}
	return v
}

// emit reports f.
func (r *run) emit(f model.Finding) { r.env.Emit(f) }

// mtimeOf returns a pointer to the file's modification time, UTC.
func mtimeOf(st fs.FileInfo) *time.Time {
	if st == nil {
		return nil
	}
	m := st.ModTime().UTC()
	return &m
}

// owner returns the uid and gid of a file.
func owner(st fs.FileInfo) (uid, gid int, ok bool) {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(s.Uid), int(s.Gid), true
	}
	return 0, 0, false
}

// sevMax returns the larger severity.
func sevMax(a, b model.Severity) model.Severity {
	if a > b {
		return a
	}
	return b
}

// mtime returns the modification time of p, nil when it cannot stat it.
func (r *run) mtime(p string) *time.Time {
	st, err := r.t.Stat(p)
	if err != nil {
		return nil
	}
	return mtimeOf(st)
}
