package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/termtext"
)

// Options configure rendering.
type Options struct {
	Lang    string
	Catalog *catalog.Catalog // titles; nil leaves them as stored
}

var words = map[string]map[string]string{
	catalog.English: {
		"head":      "Vigil diff",
		"scan":      "scan",
		New:         "New",
		Changed:     "Changed severity",
		Gone:        "Gone",
		Unchecked:   "Not re-checked",
		"unchk_why": "their check did not complete in the newer scan: absence is not proof they are gone",
		"none":      "none",
		"summary":   "Summary",
		"n_new":     "new",
		"n_changed": "changed",
		"n_gone":    "gone",
		"n_unchk":   "not re-checked",
		"n_same":    "unchanged",
		"n_supp":    "suppressed",
		"fp":        "fingerprint",
		"live":      "live host",
		"root":      "root",
	},
	catalog.Chinese: {
		"head":      "Vigil 扫描对比",
		"scan":      "扫描",
		New:         "新增",
		Changed:     "等级变化",
		Gone:        "已消失",
		Unchecked:   "未复查",
		"unchk_why": "较新的扫描中相应检查未完成:未出现不代表已清除",
		"none":      "无",
		"summary":   "汇总",
		"n_new":     "新增",
		"n_changed": "等级变化",
		"n_gone":    "已消失",
		"n_unchk":   "未复查",
		"n_same":    "未变化",
		"n_supp":    "已忽略",
		"fp":        "指纹",
		"live":      "在线主机",
		"root":      "根目录",
	},
}

func word(lang, k string) string {
	if s := words[lang][k]; s != "" {
		return s
	}
	return words[catalog.English][k]
}

func (o Options) localize(r *Report) {
	if o.Catalog == nil {
		return
	}
	for _, l := range [][]Entry{r.Added, r.Gone, r.Changed, r.Unchecked} {
		for i := range l {
			o.Catalog.Localize(&l[i].Finding, o.Lang)
		}
	}
}

// WriteJSON writes the report as one JSON document; finding texts follow
// opt.Lang, keys and enum values do not.
func WriteJSON(w io.Writer, r *Report, opt Options) error {
	c := *r
	c.Added, c.Gone, c.Changed, c.Unchecked = clone(r.Added), clone(r.Gone), clone(r.Changed), clone(r.Unchecked)
	opt.localize(&c)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(c)
}

func clone(l []Entry) []Entry { return append([]Entry{}, l...) }

// WriteTable writes the report for a person, in opt.Lang.
func WriteTable(w io.Writer, r *Report, opt Options) error {
	lang := opt.Lang
	c := *r
	c.Added, c.Gone, c.Changed, c.Unchecked = clone(r.Added), clone(r.Gone), clone(r.Changed), clone(r.Unchecked)
	opt.localize(&c)
	var b strings.Builder
	hosts := host(c.New.Meta.Target)
	if o := host(c.Old.Meta.Target); o != hosts {
		hosts = o + " → " + hosts
	}
	fmt.Fprintf(&b, "%s: %s → %s — %s\n", word(lang, "head"), side(lang, c.Old), side(lang, c.New), hosts)
	sevW := 8
	for _, l := range [][]Entry{c.Added, c.Changed, c.Gone, c.Unchecked} {
		for _, e := range l {
			sevW = max(sevW, termtext.Width(sevCell(lang, e)))
		}
	}
	for _, sec := range []struct {
		kind string
		l    []Entry
	}{{New, c.Added}, {Changed, c.Changed}, {Gone, c.Gone}, {Unchecked, c.Unchecked}} {
		fmt.Fprintf(&b, "\n%s (%d)\n", word(lang, sec.kind), len(sec.l))
		if sec.kind == Unchecked && len(sec.l) > 0 {
			fmt.Fprintf(&b, "  (%s)\n", word(lang, "unchk_why"))
		}
		if len(sec.l) == 0 {
			fmt.Fprintf(&b, "  %s\n", word(lang, "none"))
		}
		for _, e := range sec.l {
			f := e.Finding
			cell := sevCell(lang, e)
			fmt.Fprintf(&b, "  %s%s  %s  %s  %s\n", cell, strings.Repeat(" ", sevW-termtext.Width(cell)), f.RuleID, termtext.OneLine(location(f)), termtext.OneLine(f.Title))
			if txt := termtext.OneLine(f.Evidence.Text); txt != "" {
				fmt.Fprintf(&b, "  %s  > %s\n", strings.Repeat(" ", sevW), termtext.Truncate(txt, 160))
			}
			fmt.Fprintf(&b, "  %s    %s %s\n", strings.Repeat(" ", sevW), word(lang, "fp"), f.Fingerprint)
		}
	}
	fmt.Fprintf(&b, "\n%s: %d %s, %d %s, %d %s, %d %s, %d %s, %d %s\n", word(lang, "summary"),
		len(c.Added), word(lang, "n_new"), len(c.Changed), word(lang, "n_changed"), len(c.Gone), word(lang, "n_gone"),
		len(c.Unchecked), word(lang, "n_unchk"), c.Unchanged, word(lang, "n_same"), c.Suppressed, word(lang, "n_supp"))
	_, err := io.WriteString(w, b.String())
	return err
}

func sevCell(lang string, e Entry) string {
	s := termtext.Severity(lang, e.Finding.Severity)
	if e.OldSeverity != nil {
		s += " ← " + termtext.Severity(lang, *e.OldSeverity)
	}
	return s
}

func side(lang string, s Side) string {
	where := word(lang, "live")
	if !s.Meta.Target.Live {
		where = word(lang, "root") + " " + termtext.OneLine(s.Meta.Target.Root)
	}
	return fmt.Sprintf("%s %d (%s, %s)", word(lang, "scan"), s.ID, s.Meta.Started.UTC().Format("2006-01-02 15:04 MST"), where)
}

func host(t model.TargetInfo) string {
	h := t.Hostname
	if h == "" {
		h = t.Root
	}
	if t.OS != "" {
		h += " (" + t.OS + ")"
	}
	return termtext.OneLine(h)
}

func location(f model.Finding) string {
	loc := f.Evidence.Path
	if loc == "" {
		loc = f.Subject
	} else if f.Evidence.Line > 0 {
		loc += ":" + strconv.Itoa(f.Evidence.Line)
	}
	return termtext.OneLine(loc)
}
