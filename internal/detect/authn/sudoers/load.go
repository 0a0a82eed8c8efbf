package sudoers

import (
	"path"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// MainPath is sudo's policy file.
const MainPath = "/etc/sudoers"

// maxDepth bounds include nesting (sudo allows 128; real trees use 2).
const maxDepth = 8

// readLimit bounds one sudoers file.
const readLimit = 1 << 20

// Load reads /etc/sudoers of t and every file it includes. A missing
// /etc/sudoers gives an empty policy (sudo is not installed).
func Load(t *target.Target, rec target.Recorder) *Policy {
	l := &loader{t: t, rec: rec, pol: &Policy{}, seen: map[string]bool{}}
	l.file(MainPath, 0)
	return l.pol
}

type loader struct {
	t    *target.Target
	rec  target.Recorder
	pol  *Policy
	seen map[string]bool
}

func (l *loader) file(p string, depth int) {
	if depth > maxDepth {
		l.rec.GapMsg(model.GapSkipped, p, model.Msg("sudoers.gap.include-depth", maxDepth))
		return
	}
	key := p
	if r, err := l.t.Resolve(p); err == nil {
		key = r
	}
	if l.seen[key] {
		return // include loop or repeated include: sudo reads it once more, nothing new to grade
	}
	l.seen[key] = true
	b, ok := l.t.ReadFileRec(l.rec, p, readLimit)
	if !ok {
		return
	}
	l.pol.Files = append(l.pol.Files, p)
	for _, inc := range Parse(l.pol, p, b, l.rec) {
		l.include(inc, depth)
	}
}

func (l *loader) include(inc Include, depth int) {
	p := inc.Path
	if strings.Contains(p, "%h") {
		l.rec.GapMsg(model.GapSkipped, inc.File+":"+itoa(inc.Line), model.Msg("sudoers.gap.include-host", p))
		return
	}
	if !strings.HasPrefix(p, "/") {
		p = path.Join(path.Dir(inc.File), p)
	}
	p = path.Clean(p)
	if !inc.Dir {
		l.file(p, depth+1)
		return
	}
	ents, err := l.t.ReadDir(p)
	if !target.Record(l.rec, p, err) {
		return
	}
	l.pol.Dirs = append(l.pol.Dirs, p)
	for _, e := range ents {
		name := e.Name()
		// sudo skips editor backups and files with a dot (package
		// manager leftovers such as .dpkg-old, README files).
		if e.IsDir() {
			continue
		}
		if strings.HasSuffix(name, "~") || strings.Contains(name, ".") {
			l.pol.Dormant = append(l.pol.Dormant, Dormant{Path: path.Join(p, name), Reason: ReasonSkippedName})
			continue
		}
		l.file(path.Join(p, name), depth+1)
	}
}

// Reasons a sudoers file is dormant (Dormant.Reason): language-neutral
// codes; the detector says them in words through message ids.
const (
	// ReasonSkippedName: in an included directory, sudo skips names that
	// end in '~' or contain '.'.
	ReasonSkippedName = "skipped-name"
	// ReasonNoSudoers: there is no /etc/sudoers, sudo is not installed.
	ReasonNoSudoers = "no-sudoers"
	// ReasonNoSudo: /etc/sudoers is there, the sudo program is not.
	ReasonNoSudo = "no-sudo"
	// ReasonNotIncluded: the file is in /etc/sudoers.d but /etc/sudoers
	// does not include that directory.
	ReasonNotIncluded = "not-included"
)

// DropInDir is the directory Debian's and most distributions' sudoers include.
const DropInDir = "/etc/sudoers.d"

// LoadDormant parses the file at p, which sudo does not read now, into a
// policy that shares base's aliases (base may be nil). Its includes are
// not followed: what they name is read, or not, on its own account.
func LoadDormant(t *target.Target, rec target.Recorder, p string, base *Policy) (*Policy, bool) {
	pol := &Policy{}
	if base != nil {
		pol.Aliases = append(pol.Aliases, base.Aliases...)
	}
	b, ok := t.ReadFileRec(rec, p, readLimit)
	if !ok {
		return pol, false
	}
	pol.Files = append(pol.Files, p)
	Parse(pol, p, b, rec)
	return pol, true
}

func itoa(n int) string { return strconv.Itoa(n) }
