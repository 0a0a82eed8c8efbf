package catalog

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vigil-ir/vigil/internal/model"
)

// Messages are all prose that is not a rule's text: gap reasons, notes
// about evidence, the CLI's help, notices, errors and table words. They
// live in messages/*.yaml (one file per area), each a map
//
//	id:
//	  en: "text with %s arguments"
//	  zh-CN: "带 %s 参数的文本"
//
// Arguments are text (model.Msg formats them), so the only verbs are %s
// and %[n]s (and %% for a percent sign); both languages use the same
// arguments, in any order.

// addMessages reads every messages/*.yaml of fsys.
func (c *Catalog) addMessages(fsys fs.FS) error {
	files, err := fs.Glob(fsys, "messages/*.yaml")
	if err != nil {
		return err
	}
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		var m map[string]map[string]string
		dec := yaml.NewDecoder(bytes.NewReader(b))
		if err := dec.Decode(&m); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for id, texts := range m {
			if prev, dup := c.msgFile[id]; dup {
				return fmt.Errorf("%s: message %s already defined in %s", name, id, prev)
			}
			for lang := range texts {
				if lang != English && lang != Chinese {
					return fmt.Errorf("%s: message %s: unknown language %q", name, id, lang)
				}
			}
			c.messages[id] = texts
			c.msgFile[id] = path.Base(name)
		}
	}
	return nil
}

// Message renders m in lang (English when lang has no text). An id the
// catalog does not know renders as the id and its arguments, so that it
// shows rather than vanishes; the catalog tests fail on such an id.
func (c *Catalog) Message(lang string, m model.Message) string {
	texts, ok := c.messages[m.ID]
	if !ok {
		return m.String()
	}
	s := texts[lang]
	if s == "" {
		s = texts[English]
	}
	if len(m.Args) == 0 && !strings.Contains(s, "%") {
		return s
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		args[i] = a
	}
	return fmt.Sprintf(s, args...)
}

// T renders the message id with args in lang: the short form for code that
// prints at once (the CLI), where Message is for stored prose.
func (c *Catalog) T(lang, id string, args ...any) string {
	return c.Message(lang, model.Msg(id, args...))
}

// HasMessage reports whether id is in the catalog.
func (c *Catalog) HasMessage(id string) bool {
	_, ok := c.messages[id]
	return ok
}

// MessageIDs returns every message id, sorted.
func (c *Catalog) MessageIDs() []string { return slices.Sorted(maps.Keys(c.messages)) }

// MessageArity returns how many arguments the message id takes (from its
// English text).
func (c *Catalog) MessageArity(id string) int {
	n, _ := arity(c.messages[id][English])
	return n
}

// validateMessages checks that every message has both languages, uses only
// %s verbs and takes the same arguments in both.
func (c *Catalog) validateMessages() []string {
	var bad []string
	for _, id := range c.MessageIDs() {
		texts := c.messages[id]
		want := -1
		for _, lang := range Languages {
			s := texts[lang]
			if strings.TrimSpace(s) == "" {
				bad = append(bad, fmt.Sprintf("message %s (%s): no %s text", id, c.msgFile[id], lang))
				continue
			}
			n, err := arity(s)
			if err != nil {
				bad = append(bad, fmt.Sprintf("message %s (%s) %s: %v", id, c.msgFile[id], lang, err))
				continue
			}
			if want >= 0 && n != want {
				bad = append(bad, fmt.Sprintf("message %s (%s): %s takes %d arguments, en %d", id, c.msgFile[id], lang, n, want))
			}
			if want < 0 {
				want = n
			}
		}
	}
	return bad
}

// arity counts the arguments a text takes, and refuses verbs other than %s.
func arity(s string) (int, error) {
	n, next := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		i++
		if i >= len(s) {
			return 0, fmt.Errorf("trailing %%")
		}
		if s[i] == '%' {
			continue
		}
		if s[i] == '[' {
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return 0, fmt.Errorf("unclosed %%[")
			}
			k, err := strconv.Atoi(s[i+1 : i+end])
			if err != nil || k < 1 {
				return 0, fmt.Errorf("bad argument index %q", s[i:i+end+1])
			}
			next = k - 1
			i += end + 1
		}
		// flags and width (%-10s) are allowed; the verb must be s.
		for i < len(s) && strings.IndexByte("-+# 0123456789", s[i]) >= 0 {
			i++
		}
		if i >= len(s) || s[i] != 's' {
			return 0, fmt.Errorf("only %%s verbs are allowed (arguments are text)")
		}
		next++
		n = max(n, next)
	}
	return n, nil
}

// EvidenceText is the evidence line a person reads: the detector's note in
// lang when it wrote one, else the raw text (data, shown as it is).
func (c *Catalog) EvidenceText(lang string, ev model.Evidence) string {
	if c != nil && !ev.Note.IsZero() {
		return c.Message(lang, ev.Note)
	}
	return ev.Text
}

// GapReason is a gap's reason in lang: its message when it has one (scans
// saved before messages had ids keep their English reason).
func (c *Catalog) GapReason(lang string, g model.Gap) string {
	if c != nil && !g.Msg.IsZero() {
		return c.Message(lang, g.Msg)
	}
	return g.Reason
}

// StatusReason is a check status's reason in lang.
func (c *Catalog) StatusReason(lang string, st model.CheckStatus) string {
	if c != nil && !st.Msg.IsZero() {
		return c.Message(lang, st.Msg)
	}
	return st.Reason
}
