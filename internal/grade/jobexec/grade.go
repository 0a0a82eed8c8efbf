package jobexec

import (
	"path"
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
)

// Context says how a command runs.
type Context struct {
	User string // account it runs as; "" or "root" for root
	Home string // home of that account (expands ~ and $HOME, allows ~/.local ...)
	Boot bool   // runs at every boot (@reboot, an enabled boot service)
}

// Root reports whether the command runs as root.
func (c Context) Root() bool { return c.User == "" || c.User == "root" }

// Writable is a program that runs as root but a non-root account can
// change.
type Writable struct {
	Path string
	Why  string
}

// ScriptHit is the worst line of a script that a command runs.
type ScriptHit struct {
	Path string
	Line int
	Text string
}

// Verdict is the grade of one command line.
type Verdict struct {
	Suspicious bool
	Severity   model.Severity
	Confidence model.Confidence
	Indicators []string // sorted, unique
	Fragment   string   // what matched worst
	Programs   []string // absolute programs the line starts
	Writable   []Writable
	Script     *ScriptHit // set when a followed script raised the grade
}

func (v *Verdict) raise(s model.Severity, c model.Confidence, ind, frag string) {
	if !v.Suspicious || s > v.Severity || (s == v.Severity && c > v.Confidence) {
		v.Severity, v.Confidence = s, c
		if frag != "" {
			v.Fragment = frag
		}
	}
	v.Suspicious = true
	v.Add(ind)
}

// Add adds an indicator id once.
func (v *Verdict) Add(ind string) {
	if ind == "" {
		return
	}
	for _, x := range v.Indicators {
		if x == ind {
			return
		}
	}
	v.Indicators = append(v.Indicators, ind)
	sort.Strings(v.Indicators)
}

// Has reports whether the verdict carries an indicator whose id starts
// with prefix.
func (v *Verdict) Has(prefix string) bool {
	for _, x := range v.Indicators {
		if strings.HasPrefix(x, prefix) {
			return true
		}
	}
	return false
}

// Lower drops the grade one step (never below Low) and caps the confidence
// at medium: for jobs that run as an ordinary account or do not run as
// configured. Reverse shells and miners keep their grade when keepWorst.
func (v *Verdict) Lower(keepWorst bool) {
	if !v.Suspicious {
		return
	}
	if keepWorst && (v.Has("reverse-shell") || v.Has("miner")) {
		return
	}
	if v.Severity > model.Low {
		v.Severity--
	}
	if v.Confidence > model.ConfMedium {
		v.Confidence = model.ConfMedium
	}
}

// Merge folds another verdict (the stdin of a cron job, a second Exec
// line) into v.
func (v *Verdict) Merge(o Verdict) {
	for _, id := range o.Indicators {
		v.Add(id)
	}
	for _, p := range o.Programs {
		v.Programs = appendOnce(v.Programs, p)
	}
	v.Writable = append(v.Writable, o.Writable...)
	if !o.Suspicious {
		return
	}
	if !v.Suspicious || o.Severity > v.Severity || (o.Severity == v.Severity && o.Confidence > v.Confidence) {
		if o.Script != nil {
			v.Script = o.Script
		}
	}
	v.raise(o.Severity, o.Confidence, "", o.Fragment)
}

// evalOfConfigTool matches evals of tools whose output is shell
// assignments by design (Debian's apt-compat cron job evaluates apt-config
// shell); cmdscan's own exceptions cover shell start-up tools only.
var evalOfConfigTool = lazyre.New(`\beval\s+["']?(?:\$\(|\x60)\s*(?:\S*/)?(?:apt-config\s+shell|dpkg-architecture|locale\b|resize\b)`)

// maxDepth bounds sh -c nesting and script following.
const maxDepth = 2

// Grade grades one command line that runs unattended.
func (e *Env) Grade(cmd string, c Context) Verdict {
	var v Verdict
	e.grade(&v, cmd, c, 0)
	if !c.Root() {
		v.Lower(true)
	}
	return v
}

func (e *Env) grade(v *Verdict, cmd string, c Context, depth int) {
	for _, m := range cmdscan.Scan(cmd) {
		if m.ID == "exec-hidden-path" && toolPath(fragPath(m.Fragment), c.Home) {
			continue // ~/.local/bin/tool and the like
		}
		if m.ID == "obfuscation.eval" && evalOfConfigTool.MatchString(cmd) {
			continue
		}
		sev := m.Severity
		if c.Boot && m.ID == "exec-hidden-path" && sev < model.High {
			sev = model.High // hidden program started at every boot
		}
		v.raise(sev, m.Confidence, m.ID, m.Fragment)
	}
	for _, p := range e.programs(cmd, c, depth) {
		e.gradeProgram(v, p, c, depth)
	}
}

// fragPath returns the absolute path inside a cmdscan fragment.
func fragPath(frag string) string {
	i := strings.IndexByte(frag, '/')
	if i < 0 {
		return ""
	}
	s := frag[i:]
	if j := strings.IndexAny(s, " \t;&|'\""); j >= 0 {
		s = s[:j]
	}
	return s
}

// homeToolDirs are hidden directories of a home where toolchains and
// package managers install programs that users and their jobs run
// (~/.local/bin, ~/.cargo/bin, acme.sh's ~/.acme.sh ...).
var homeToolDirs = map[string]bool{
	".local": true, ".cargo": true, ".nvm": true, ".pyenv": true, ".rbenv": true,
	".nodenv": true, ".goenv": true, ".jenv": true, ".sdkman": true, ".asdf": true,
	".volta": true, ".bun": true, ".deno": true, ".yarn": true, ".npm-global": true,
	".poetry": true, ".krew": true, ".dotnet": true, ".composer": true,
	".linuxbrew": true, ".nix-profile": true, ".rvm": true, ".gem": true,
	".pub-cache": true, ".tfenv": true, ".fnm": true, ".acme.sh": true,
	".rye": true, ".pixi": true, ".juliaup": true, ".ghcup": true, ".opam": true,
	".elan": true, ".wasmtime": true, ".wasmer": true, ".pulumi": true,
	".miniconda3": true, ".anaconda3": true, ".conda": true, ".bin": true,
}

// toolPath reports whether p is in a toolchain directory of a home (the
// given one, /root or /home/NAME) with no further hidden component.
func toolPath(p, home string) bool {
	if p == "" || !strings.HasPrefix(p, "/") {
		return false
	}
	p = path.Clean(p)
	h := strings.TrimSuffix(home, "/")
	if h == "" || !strings.HasPrefix(p, h+"/") {
		switch parts := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 3); {
		case len(parts) >= 2 && parts[0] == "root":
			h = "/root"
		case len(parts) == 3 && parts[0] == "home":
			h = "/home/" + parts[1]
		default:
			return false
		}
	}
	rest := strings.TrimPrefix(p, h+"/")
	first, after, _ := strings.Cut(rest, "/")
	if !homeToolDirs[first] {
		return false
	}
	hid := places.Hidden(after) != ""
	return !hid
}

// gradeProgram grades an absolute program path a command starts.
func (e *Env) gradeProgram(v *Verdict, p string, c Context, depth int) {
	v.Programs = appendOnce(v.Programs, p)
	switch {
	case places.Temporary(p):
		v.raise(model.High, model.ConfHigh, IndWritable, p)
		return
	case hiddenProgram(p, c.Home):
		if c.Boot {
			v.raise(model.High, model.ConfMedium, IndHidden, p)
		} else {
			v.raise(model.Medium, model.ConfMedium, IndHidden, p)
		}
	}
	fi, err := e.T.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return
	}
	if fi.Mode().Perm()&0o002 != 0 {
		v.raise(model.High, model.ConfHigh, IndWritable, p)
	} else if c.Root() {
		if why := e.WriterOf(p); why != "" {
			v.Writable = append(v.Writable, Writable{Path: p, Why: why})
		}
	}
	if depth < maxDepth-1 {
		e.followScript(v, p, c, depth+1)
	}
}

// hiddenProgram reports whether p lies in a hidden directory that is not a
// toolchain directory of a home.
func hiddenProgram(p, home string) bool {
	if hid := places.Hidden(p) != ""; !hid {
		return false
	}
	return !toolPath(p, home)
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
