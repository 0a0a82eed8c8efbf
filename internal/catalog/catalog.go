package catalog

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/vigil-ir/vigil/internal/model"
)

// Languages Vigil speaks. English is the fallback.
const (
	English = "en"
	Chinese = "zh-CN"
)

// Languages lists the supported language tags.
var Languages = []string{English, Chinese}

// Text is one rule's human text in one language.
type Text struct {
	Title       string `yaml:"title" json:"title"`
	Why         string `yaml:"why" json:"why"`
	Verify      string `yaml:"verify" json:"verify"`
	Remediation string `yaml:"remediation" json:"remediation"`
}

// Rule is one check's metadata.
type Rule struct {
	ID         string           `yaml:"id" json:"id"`
	Severity   model.Severity   `yaml:"severity" json:"severity"`
	Confidence model.Confidence `yaml:"confidence" json:"confidence"`
	Category   string           `yaml:"category" json:"category"`
	Technique  string           `yaml:"technique" json:"attack_technique,omitempty"`
	Texts      map[string]Text  `yaml:"texts" json:"texts"`
	File       string           `yaml:"-" json:"-"`
}

// Text returns the rule's text in lang, falling back to English field by
// field.
func (r *Rule) Text(lang string) Text {
	t, en := r.Texts[lang], r.Texts[English]
	if t.Title == "" {
		t.Title = en.Title
	}
	if t.Why == "" {
		t.Why = en.Why
	}
	if t.Verify == "" {
		t.Verify = en.Verify
	}
	if t.Remediation == "" {
		t.Remediation = en.Remediation
	}
	return t
}

// Catalog is the set of rules and indicator texts.
type Catalog struct {
	rules      map[string]*Rule
	indicators map[string]map[string]string // id -> lang -> text
	messages   map[string]map[string]string // message id -> lang -> text
	msgFile    map[string]string            // message id -> file it is defined in
}

// loadOnce parses the embedded catalog once per process: it is immutable
// after parsing and read by every command.
var loadOnce = sync.OnceValues(loadEmbedded)

// The embedded catalog is decoded on another goroutine from the start:
// every command needs it (its help and words, its findings' texts), and
// the program's start-up is otherwise one goroutine on one core.
func init() { go loadOnce() }

// Load reads the catalog embedded in the binary: rules, indicator texts and
// messages.
func Load() (*Catalog, error) {
	return loadOnce()
}

// MustLoad is Load for program start-up and tests: the embedded catalog is
// part of the binary, so an error is a build defect.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Parse reads rules from every *.yaml file under checks/ in fsys and the
// indicator texts from indicators.
func Parse(fsys fs.FS, indicators []byte) (*Catalog, error) {
	c := &Catalog{rules: map[string]*Rule{}, indicators: map[string]map[string]string{},
		messages: map[string]map[string]string{}, msgFile: map[string]string{}}
	files, err := fs.Glob(fsys, "checks/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		if err := c.add(path.Base(name), b); err != nil {
			return nil, err
		}
	}
	if err := c.addMessages(fsys); err != nil {
		return nil, err
	}
	if len(indicators) > 0 {
		dec := yaml.NewDecoder(bytes.NewReader(indicators))
		dec.KnownFields(true)
		if err := dec.Decode(&c.indicators); err != nil {
			return nil, fmt.Errorf("indicators.yaml: %w", err)
		}
	}
	return c, nil
}

func (c *Catalog) add(file string, b []byte) error {
	var list []*Rule
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&list); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	for _, r := range list {
		if r.ID == "" {
			return fmt.Errorf("%s: a rule has no id", file)
		}
		if prev, dup := c.rules[r.ID]; dup {
			return fmt.Errorf("%s: rule %s already defined in %s", file, r.ID, prev.File)
		}
		r.File = file
		c.rules[r.ID] = r
	}
	return nil
}

// Rule returns the rule with the given id.
func (c *Catalog) Rule(id string) (*Rule, bool) {
	r, ok := c.rules[id]
	return r, ok
}

// Rules returns all rules sorted by id.
func (c *Catalog) Rules() []*Rule {
	out := make([]*Rule, 0, len(c.rules))
	for _, r := range c.rules {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Indicator returns the text of an indicator id in lang (English fallback,
// then the id itself).
func (c *Catalog) Indicator(id, lang string) string {
	m := c.indicators[id]
	if s := m[lang]; s != "" {
		return s
	}
	if s := m[English]; s != "" {
		return s
	}
	return id
}

// IndicatorIDs returns every indicator id, sorted.
func (c *Catalog) IndicatorIDs() []string { return slices.Sorted(maps.Keys(c.indicators)) }

// Validate checks that every rule is complete in both languages and that
// every indicator has both texts. It returns one error line per defect.
func (c *Catalog) Validate() []string {
	var bad []string
	for _, r := range c.Rules() {
		if r.Category == "" || !strings.HasPrefix(r.ID, r.Category+".") {
			bad = append(bad, fmt.Sprintf("%s: category %q must prefix the id", r.ID, r.Category))
		}
		for _, lang := range Languages {
			t := r.Texts[lang]
			if t.Title == "" || t.Why == "" || t.Verify == "" || t.Remediation == "" {
				bad = append(bad, fmt.Sprintf("%s: %s text incomplete (title, why, verify, remediation)", r.ID, lang))
			}
		}
		if r.Technique != "" && !strings.HasPrefix(r.Technique, "T") {
			bad = append(bad, fmt.Sprintf("%s: technique %q is not an ATT&CK id", r.ID, r.Technique))
		}
	}
	for _, id := range c.IndicatorIDs() {
		for _, lang := range Languages {
			if c.indicators[id][lang] == "" {
				bad = append(bad, fmt.Sprintf("indicator %s: no %s text", id, lang))
			}
		}
	}
	bad = append(bad, c.validateMessages()...)
	return append(bad, c.validateStyle()...)
}

// NormalizeLang maps a user or locale language string to a supported tag:
// anything starting with "zh" is Chinese, everything else English.
func NormalizeLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(s, "zh") {
		return Chinese
	}
	return English
}

// LangFromEnv picks the language from LC_ALL, LC_MESSAGES and LANG, in
// POSIX precedence order.
func LangFromEnv(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			return NormalizeLang(v)
		}
	}
	return English
}

// Localize fills the human texts of f from its rule in lang.
func (c *Catalog) Localize(f *model.Finding, lang string) {
	r, ok := c.rules[f.RuleID]
	if !ok {
		if f.Title == "" {
			f.Title = f.RuleID
		}
		return
	}
	t := r.Text(lang)
	f.Title, f.Why, f.Verify, f.Remediation = t.Title, t.Why, t.Verify, t.Remediation
	// A match of one of Vigil's own Sigma rules: its title (the subject)
	// in the reader's language (rules/messages/sigma.yaml).
	if id := f.Evidence.Extra["sigma_id"]; id != "" && c.HasMessage("sigma.title."+id) {
		f.Subject = c.T(lang, "sigma.title."+id)
	}
}
