package autostart

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// PthKind says what Python's site module does with a .pth line.
type PthKind int

// Kinds of .pth lines.
const (
	// PthPath is a directory site.py appends to sys.path (if it exists).
	PthPath PthKind = iota + 1
	// PthImport starts with "import " or "import\t": site.py exec()s the
	// whole line at every interpreter start.
	PthImport
	// PthInert starts with blanks before "import": site.py checks the
	// line start exactly, so it takes the line for a (missing) directory
	// and does not execute it.
	PthInert
)

// PthLine is one line of a .pth file that is not blank or a comment.
type PthLine struct {
	N    int    // 1-based line number (universal newlines: \n, \r\n and \r end a line)
	Raw  string // the line as written, without its line end
	Kind PthKind
}

// maxPthLines bounds the lines read from one .pth file.
const maxPthLines = 100000

// ParsePth parses a .pth file as CPython's site.addpackage does: the file
// is read as text (universal newlines, a UTF-8 BOM dropped), lines that
// start with # and blank lines are skipped, lines that start with "import"
// and a blank are executed, anything else is a path.
func ParsePth(b []byte) []PthLine {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var out []PthLine
	n := 0
	for len(b) > 0 && n < maxPthLines {
		i := bytes.IndexAny(b, "\r\n")
		var line []byte
		if i < 0 {
			line, b = b, nil
		} else {
			line = b[:i]
			if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			b = b[i+1:]
		}
		n++
		s := string(line)
		if strings.HasPrefix(s, "#") || strings.TrimSpace(s) == "" {
			continue
		}
		k := PthPath
		switch {
		case isImportLine(s):
			k = PthImport
		case isImportLine(strings.TrimLeft(s, " \t\f\v")):
			k = PthInert
		}
		out = append(out, PthLine{N: n, Raw: s, Kind: k})
	}
	return out
}

func isImportLine(s string) bool {
	return strings.HasPrefix(s, "import ") || strings.HasPrefix(s, "import\t")
}

// statements splits a line of Python at semicolons (a semicolon inside a
// string literal splits it too: such a line never matches a known shape)
// and removes blanks, so "m = not ie and x" compares as "m=notieandx".
func statements(line string) []string {
	var out []string
	for _, s := range strings.Split(line, ";") {
		s = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\f' || r == '\v' {
				return -1
			}
			return r
		}, s)
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Known inert shapes of .pth import lines that tools write by the
// million. Each statement of a line must match, whitespace removed, so
// that anything appended (";exec(...)") breaks the match.
var (
	// setuptools' distutils-precedence.pth (49.x-59.x default stdlib,
	// 60+ default local).
	distutilsPrecedence = []*lazyre.Regexp{
		lazyre.New(`^importos$`),
		lazyre.New(`^var='SETUPTOOLS_USE_DISTUTILS'$`),
		lazyre.New(`^enabled=os\.environ\.get\(var,'(?:local|stdlib)'\)=='local'$`),
		lazyre.New(`^enabledand__import__\('_distutils_hack'\)\.add_shim\(\)$`),
	}
	// setuptools' namespace-package template (*-nspkg.pth: google,
	// zope, mpl_toolkits, sphinxcontrib, backports, jaraco ...), every
	// version since 2008: the statements may appear in any of its
	// historical combinations.
	nspkgFirst = lazyre.New(`^importsys,types,os(?:,pkgutil)?$`)
	nspkgRest  = func() *lazyre.Regexp {
		q := `(?:'[A-Za-z0-9_.]+'|"[A-Za-z0-9_.]+")`
		root := `(?:sys\._getframe\(1\)\.f_locals\['sitedir'\]|sys\.prefix|'[^'\\]*'|"[^"\\]*")`
		alts := []string{
			`has_mfs=sys\.version_info>\(3,5\)`,
			`p=os\.path\.join\(` + root + `,\*\((?:` + q + `,)*` + q + `?\)\)`,
			`importlib=(?:has_mfsand)?__import__\('importlib\.util'\)`,
			`(?:has_mfsand)?__import__\('importlib\.machinery'\)`,
			`ie=os\.path\.exists\(os\.path\.join\(p,'__init__\.py'\)\)`,
			`m=(?:notieand)?(?:has_mfsand)?sys\.modules\.setdefault\(` + q + `,importlib\.util\.module_from_spec\(importlib\.machinery\.PathFinder\.find_spec\(` + q + `,\[os\.path\.dirname\(p\)\]\)\)\)`,
			`m=(?:mor)?(?:notieand|ieand)?sys\.modules\.setdefault\(` + q + `,types\.ModuleType\(` + q + `\)\)`,
			`mp=(?:\(mor\[\]\)and)?m\.__dict__\.setdefault\('__path__',\[\]\)`,
			`\(pnotinmp\)andmp\.append\(p\)`,
			`mandsetattr\(sys\.modules\[` + q + `\],` + q + `,m\)`,
			`mp\[:\]=mandpkgutil\.extend_path\(mp,` + q + `\)ormp`,
		}
		return lazyre.New(`^(?:` + strings.Join(alts, "|") + `)$`)
	}()
	// Fixed lines: setuptools' easy-install.pth bracketing lines,
	// virtualenv's _virtualenv.pth, coverage.py's documented hook.
	knownStatements = [][]string{
		{"importsys", "sys.__plen=len(sys.path)"},
		{"importsys", "new=sys.path[sys.__plen:]", "delsys.path[sys.__plen:]", "p=getattr(sys,'__egginsert',0)", "sys.path[p:p]=new", "sys.__egginsert=p+len(new)"},
		{"import_virtualenv"},
		{"importcoverage", "coverage.process_startup()"}, // coverage.py's documented subprocess hook
	}
	// PEP 660 editable installs by setuptools:
	// "import __editable___NAME_finder; __editable___NAME_finder.install()".
	editableImport = lazyre.New(`^import(__editable___[A-Za-z0-9_]+_finder)$`)
	editableCall   = lazyre.New(`^(__editable___[A-Za-z0-9_]+_finder)\.install\(\)$`)
)

// PthShape names the well-known inert shape of a .pth import line ("" when
// it has none). For "editable-finder", module is the finder module the
// line imports, which the caller must check.
func PthShape(line string) (shape, module string) {
	st := statements(line)
	if len(st) == 0 {
		return "", ""
	}
	if matchAll(st, distutilsPrecedence) {
		return "distutils-precedence", ""
	}
	for _, want := range knownStatements {
		if equal(st, want) {
			return "setuptools/virtualenv/coverage", ""
		}
	}
	if nspkgFirst.MatchString(st[0]) {
		ok := len(st) > 1
		for _, s := range st[1:] {
			if !nspkgRest.MatchString(s) {
				ok = false
				break
			}
		}
		if ok {
			return "namespace-package", ""
		}
	}
	if len(st) == 2 {
		a, b := editableImport.FindStringSubmatch(st[0]), editableCall.FindStringSubmatch(st[1])
		if a != nil && b != nil && a[1] == b[1] {
			return "editable-finder", a[1]
		}
	}
	return "", ""
}

func matchAll(st []string, res []*lazyre.Regexp) bool {
	if len(st) != len(res) {
		return false
	}
	for i, re := range res {
		if !re.MatchString(st[i]) {
			return false
		}
	}
	return true
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// importPrefix is a run of import statements before an exec call.
var importPrefix = lazyre.New(`^(?:\s*import\s+[A-Za-z0-9_.,\s]+;)+\s*$`)

// ExecLiteral recognises "import a, b; exec('...')": an import line whose
// only other statement executes one string literal (coverage's
// a1_coverage.pth and pytest-cov.pth carry code a line cannot hold this
// way). It returns the code the literal holds and how many \x, \u or octal
// escapes spelled it.
func ExecLiteral(line string) (code string, escapes int, ok bool) {
	i := strings.Index(line, "exec(")
	if i < 0 || !importPrefix.MatchString(line[:i]) {
		return "", 0, false
	}
	rest := strings.TrimLeft(line[i+len("exec("):], " \t")
	code, n, escapes, ok := pyStringLiteral(rest)
	if !ok {
		return "", 0, false
	}
	rest = strings.TrimLeft(rest[n:], " \t")
	if !strings.HasPrefix(rest, ")") {
		return "", 0, false
	}
	if strings.Trim(rest[1:], " \t;\r\n") != "" {
		return "", 0, false
	}
	return code, escapes, true
}

// pyStringLiteral decodes the Python string literal at the start of s
// (optional r/u prefix, single, double or triple quotes). It returns the
// value, the length of the literal, and the number of \x, \u, \U and
// octal escapes.
func pyStringLiteral(s string) (val string, n, escapes int, ok bool) {
	i, raw := 0, false
	for i < len(s) && i < 2 && strings.ContainsRune("rRuU", rune(s[i])) {
		if s[i] == 'r' || s[i] == 'R' {
			raw = true
		}
		i++
	}
	if i >= len(s) || (s[i] != '\'' && s[i] != '"') {
		return "", 0, 0, false
	}
	quote := s[i : i+1]
	if strings.HasPrefix(s[i:], strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	i += len(quote)
	var sb strings.Builder
	for i < len(s) {
		if strings.HasPrefix(s[i:], quote) {
			return sb.String(), i + len(quote), escapes, true
		}
		c := s[i]
		if c == '\n' && len(quote) == 1 {
			return "", 0, 0, false
		}
		if c != '\\' || i+1 == len(s) {
			sb.WriteByte(c)
			i++
			continue
		}
		if raw {
			sb.WriteByte(c)
			sb.WriteByte(s[i+1])
			i += 2
			continue
		}
		e := s[i+1]
		i += 2
		switch e {
		case '\n':
		case '\\', '\'', '"':
			sb.WriteByte(e)
		case 'n':
			sb.WriteByte('\n')
		case 't':
			sb.WriteByte('\t')
		case 'r':
			sb.WriteByte('\r')
		case 'a':
			sb.WriteByte('\a')
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'v':
			sb.WriteByte('\v')
		case 'x', 'u', 'U':
			w := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+w > len(s) {
				return "", 0, 0, false
			}
			v, err := strconv.ParseUint(s[i:i+w], 16, 32)
			if err != nil || v > utf8.MaxRune {
				return "", 0, 0, false
			}
			sb.WriteRune(rune(v))
			i += w
			escapes++
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i - 1
			for j < len(s) && j < i+2 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i-1:j], 8, 32)
			sb.WriteRune(rune(v))
			i = j
			escapes++
		default:
			sb.WriteByte('\\')
			sb.WriteByte(e)
		}
	}
	return "", 0, 0, false
}

// importedModules lists the top-level modules an import line imports
// (import a, b.c as d; __import__('e')), at most four.
func importedModules(line string) []string {
	var out []string
	add := func(m string) {
		m, _, _ = strings.Cut(m, ".")
		if m == "" || !pyIdent.MatchString(m) || len(out) >= 4 {
			return
		}
		for _, x := range out {
			if x == m {
				return
			}
		}
		out = append(out, m)
	}
	for _, st := range strings.Split(line, ";") {
		st = strings.TrimSpace(st)
		if rest, ok := strings.CutPrefix(st, "import"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			for _, part := range strings.Split(rest, ",") {
				f := strings.Fields(part)
				if len(f) > 0 {
					add(f[0])
				}
			}
		}
	}
	for _, m := range dunderImport.FindAllStringSubmatch(line, -1) {
		add(m[1])
	}
	return out
}

var (
	pyIdent      = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)
	dunderImport = lazyre.New(`__import__\(\s*['"]([A-Za-z0-9_.]+)['"]`)
)
