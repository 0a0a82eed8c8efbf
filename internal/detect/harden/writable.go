package harden

import (
	"context"
	"fmt"
	"io/fs"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids of the world-writable part.
const (
	ruleWritableFile = "harden.perm.world-writable-file"
	ruleWritableDir  = "harden.perm.world-writable-dir"
)

// writableRoots are the system trees walked for world-writable files and
// directories without the sticky bit (CIS "no world writable files",
// "sticky bit on all world-writable directories"). Where commands and
// libraries live (/bin, /sbin, /usr/bin, /usr/sbin, /usr/local/bin,
// /usr/local/sbin, /lib*, /usr/lib*, /usr/libexec) the integrity check
// reports them already, at high severity: those trees are not walked here,
// so one file never gives two findings. Homes are their users' own.
var writableRoots = []string{"/etc", "/boot", "/root", "/opt", "/srv", "/var", "/usr/local", "/usr/share", "/usr/include", "/usr/src"}

// writableSkip are trees under the roots not walked: the integrity
// check's (above), and container and snap storage — other systems' roots,
// whose own temporary directories are not this host's configuration.
var writableSkip = map[string]bool{
	"/usr/local/bin": true, "/usr/local/sbin": true, "/usr/local/lib": true, "/usr/local/libexec": true,
	"/var/lib/docker": true, "/var/lib/containers": true, "/var/lib/lxc": true, "/var/lib/lxd": true,
	"/var/lib/incus": true, "/var/lib/machines": true, "/var/lib/snapd": true, "/var/snap": true,
	"/var/lib/containerd": true, "/var/lib/kubelet": true, "/var/lib/flatpak": true,
	"/root/.cache": true, // root's caches (build and download caches: many files, none configuration)
}

// Bounds of the walk, per tree: a system's trees hold some 10^4 to 10^5
// entries each; a huge one (mail, a web farm) is cut short with a gap
// rather than slow the run.
const (
	writableMaxEntries = 150000
	writableMaxDepth   = 12
)

// writableHigh are the trees where a file anyone can change runs as root
// or decides how the host boots: high, not medium.
var writableHigh = []string{"/etc", "/boot", "/root"}

// worldWritable walks the system trees for regular files every user may
// write and directories every user may write without the sticky bit
// (places' judgement of a writable place). Temporary directories are
// meant to be world-writable (with the sticky bit): places.Temporary
// trees are not walked.
func (r *run) worldWritable(ctx context.Context) {
	for _, root := range writableRoots {
		if ctx.Err() != nil {
			return
		}
		seen := 0
		err := r.t.Walk(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				target.Record(r.env, p, err)
				return nil
			}
			if seen++; seen > writableMaxEntries {
				r.env.GapMsg(model.GapSkipped, root, model.Msg("harden.gap.walk-limit", writableMaxEntries))
				return fs.SkipAll
			}
			if d.IsDir() && (writableSkip[p] || places.Temporary(p) || strings.Count(p, "/") > writableMaxDepth) {
				return fs.SkipDir
			}
			if t := d.Type(); t&fs.ModeSymlink != 0 || (!d.IsDir() && !t.IsRegular()) {
				return nil // links are 0777 by nature; sockets and pipes hold nothing
			}
			fi, err := d.Info()
			if err != nil {
				target.Record(r.env, p, err)
				return nil
			}
			if places.WorldWritable(fi) {
				r.writable(p, fi)
			}
			return nil
		})
		target.Record(r.env, root, err)
	}
}

// writable reports one world-writable file or directory.
func (r *run) writable(p string, fi fs.FileInfo) {
	rule := ruleWritableFile
	if fi.IsDir() {
		rule = ruleWritableDir
	}
	sev := model.Medium
	for _, h := range writableHigh {
		if p == h || strings.HasPrefix(p, h+"/") {
			sev = model.High
		}
	}
	ev := model.Evidence{Path: p, Extra: map[string]string{"mode": fmt.Sprintf("%04o", uint32(fi.Mode().Perm()))}}
	if r.view.Known() {
		ev.Package = r.view.DB.OwnerOrNone(p)
	}
	f := model.Finding{RuleID: rule, Subject: p, Evidence: ev, Key: p}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(model.ConfHigh))
}
