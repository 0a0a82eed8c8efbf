package yara

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// MaxEvidence bounds the evidence text of one finding.
const MaxEvidence = 240

// Finding turns a match on a file (path inside the target) into a finding:
// the catalog rule id of the rule's family, the rule's own severity,
// confidence and ATT&CK technique where it gives them (the catalog's
// defaults otherwise), and as evidence the rule's name and the strings that
// matched (clipped, with offsets). The fingerprint identity is the rule and
// the path, so a file that changes but still matches stays one finding.
func Finding(m Match, path string) model.Finding {
	f := model.Finding{
		RuleID:    m.Rule.RuleID(),
		Subject:   path,
		Technique: m.Rule.Technique,
		Evidence: model.Evidence{
			Path:  path,
			Text:  EvidenceText(m),
			Extra: Extra(m),
		},
		Key: m.Rule.Namespace + ":" + m.Rule.Name + "\x00" + path,
	}
	if m.Rule.SeveritySet {
		f = f.WithSeverity(m.Rule.Severity)
	}
	if m.Rule.ConfSet {
		f = f.WithConfidence(m.Rule.Confidence)
	}
	return f
}

// EvidenceText is the rule's name and its matched strings:
// `Vigil_PHP_Eval_Request: $call@0x1c "eval($_POST['x'])"`, at most
// MaxEvidence bytes; bytes that are not printable text are shown as \xNN.
func EvidenceText(m Match) string {
	var b strings.Builder
	b.WriteString(m.Rule.Name)
	for i, s := range m.Strings {
		if i == 0 {
			b.WriteString(":")
		}
		fmt.Fprintf(&b, " %s@0x%x \"%s\"", s.Name, s.Offset, Printable(s.Data))
	}
	return textclip.Clip(b.String(), MaxEvidence)
}

// Extra is the rule's metadata for the evidence's extra facts.
func Extra(m Match) map[string]string {
	x := map[string]string{"yara_rule": m.Rule.Name}
	if !m.Rule.Builtin {
		x["yara_namespace"] = m.Rule.Namespace
	}
	if m.Rule.Description != "" {
		x["yara_description"] = textclip.Clip(m.Rule.Description, 200)
	}
	if m.Rule.Family != "" {
		x["yara_family"] = m.Rule.Family
	}
	return x
}

// Printable keeps printable text of b and writes every other byte as
// \xNN, so that matched binary data reads safely in a terminal and JSON.
func Printable(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1, r < 0x20 && r != '\t', r == 0x7f, r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&sb, `\x%02x`, b[0])
			n = 1
		default:
			sb.WriteRune(r)
		}
		b = b[n:]
	}
	return sb.String()
}
