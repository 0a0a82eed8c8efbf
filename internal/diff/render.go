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

// word renders the diff's fixed word k (rules/messages/diff.yaml, id
// "diff.<k>") in lang.
func word(lang, k string, args ...any) string {
	c, err := catalog.Load()
	if err != nil {
		return k
	}
	return c.T(lang, "diff."+k, args...)
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
	fmt.Fprintf(&b, "%s\n", word(lang, "head", side(lang, c.Old), side(lang, c.New), hosts))
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
		fmt.Fprintf(&b, "\n%s\n", word(lang, "section."+sec.kind, len(sec.l)))
		if sec.kind == Unchecked && len(sec.l) > 0 {
			fmt.Fprintf(&b, "  %s\n", word(lang, "unchk_why"))
		}
		if len(sec.l) == 0 {
			fmt.Fprintf(&b, "  %s\n", word(lang, "none"))
		}
		for _, e := range sec.l {
			f := e.Finding
			cell := sevCell(lang, e)
			fmt.Fprintf(&b, "  %s%s  %s  %s  %s\n", cell, strings.Repeat(" ", sevW-termtext.Width(cell)), f.RuleID, termtext.OneLine(location(f)), termtext.OneLine(f.Title))
			if txt := termtext.OneLine(opt.Catalog.EvidenceText(lang, f.Evidence)); txt != "" {
				fmt.Fprintf(&b, "  %s  > %s\n", strings.Repeat(" ", sevW), termtext.Truncate(txt, 160))
			}
			fmt.Fprintf(&b, "  %s    %s\n", strings.Repeat(" ", sevW), word(lang, "fp", f.Fingerprint))
		}
	}
	fmt.Fprintf(&b, "\n%s\n", word(lang, "summary", len(c.Added), len(c.Changed), len(c.Gone), len(c.Unchecked), c.Unchanged, c.Suppressed))
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
		where = word(lang, "root", termtext.OneLine(s.Meta.Target.Root))
	}
	return word(lang, "scan", s.ID, s.Meta.Started.UTC().Format("2006-01-02 15:04 MST"), where)
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
