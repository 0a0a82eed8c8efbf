package autostart

import (
	"path"
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// signal is one thing Python code does that a startup hook has no
// business doing.
type signal uint8

const (
	sigExec     signal = 1 << iota // exec/eval of a string
	sigDecode                      // base64, hex, zlib, marshal, rot13 ...: hidden content
	sigNet                         // sockets, HTTP clients, downloads
	sigProc                        // starts programs: subprocess, os.system, pty.spawn, os.dup2 ...
	sigWritable                    // names a path in a world-writable directory
	sigHidden                      // names a path in a hidden directory
)

// modUse matches code that uses one of the named modules: name.attr, an
// import of it, or __import__('name'). A name in prose ("subprocess
// coverage") is not a use.
func modUse(names ...string) string {
	n := "(?:" + strings.Join(names, "|") + ")"
	return `\b` + n + `\s*\.\s*[A-Za-z_]|\bimport\s+(?:[\w.]+\s*(?:as\s+\w+\s*)?,\s*)*` + n + `\b|\bfrom\s+` + n + `\b|__import__\(\s*['"]` + n + `\b`
}

var (
	pyExecRE   = lazyre.New(`(?:^|[^.\w])(?:exec|eval)\s*\(|\bcompile\s*\(.*['"]exec['"]\s*\)`)
	pyDecodeRE = lazyre.New(`(?i)\b(?:b64decode|b32decode|b16decode|a85decode|b85decode|decodebytes|decodestring|unhexlify|fromhex|rot_?13)\b|\b(?:zlib|bz2|lzma|gzip)\.decompress\b|\bmarshal\.loads\b|\bcodecs\.decode\s*\(|(?:\\x[0-9a-fA-F]{2}){8,}|(?:chr\(\s*\d+\s*\)\s*\+\s*){4,}|['"][A-Za-z0-9+/]{160,}={0,2}['"]|` +
		modUse("base64", "binascii", "marshal"))
	pyNetRE = lazyre.New(`\burlopen\b|\burlretrieve\b|\bcreate_connection\s*\(|\brequests\s*\.\s*(?:get|post|put|request|Session)\b|` +
		modUse("socket", `urllib[23]?`, `http\.client`, `httplib2?`, "ftplib", "telnetlib", "paramiko", "websocket", "websockets", "smtplib", "pycurl", "aiohttp", "httpx", "requests"))
	pyProcRE = lazyre.New(`(?:\bos|__import__\(\s*['"]os['"]\s*\))\s*\.\s*(?:system|popen[234]?|exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?|fork|forkpty|dup2)\s*\(|\bpty\s*\.\s*spawn\b|\bcommands\s*\.\s*getoutput\b|\b(?:Popen|check_output|check_call|getstatusoutput)\s*\(|` +
		modUse("subprocess", "pty"))
	pyPathRE = lazyre.New(`['"](/[^'"\s]+)['"]`)
)

// pySignals returns what a piece of Python code does, with the first
// fragment of each signal.
func pySignals(text string) (signal, map[signal]string) {
	var s signal
	frags := map[signal]string{}
	for _, c := range []struct {
		sig signal
		re  *lazyre.Regexp
	}{{sigExec, pyExecRE}, {sigDecode, pyDecodeRE}, {sigNet, pyNetRE}, {sigProc, pyProcRE}} {
		if loc := c.re.FindStringIndex(text); loc != nil {
			s |= c.sig
			frags[c.sig] = textclip.Clip(strings.TrimSpace(text[loc[0]:loc[1]]), 160)
		}
	}
	for _, m := range pyPathRE.FindAllStringSubmatch(text, -1) {
		switch p := m[1]; {
		case places.Temporary(p) && s&sigWritable == 0:
			s |= sigWritable
			frags[sigWritable] = p
		case hiddenPyPath(p) && s&sigHidden == 0:
			s |= sigHidden
			frags[sigHidden] = p
		}
	}
	return s, frags
}

// pyToolDirs are hidden directories where Python toolchains keep
// interpreters, environments and packages.
var pyToolDirs = map[string]bool{
	".local": true, ".pyenv": true, ".conda": true, ".miniconda3": true, ".anaconda3": true,
	".virtualenvs": true, ".venv": true, ".poetry": true, ".pixi": true, ".rye": true, ".asdf": true,
}

// hiddenPyPath reports whether p has a hidden component that is not a
// Python toolchain directory.
func hiddenPyPath(p string) bool {
	for _, c := range strings.Split(path.Clean(p), "/") {
		if len(c) > 1 && c[0] == '.' && c != ".." && !pyToolDirs[c] {
			return true
		}
	}
	return false
}

// pyVerdict is the grade of Python code that runs at interpreter start.
type pyVerdict struct {
	Suspicious bool
	Severity   model.Severity
	Confidence model.Confidence
	Indicators []string // sorted, unique
	Fragment   string   // what matched worst
	Line       int      // line of the worst match in a file (0 for a line)
}

func (v *pyVerdict) raise(s model.Severity, c model.Confidence, ind, frag string, line int) {
	if !v.Suspicious || s > v.Severity || (s == v.Severity && c > v.Confidence) {
		v.Severity, v.Confidence, v.Fragment, v.Line = s, c, frag, line
	}
	v.Suspicious = true
	v.add(ind)
}

func (v *pyVerdict) add(ind string) {
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

func (v *pyVerdict) merge(o pyVerdict) {
	if !o.Suspicious {
		return
	}
	for _, id := range o.Indicators {
		v.add(id)
	}
	v.raise(o.Severity, o.Confidence, "", o.Fragment, o.Line)
}

// keepsGrade reports whether the verdict holds something that is not
// lowered for an ordinary account: a shell handed to the network, a miner.
func (v *pyVerdict) keepsGrade() bool {
	for _, x := range v.Indicators {
		if x == indPyNetworkExec || strings.HasPrefix(x, "reverse-shell") || x == "miner" {
			return true
		}
	}
	return false
}

// lowerForUser drops the grade one step (never below low, confidence at
// most medium) for code that runs only as one ordinary account.
func (v *pyVerdict) lowerForUser() {
	if !v.Suspicious || v.keepsGrade() {
		return
	}
	v.Severity = lower(v.Severity)
	if v.Confidence > model.ConfMedium {
		v.Confidence = model.ConfMedium
	}
}

// gradeSignals turns signals into a grade. strong is for a .pth import
// line (and the code it execs): one line that runs at every interpreter
// start has no reason to do any of this, so each signal alone is high. In
// a whole module (sitecustomize, a module a .pth line imports) single
// signals are medium and only combinations rise.
func gradeSignals(v *pyVerdict, sig signal, frags map[signal]string, strong, combos bool, line int) {
	has := func(s signal) bool { return combos && sig&s != 0 }
	if has(sigExec) && (has(sigDecode) || has(sigNet)) {
		f := frags[sigDecode]
		if f == "" {
			f = frags[sigNet]
		}
		v.raise(model.Critical, model.ConfHigh, indPyExecPayload, frags[sigExec]+" ... "+f, line)
	}
	if has(sigNet) && has(sigProc) {
		v.raise(model.Critical, model.ConfHigh, indPyNetworkExec, frags[sigNet]+" ... "+frags[sigProc], line)
	}
	has = func(s signal) bool { return sig&s != 0 }
	single := model.Medium
	if strong {
		single = model.High
	}
	if combos && !strong && has(sigDecode) && (has(sigProc) || has(sigExec)) {
		v.raise(model.High, model.ConfMedium, indPyObfuscation, frags[sigDecode], line)
	}
	for _, c := range []struct {
		sig signal
		ind string
	}{{sigExec, indPyExec}, {sigDecode, indPyObfuscation}, {sigNet, indPyNetwork}, {sigProc, indPyProcess}, {sigWritable, "writable-location"}} {
		if has(c.sig) {
			v.raise(single, model.ConfMedium, c.ind, frags[c.sig], line)
		}
	}
	if has(sigHidden) {
		v.raise(model.Medium, model.ConfMedium, "hidden-location", frags[sigHidden], line)
	}
}

// gradeCmdscan folds the shell-level matches of a line (os.system("curl
// ... | sh") is a download piped to a shell whatever wraps it).
func gradeCmdscan(v *pyVerdict, text string, line int) {
	for _, m := range cmdscan.Scan(text) {
		if m.ID == "exec-hidden-path" {
			continue // Python paths are judged by hiddenPyPath
		}
		v.raise(m.Severity, m.Confidence, m.ID, m.Fragment, line)
	}
}

// GradePyLine grades code that runs as one unit at every interpreter
// start: a .pth import line, or the code it execs.
func gradePyLine(text string) pyVerdict {
	var v pyVerdict
	sig, frags := pySignals(text)
	gradeSignals(&v, sig, frags, true, true, 0)
	gradeCmdscan(&v, text, 0)
	return v
}

// pyImportOnly matches a line that only imports.
var pyImportOnly = lazyre.New(`^\s*(?:import\s+[\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*|from\s+[\w.]+\s+import\s+[\w.,\s()*]+?)\s*(?:#.*)?$`)

// window is how many lines apart two signals of a module may be and still
// count as one behaviour (a reverse shell spreads over five or six lines).
const window = 10

// srcLine is one line of Python source.
type srcLine struct {
	N    int
	Text string
}

// pySource returns the lines of Python source that hold code (blank and
// comment-only lines dropped), at most maxPthLines.
func pySource(b []byte) []srcLine {
	var out []srcLine
	for i, l := range strings.Split(string(b), "\n") {
		if i >= maxPthLines {
			break
		}
		t := strings.TrimSpace(l)
		if t == "" || t[0] == '#' {
			continue
		}
		out = append(out, srcLine{N: i + 1, Text: strings.TrimRight(l, "\r")})
	}
	return out
}

// gradePyBlock grades a whole module: combinations of signals within
// window lines, single signals at medium, shell-level matches per line.
func gradePyBlock(lines []srcLine) pyVerdict {
	var v pyVerdict
	type hit struct {
		n     int
		sig   signal
		frags map[signal]string
	}
	var hits []hit
	for _, l := range lines {
		sig, frags := pySignals(l.Text)
		gradeCmdscan(&v, l.Text, l.N)
		if sig == 0 {
			continue
		}
		if pyImportOnly.MatchString(l.Text) {
			// "import os, pty, socket" says what the module may do, not
			// what it does: single grades only, no combination
			gradeSignals(&v, sig, frags, false, false, l.N)
			continue
		}
		hits = append(hits, hit{l.N, sig, frags})
		// union with the signals of the lines just before
		union, uf := sig, map[signal]string{}
		for i := len(hits) - 1; i >= 0 && l.N-hits[i].n < window; i-- {
			union |= hits[i].sig
			for k, f := range hits[i].frags {
				if _, ok := uf[k]; !ok || hits[i].n == l.N {
					uf[k] = f
				}
			}
		}
		gradeSignals(&v, union, uf, false, true, l.N)
	}
	return v
}

// benignExecMarkers identify the code of the well-known exec-literal .pth
// files: coverage.py's a1_coverage.pth (7.10+) and pytest-cov.pth.
var benignExecMarkers = []*lazyre.Regexp{
	lazyre.New(`COVERAGE_PROCESS_START[\s\S]*\bcoverage\.process_startup\(`),
	lazyre.New(`COV_CORE_SOURCE[\s\S]*\bpytest_cov\.embed\b`),
}

func benignExecCode(code string) bool {
	for _, re := range benignExecMarkers {
		if re.MatchString(code) {
			return true
		}
	}
	return false
}
