package evidence

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"syscall"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"golang.org/x/sys/unix"
)

// planned is one file a collection will copy.
type planned struct {
	path    string
	section string
	kind    string // KindFile or KindSymlink
	size    int64
	maxFile int64
}

// Plan is what a collection will copy, found by walking the profile's
// places (metadata only): it lets the caller check free space before
// anything is written.
type Plan struct {
	files   []planned
	skipped []Skipped
	mounts  []MountCross
	bytes   int64
}

// Bytes is the content the plan copies, before compression.
func (p *Plan) Bytes() int64 { return p.bytes }

// Files is how many entries the plan copies.
func (p *Plan) Files() int { return len(p.files) }

func (p *Plan) skip(pth, section string, m model.Message) {
	p.skipped = append(p.skipped, Skipped{Path: pth, Section: section, Reason: m})
}

// MakePlan walks the places of prof on t. Secrets are planned only when
// secrets is set; otherwise they are listed as skipped.
func MakePlan(t *target.Target, prof Profile, secrets bool) *Plan {
	p := &Plan{}
	seen := map[string]bool{}
	for _, pl := range prof.Places {
		maxFile := pl.MaxFile
		if maxFile == 0 {
			maxFile = prof.MaxFile
		}
		for _, root := range t.Glob(pl.Pattern) {
			root, ok := p.placeRoot(t, pl, root, seen)
			if ok {
				p.walkPlace(t, pl, root, maxFile, prof.MaxTotal, secrets, seen)
			}
		}
	}
	return p
}

// placeRoot is the path a place is walked by: its directories resolved,
// so that one directory reached through a symlink (/lib -> usr/lib) is
// collected once, under the name it really has. A place that is a symlink
// to anything but a directory (~/.bash_history -> /dev/null) is the
// symlink itself: it is planned here and not walked.
func (p *Plan) placeRoot(t *target.Target, pl Place, root string, seen map[string]bool) (string, bool) {
	if fi, err := t.Lstat(root); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if st, err := t.Stat(root); err == nil && st.IsDir() {
			r, err := t.Resolve(root)
			return r, err == nil
		}
	}
	if dir, err := t.Resolve(path.Dir(root)); err == nil {
		root = path.Join(dir, path.Base(root))
	}
	if fi, err := t.Lstat(root); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if !seen[root] {
			seen[root] = true
			p.files = append(p.files, planned{path: root, section: pl.Section, kind: KindSymlink})
		}
		return "", false
	}
	return root, true
}

func (p *Plan) walkPlace(t *target.Target, pl Place, root string, maxFile, maxTotal int64, secrets bool, seen map[string]bool) {
	rootDepth := strings.Count(target.Clean(root), "/")
	devs := map[string]uint64{}
	_ = t.Walk(root, func(tp string, d fs.DirEntry, err error) error {
		if err != nil {
			if !seen[tp] {
				seen[tp] = true
				p.skip(tp, pl.Section, target.ErrMessage(err))
			}
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if seen[tp] {
			if d.IsDir() {
				return fs.SkipDir // an earlier place covered it (/lib -> /usr/lib)
			}
			return nil
		}
		seen[tp] = true
		info, ierr := d.Info()
		if ierr != nil {
			p.skip(tp, pl.Section, target.ErrMessage(ierr))
			return nil
		}
		st, _ := info.Sys().(*syscall.Stat_t)
		if d.IsDir() {
			if st != nil {
				devs[tp] = st.Dev
				parent, ok := devs[path.Dir(tp)]
				if !ok && tp != "/" {
					parent, ok = devOfTarget(t, path.Dir(tp))
				}
				if ok && parent != st.Dev {
					p.mounts = append(p.mounts, MountCross{Path: tp, Device: devString(st.Dev)})
				}
			}
			if pl.MaxDepth > 0 && strings.Count(tp, "/")-rootDepth >= pl.MaxDepth && tp != target.Clean(root) {
				p.skip(tp, pl.Section, model.Msg("evidence.skip.depth", pl.MaxDepth))
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			p.files = append(p.files, planned{path: tp, section: pl.Section, kind: KindSymlink})
		case !info.Mode().IsRegular():
			p.skip(tp, pl.Section, model.Msg("evidence.skip.special", target.FileKind(info.Mode())))
		case SecretPath(tp) && !secrets:
			p.skip(tp, pl.Section, model.Msg("evidence.skip.secret"))
		case info.Size() > maxFile:
			p.skip(tp, pl.Section, model.Msg("evidence.skip.too-large", info.Size(), maxFile))
		case p.bytes+info.Size() > maxTotal:
			p.skip(tp, pl.Section, model.Msg("evidence.skip.budget", maxTotal))
		default:
			p.files = append(p.files, planned{path: tp, section: pl.Section, kind: KindFile, size: info.Size(), maxFile: maxFile})
			p.bytes += info.Size()
		}
		return nil
	})
}

// devOfTarget is the device of the directory p of the target.
func devOfTarget(t *target.Target, p string) (uint64, bool) {
	fi, err := t.Stat(p)
	if err != nil {
		return 0, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Dev, true
}

func devString(dev uint64) string {
	return fmt.Sprintf("%d:%d", unix.Major(dev), unix.Minor(dev))
}
