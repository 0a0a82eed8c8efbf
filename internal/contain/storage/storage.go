// Package storage is the containment of shared storage: it lists the
// network file systems (NFS, CIFS/SMB) and iSCSI-backed mounts of the
// running host from its mount table, and unmounts one on request (an
// intruder writing ransomware to a share, or reading it). Undo mounts it
// again with the source, type and options recorded from the mount table.
package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/contain"
)

// KindName is the journal id of the unmount action.
const KindName = "storage.unmount"

// Mount is one shared-storage mount.
type Mount struct {
	Point   string `json:"point"`
	Source  string `json:"source"`
	Type    string `json:"type"`
	Options string `json:"options"`
	Kind    string `json:"kind"` // nfs, cifs, iscsi
}

// netTypes are the network file system types.
var netTypes = map[string]string{"nfs": "nfs", "nfs4": "nfs", "cifs": "cifs", "smb3": "cifs", "smbfs": "cifs",
	"ceph": "network", "glusterfs": "network", "fuse.sshfs": "network", "9p": "network"}

// unescape undoes the octal escapes of /proc/self/mounts (\040 for space).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v int
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &v); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Parse reads a mounts table (/proc/self/mounts format) and returns its
// shared-storage mounts; isISCSI says whether a block device is iSCSI.
func Parse(table string, isISCSI func(dev string) bool) []Mount {
	var out []Mount
	for _, l := range strings.Split(table, "\n") {
		f := strings.Fields(l)
		if len(f) < 4 {
			continue
		}
		m := Mount{Source: unescape(f[0]), Point: unescape(f[1]), Type: f[2], Options: f[3]}
		if k, ok := netTypes[m.Type]; ok {
			m.Kind = k
		} else if strings.HasPrefix(m.Source, "/dev/") && isISCSI != nil && isISCSI(m.Source) {
			m.Kind = "iscsi"
		} else {
			continue
		}
		out = append(out, m)
	}
	return out
}

// iscsiDevice reports whether a block device sits on an iSCSI session
// (its sysfs device path runs through a "session" of the iSCSI
// transport).
func iscsiDevice(dev string) bool {
	real, err := filepath.EvalSymlinks(dev)
	if err != nil {
		return false
	}
	name := filepath.Base(real)
	for len(name) > 0 && name[len(name)-1] >= '0' && name[len(name)-1] <= '9' && strings.HasPrefix(name, "sd") {
		name = name[:len(name)-1] // sdb1 -> sdb
	}
	p, err := filepath.EvalSymlinks("/sys/block/" + name)
	return err == nil && strings.Contains(p, "/session")
}

// List returns the shared-storage mounts of the running host.
func List() ([]Mount, error) {
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return nil, err
	}
	return Parse(string(b), iscsiDevice), nil
}

// Plan plans unmounting the shared-storage mount at point.
func Plan(t contain.Target, point string, lazy bool) (*contain.Action, error) {
	if !t.IsLive() {
		return nil, errors.New("mounts exist on the running host only: --root cannot be used here")
	}
	list, err := List()
	if err != nil {
		return nil, err
	}
	point = filepath.Clean(point)
	for _, m := range list {
		if m.Point != point {
			continue
		}
		a := &contain.Action{UID: contain.NewUID(), Kind: KindName, Target: t, Subject: point}
		a.Step("contain.plan.unmount", point, m.Kind, m.Source)
		if lazy {
			a.Note("contain.note.unmount-lazy")
		}
		a.Note("contain.note.unmount-undo", m.Type, m.Options)
		return a, a.SetParams(params{m, lazy})
	}
	return nil, fmt.Errorf("%s is not a network or iSCSI mount (vigil contain mounts lists them)", point)
}

type params struct {
	Mount
	Lazy bool `json:"lazy"`
}

// mounted reports whether point is still mounted from source.
func mounted(p params) bool {
	list, err := List()
	if err != nil {
		return false
	}
	for _, m := range list {
		if m.Point == p.Point && m.Source == p.Source {
			return true
		}
	}
	return false
}

// Kind implements contain.Kind.
type Kind struct{}

// Name implements contain.Kind.
func (Kind) Name() string { return KindName }

// Apply unmounts (MNT_DETACH with lazy: the mount leaves the tree at once,
// open files finish).
func (Kind) Apply(_ context.Context, a *contain.Action) error {
	var p params
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	if !mounted(p) {
		return nil
	}
	flags := 0
	if p.Lazy {
		flags = unix.MNT_DETACH
	}
	if err := unix.Unmount(p.Point, flags); err != nil {
		return fmt.Errorf("unmount %s: %w (files open on it? --lazy detaches it anyway)", p.Point, err)
	}
	return nil
}

// Verify checks the mount is gone.
func (Kind) Verify(_ context.Context, a *contain.Action) error {
	var p params
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	if mounted(p) {
		return fmt.Errorf("%s is still mounted", p.Point)
	}
	return nil
}

// Undo mounts it again with mount(8), which knows each type's helper
// (mount.nfs, mount.cifs) and options.
func (Kind) Undo(ctx context.Context, a *contain.Action) error {
	var p params
	if err := a.Decode(&p, nil); err != nil {
		return err
	}
	if mounted(p) {
		return nil
	}
	out, err := exec.CommandContext(ctx, "mount", "-t", p.Type, "-o", p.Options, p.Source, p.Point).CombinedOutput()
	if err != nil {
		return fmt.Errorf("mount -t %s %s %s: %w: %s", p.Type, p.Source, p.Point, err, strings.TrimSpace(string(out)))
	}
	return nil
}
