// Package account is the containment action on a local account: lock its
// password ('!' prefix, as usermod -L), expire it (expiry day 1, as
// usermod -e 1) and force a password change at the next login (last
// change 0, as passwd -e). /etc/shadow is edited as shadow-utils does:
// under the lock on /etc/.pwd.lock (lckpwdf), the new file written beside
// it with the same owner, mode and attributes (SELinux label included) and
// renamed over it. Only the account's own line changes, and undo restores
// that line as it was unless someone changed it since. Moving the
// account's authorized_keys aside and ending its sessions are the other
// parts of the one lock-user action (LockUserKind, a contain.Composite).
package account

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/hostfs"
	"github.com/vigil-ir/vigil/internal/target"
)

// KindName is the journal id of the action on /etc/shadow.
const KindName = "account.lock"

// LockUserKind is the journal id of vigil contain lock-user: a
// contain.Composite of the shadow edit, the quarantine of the account's
// authorized_keys and the end of its processes — one action, one undo id.
const LockUserKind = "account.lock-user"

const (
	shadowPath = "/etc/shadow"
	passwdPath = "/etc/passwd"
	lockPath   = "/etc/.pwd.lock" // shadow-utils' lckpwdf
	maxFile    = 16 << 20
)

// lockWait is how long the password-file lock is waited for (lckpwdf
// waits 15 s; tests shorten it).
var lockWait = 15 * time.Second

// Params name the account and its lines before and after.
type Params struct {
	User string `json:"user"`
	Old  string `json:"old"` // the shadow line as it was
	New  string `json:"new"` // the shadow line Vigil writes
	// The whole file as planned: when undo gives back exactly that file,
	// it gets back its times too.
	FileSHA256 string `json:"file_sha256"`
	AtimeNs    int64  `json:"atime_ns"`
	MtimeNs    int64  `json:"mtime_ns"`
}

// Lookup returns the passwd entry of name in t.
func Lookup(t contain.Target, name string) (users.User, error) {
	hp, err := t.HostPath(passwdPath)
	if err != nil {
		return users.User{}, err
	}
	b, err := hostfs.ReadFile(hp, maxFile)
	if err != nil {
		return users.User{}, err
	}
	list, _ := users.ParsePasswd(passwdPath, b, target.Discard{})
	for _, u := range list {
		if u.Name == name {
			return u, nil
		}
	}
	return users.User{}, fmt.Errorf("no account %q in %s", name, passwdPath)
}

// Plan plans locking the account name of t.
func Plan(t contain.Target, name string, force bool) (*contain.Action, error) {
	u, err := Lookup(t, name)
	if err != nil {
		return nil, err
	}
	if u.UID == 0 && !force {
		return nil, fmt.Errorf("%s has uid 0: locking it may lock out the responder (use --force if you mean it)", name)
	}
	hp, err := t.HostPath(shadowPath)
	if err != nil {
		return nil, err
	}
	b, err := hostfs.ReadFile(hp, maxFile)
	if err != nil {
		return nil, err
	}
	old, ok := findLine(string(b), name)
	if !ok {
		return nil, fmt.Errorf("no line for %q in %s", name, shadowPath)
	}
	newLine, err := lockLine(old)
	if err != nil {
		return nil, err
	}
	if newLine == old {
		return nil, fmt.Errorf("%s is already locked, expired and due a password change", name)
	}
	m, err := hostfs.Capture(hp)
	if err != nil {
		return nil, err
	}
	a := &contain.Action{UID: contain.NewUID(), Kind: KindName, Target: t, Subject: name}
	a.Step("contain.plan.account-lock", name, shadowPath)
	a.Step("contain.plan.account-expire", name)
	a.Step("contain.plan.account-chpass", name)
	return a, a.SetParams(Params{User: name, Old: old, New: newLine, FileSHA256: hostfs.HashBytes(b), AtimeNs: m.AtimeNs, MtimeNs: m.MtimeNs})
}

// findLine returns the shadow line of name (without its newline).
func findLine(shadow, name string) (string, bool) {
	for _, l := range strings.Split(shadow, "\n") {
		if f, _, ok := strings.Cut(l, ":"); ok && f == name {
			return l, true
		}
	}
	return "", false
}

// lockLine locks a shadow line: '!' before the hash, last change 0,
// expiry day 1. The other fields are kept as written.
func lockLine(l string) (string, error) {
	f := strings.Split(l, ":")
	if len(f) < 8 {
		return "", fmt.Errorf("the shadow line has %d fields, want 9", len(f))
	}
	if !strings.HasPrefix(f[1], "!") {
		f[1] = "!" + f[1]
	}
	f[2] = "0"
	f[7] = "1"
	return strings.Join(f, ":"), nil
}

// Kind implements contain.Kind.
type Kind struct{}

// Name implements contain.Kind.
func (Kind) Name() string { return KindName }

// Apply replaces the account's line.
func (Kind) Apply(_ context.Context, a *contain.Action) error {
	var p Params
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	err := replaceLine(a.Target, p.User, p.Old, p.New, nil)
	if errors.Is(err, errChanged) {
		return contain.Refuse(err)
	}
	return err
}

// Verify checks the line as written.
func (Kind) Verify(_ context.Context, a *contain.Action) error {
	var p Params
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	hp, err := a.Target.HostPath(shadowPath)
	if err != nil {
		return err
	}
	b, err := hostfs.ReadFile(hp, maxFile)
	if err != nil {
		return err
	}
	if l, _ := findLine(string(b), p.User); l != p.New {
		return fmt.Errorf("the shadow line of %s is not the one written", p.User)
	}
	return nil
}

// Undo puts the account's line back as it was.
func (Kind) Undo(_ context.Context, a *contain.Action) error {
	var p Params
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	return replaceLine(a.Target, p.User, p.New, p.Old, &p)
}

var errChanged = errors.New("changed since")

// replaceLine swaps the account's line from -> to under the password-file
// lock. A line already equal to to is done; any other line is refused.
// With orig (an undo), a file that comes out exactly as planned gets its
// planned times back.
func replaceLine(t contain.Target, name, from, to string, orig *Params) error {
	unlock, err := lockPasswd(t)
	if err != nil {
		return err
	}
	defer unlock()
	hp, err := t.HostPath(shadowPath)
	if err != nil {
		return err
	}
	m, err := hostfs.Capture(hp)
	if err != nil {
		return err
	}
	if m.Link != "" {
		return fmt.Errorf("%s is a symlink: refusing to write through it", shadowPath)
	}
	b, err := hostfs.ReadFile(hp, maxFile)
	if err != nil {
		return err
	}
	lines := strings.SplitAfter(string(b), "\n")
	for i, l := range lines {
		body := strings.TrimSuffix(l, "\n")
		if f, _, ok := strings.Cut(body, ":"); !ok || f != name {
			continue
		}
		switch body {
		case to:
			return nil
		case from:
			lines[i] = to + l[len(body):]
			data := []byte(strings.Join(lines, ""))
			m.AtimeNs, m.MtimeNs = time.Now().UnixNano(), time.Now().UnixNano()
			if orig != nil && hostfs.HashBytes(data) == orig.FileSHA256 {
				m.AtimeNs, m.MtimeNs = orig.AtimeNs, orig.MtimeNs
			}
			return hostfs.Install(hp, data, m, false)
		}
		return fmt.Errorf("the shadow line of %s %w the action (someone set a password?): not overwritten", name, errChanged)
	}
	return fmt.Errorf("no line for %q in %s", name, shadowPath)
}

// lockPasswd takes the lock shadow-utils takes (lckpwdf: a write lock on
// /etc/.pwd.lock, waiting up to 15 s), so that passwd, useradd and
// chpasswd never interleave with Vigil's edit.
func lockPasswd(t contain.Target) (func(), error) {
	hp, err := t.HostPath(lockPath)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Open(hp, unix.O_WRONLY|unix.O_CREAT|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(t.String(), lockPath), err)
	}
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0}
	deadline := time.Now().Add(lockWait)
	for {
		err = unix.FcntlFlock(uintptr(fd), unix.F_SETLK, &lk)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			unix.Close(fd)
			return nil, fmt.Errorf("the password files are locked by another program (%s): %w", lockPath, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return func() { unix.Close(fd) }, nil
}
