package catalog

import (
	"fmt"
	"strings"
	"unicode"
)

// Chinese text style (docs/architecture.md, "Findings, words and
// languages"): full-width punctuation next to Chinese characters, and one
// spelling for the terms readers search for.

// badSpellings maps a spelling to the one Vigil uses. Matching is
// case-sensitive where case is the point (webshell, Webshell).
var badSpellings = []struct{ bad, good string }{
	{"反向shell", "反弹 shell"},
	{"反向 shell", "反弹 shell"},
	{"反向Shell", "反弹 shell"},
	{"反弹shell", "反弹 shell"},
	{"反弹Shell", "反弹 shell"},
	{"反弹 Shell", "反弹 shell"},
	{"反弹SHELL", "反弹 shell"},
	{"webshell", "WebShell"},
	{"Webshell", "WebShell"},
	{"WEBSHELL", "WebShell"},
	{"web shell", "WebShell"},
	{"Web shell", "WebShell"},
	{"Web Shell", "WebShell"},
	{"规则id", "规则 ID"},
	{"规则ID", "规则 ID"},
	{"规则 id", "规则 ID"},
	{"规则Id", "规则 ID"},
}

// fullWidth maps the ASCII punctuation that must be full-width next to
// Chinese text.
var fullWidth = map[rune]rune{',': '，', ';': '；', ':': '：', '(': '（', ')': '）'}

// isHan reports whether r is a Chinese character.
func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// isCJK reports whether r is a Chinese character or full-width punctuation
// other than the brackets （）, which may enclose code with ASCII brackets:
// "（eval($_POST...)）".
func isCJK(r rune) bool {
	return isHan(r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef && r != '（' && r != '）')
}

// ChineseStyle returns the style defects of a zh-CN text: ASCII , ; : (
// next to Chinese text, ASCII ) after Chinese text or before a Chinese
// character (spaces between them ignored; code such as "eval($_POST)、" is
// left alone), and inconsistent spellings.
func ChineseStyle(s string) []string {
	var bad []string
	rs := []rune(s)
	for i, r := range rs {
		if _, ok := fullWidth[r]; !ok {
			continue
		}
		after := neighbourCJK(rs, i, +1)
		if r == ')' {
			after = neighbourIs(rs, i, +1, isHan)
		}
		if neighbourCJK(rs, i, -1) || after {
			bad = append(bad, fmt.Sprintf("ASCII %q next to Chinese text, use %q: …%s…", r, fullWidth[r], excerpt(rs, i)))
		}
	}
	for _, sp := range badSpellings {
		if strings.Contains(s, sp.bad) {
			bad = append(bad, fmt.Sprintf("spelling %q: write %q", sp.bad, sp.good))
		}
	}
	return bad
}

// neighbourCJK reports whether the nearest non-space rune from i in
// direction dir is Chinese.
func neighbourCJK(rs []rune, i, dir int) bool { return neighbourIs(rs, i, dir, isCJK) }

// neighbourIs reports whether the nearest non-space rune from i in
// direction dir satisfies is.
func neighbourIs(rs []rune, i, dir int, is func(rune) bool) bool {
	for j := i + dir; j >= 0 && j < len(rs); j += dir {
		if rs[j] != ' ' && rs[j] != '\n' {
			return is(rs[j])
		}
	}
	return false
}

func excerpt(rs []rune, i int) string {
	return string(rs[max(0, i-6):min(len(rs), i+7)])
}

// validateStyle checks every zh-CN text of the catalog.
func (c *Catalog) validateStyle() []string {
	var bad []string
	check := func(where, s string) {
		for _, d := range ChineseStyle(s) {
			bad = append(bad, where+": "+d)
		}
	}
	for _, r := range c.Rules() {
		t := r.Texts[Chinese]
		for field, s := range map[string]string{"title": t.Title, "why": t.Why, "verify": t.Verify, "remediation": t.Remediation} {
			check(fmt.Sprintf("%s (%s) zh-CN %s", r.ID, r.File, field), s)
		}
	}
	for _, id := range c.IndicatorIDs() {
		check("indicator "+id+" zh-CN", c.indicators[id][Chinese])
	}
	for _, id := range c.MessageIDs() {
		check(fmt.Sprintf("message %s (%s) zh-CN", id, c.msgFile[id]), c.messages[id][Chinese])
	}
	return bad
}
