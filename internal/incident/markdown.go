package incident

import (
	"strings"
)

// Text from the examined system and from people (log lines, evidence,
// paths, notes, the case title) goes into the Markdown report as text,
// never as Markdown: a `|` must not end a table cell, `*` or `_` must not
// start emphasis, `<script>` must not become HTML, a backtick must not
// open code, a newline must not end a list item or a table row, and a
// leading `#`, `-` or `1.` must not make a heading or a list. (goldmark
// drops raw HTML anyway; the Markdown file is also read as it is.)

// mdEscaper backslash-escapes the ASCII punctuation CommonMark gives a
// meaning inside a line (any ASCII punctuation may be escaped).
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`,
	"|", `\|`, "~", `\~`, "&", `\&`, "!", `\!`,
)

// mdText is s as literal Markdown text on one line.
func mdText(s string) string {
	s = mdEscaper.Replace(oneLine(s))
	// What would open a block at the start of a line: a heading, a list
	// item, a quote (escaped above), a setext underline or a thematic break.
	if s != "" && strings.ContainsRune("#-+=", rune(s[0])) {
		return `\` + s
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && (s[i] == '.' || s[i] == ')') {
		return s[:i] + `\` + s[i:]
	}
	return s
}

// mdCode is s as a Markdown code span on one line: the fence is longer
// than any run of backticks in s, and padded when s starts or ends with
// one. (Not for table cells: a `|` there needs escaping even in code.)
func mdCode(s string) string {
	s = oneLine(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || s == "" {
		s = " " + s + " "
	}
	return fence + s + fence
}

// oneLine folds every run of white space (newlines too) into one space and
// drops control characters.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
