package yara

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	libyara "github.com/Velocidex/go-yara"
)

// BuiltinNamespace is the YARA namespace of Vigil's own rules. Each user
// rule file gets its own namespace (its path), so two files may use the
// same rule name.
const BuiltinNamespace = "vigil"

// MaxRuleFileSize bounds one user rule file (and each file it includes).
const MaxRuleFileSize = 64 << 20

// Source is the text of one rule file.
type Source struct {
	Name      string // file name for messages (a path, or rules/yara/x.yar)
	Namespace string // YARA namespace; empty: Name
	Text      []byte
	Dir       string // directory that relative includes resolve against; empty: includes refused
}

// CompileError is a rule file left out because it did not compile (or could
// not be read): the first error with its line, and how many more there were.
type CompileError struct {
	File string
	Line int // 0 when not known (a read error)
	Text string
	More int // further errors in the same file
}

func (e CompileError) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
	}
	s += ": " + e.Text
	if e.More > 0 {
		s += fmt.Sprintf(" (and %d more)", e.More)
	}
	return s
}

// Rules is a compiled rule set, shared read-only by every scanner.
type Rules struct {
	rules *libyara.Rules
	meta  map[string]RuleMeta // key: namespace + "\x00" + rule name
	files []string
	count int
	pre   *Prefilter // nil: every file is scanned
	noPre error      // why there is no prefilter, if so
}

// Prefilter is the set's prefilter, nil when every file must be scanned
// (PrefilterError says why).
func (r *Rules) Prefilter() *Prefilter { return r.pre }

// PrefilterError says why the set has no prefilter (nil when it has one,
// or when its rules leave nothing to skip).
func (r *Rules) PrefilterError() error { return r.noPre }

// WithoutPrefilter is the same compiled set with every file scanned (the
// prefilter's tests and benchmarks compare both).
func (r *Rules) WithoutPrefilter() *Rules {
	c := *r
	c.pre = nil
	return &c
}

// Files lists the rule files that compiled and are in the set.
func (r *Rules) Files() []string { return r.files }

// Count is the number of rules in the set.
func (r *Rules) Count() int { return r.count }

// externals are the LOKI/THOR external variables every rule may use; a
// scanner sets them per file.
var externals = map[string]any{"filename": "", "filepath": "", "extension": "", "filetype": "", "owner": ""}

// Compile compiles the sources into one rule set. A source that does not
// compile on its own is left out and returned as a CompileError; the error
// is for the set as a whole (no source compiled, or libyara failed).
//
// The sources are first compiled together, once: that is the common case
// and libyara's compile is the start-up cost of a scan. Only when that
// fails is each user source tried alone, to leave out the bad ones and
// report them.
func Compile(sources []Source) (*Rules, []CompileError, error) {
	if len(sources) > 0 {
		if r, err := compileSet(sources); err == nil {
			return r, nil, nil
		}
	}
	var good []Source
	var bad []CompileError
	for _, s := range sources {
		// Vigil's own rules are known to compile (TestCorpus): only the
		// user's files are tried alone.
		if s.Namespace == BuiltinNamespace {
			good = append(good, s)
			continue
		}
		if ce := tryCompile(s); ce != nil {
			bad = append(bad, *ce)
			continue
		}
		good = append(good, s)
	}
	if len(good) == 0 {
		return nil, bad, errors.New("no rule file compiled")
	}
	r, err := compileSet(good)
	return r, bad, err
}

// compileSet compiles sources into one set, failing at the first error.
func compileSet(sources []Source) (*Rules, error) {
	// The prefilter's analysis (Go) runs while libyara compiles (C): the
	// start-up of a scan is the longer of the two, not their sum.
	analysed := make(chan analysisResult, 1)
	go func() {
		a, err := analyseSources(sources)
		analysed <- analysisResult{a, err}
	}()
	c, err := newCompiler()
	if err != nil {
		return nil, err
	}
	defer c.Destroy()
	var files []string
	for _, s := range sources {
		c.SetIncludeCallback(includer(s))
		if err := c.AddString(string(s.Text), namespace(s)); err != nil || len(c.Errors) > 0 {
			return nil, fmt.Errorf("%s: %w", s.Name, firstError(c, err))
		}
		files = append(files, s.Name)
	}
	lr, err := c.GetRules()
	if err != nil {
		return nil, err
	}
	r := &Rules{rules: lr, meta: map[string]RuleMeta{}, files: files}
	for _, rule := range lr.GetRules() {
		m := parseMeta(rule.Namespace(), rule.Identifier(), rule.Metas())
		r.meta[rule.Namespace()+"\x00"+rule.Identifier()] = m
		r.count++
	}
	res := <-analysed
	r.pre, r.noPre = prefilterFor(res.a, res.err, r)
	return r, nil
}

// newCompiler makes a compiler with the external variables defined.
func newCompiler() (*libyara.Compiler, error) {
	c, err := libyara.NewCompiler()
	if err != nil {
		return nil, err
	}
	for k, v := range externals {
		if err := c.DefineVariable(k, v); err != nil {
			c.Destroy()
			return nil, err
		}
	}
	return c, nil
}

// tryCompile compiles one source alone and says why it fails, if it does.
func tryCompile(s Source) *CompileError {
	c, err := newCompiler()
	if err != nil {
		return &CompileError{File: s.Name, Text: err.Error()}
	}
	defer c.Destroy()
	c.SetIncludeCallback(includer(s))
	if err := c.AddString(string(s.Text), namespace(s)); err != nil || len(c.Errors) > 0 {
		ce := CompileError{File: s.Name, Text: firstError(c, err).Error()}
		if len(c.Errors) > 0 {
			ce.Line = c.Errors[0].Line
			if f := c.Errors[0].Filename; f != "" && f != s.Name {
				ce.Text = f + ": " + ce.Text // the error is in an included file
			}
			ce.More = len(c.Errors) - 1
		}
		return &ce
	}
	return nil
}

func firstError(c *libyara.Compiler, err error) error {
	if len(c.Errors) > 0 {
		return errors.New(c.Errors[0].Text)
	}
	if err == nil {
		err = errors.New("does not compile")
	}
	return err
}

func namespace(s Source) string {
	if s.Namespace != "" {
		return s.Namespace
	}
	return s.Name
}

// includer resolves `include "x.yar"` relative to the source's directory;
// a source without one (Vigil's own rules) may not include.
func includer(s Source) libyara.CompilerIncludeFunc {
	return func(name, _, _ string) []byte {
		if s.Dir == "" {
			return nil
		}
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(s.Dir, p)
		}
		b, err := readBounded(p)
		if err != nil {
			return nil
		}
		return b
	}
}

func readBounded(p string) ([]byte, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	if fi.Size() > MaxRuleFileSize {
		return nil, fmt.Errorf("larger than %d MB", MaxRuleFileSize>>20)
	}
	return os.ReadFile(p)
}

// ruleExt are the file name endings taken from a --rules directory (not
// .rules: udev and polkit files end so).
var ruleExt = []string{".yar", ".yara"}

// ReadUserRules reads the rule files named by --rules: a file, or every
// *.yar and *.yara file under a directory (sorted). These
// are the analyst's own files, on the machine Vigil runs on (never the
// target's). What cannot be read is a CompileError; a path that does not
// exist is an error.
func ReadUserRules(paths []string) ([]Source, []CompileError, error) {
	var out []Source
	var bad []CompileError
	add := func(p string) {
		b, err := readBounded(p)
		if err != nil {
			bad = append(bad, CompileError{File: p, Text: err.Error()})
			return
		}
		out = append(out, Source{Name: p, Text: b, Dir: filepath.Dir(p)})
	}
	for _, root := range paths {
		fi, err := os.Stat(root)
		if err != nil {
			return nil, nil, err
		}
		if !fi.IsDir() {
			add(root)
			continue
		}
		var found []string
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				bad = append(bad, CompileError{File: p, Text: err.Error()})
				return nil
			}
			if !d.IsDir() && hasRuleExt(d.Name()) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		sort.Strings(found)
		for _, p := range found {
			add(p)
		}
	}
	return out, bad, nil
}

func hasRuleExt(name string) bool {
	l := strings.ToLower(name)
	for _, e := range ruleExt {
		if strings.HasSuffix(l, e) {
			return true
		}
	}
	return false
}
