package yara

import (
	"strconv"
	"strings"

	libyara "github.com/Velocidex/go-yara"

	"github.com/vigil-ir/vigil/internal/model"
)

// RuleMeta is what a rule says about itself, read from its meta section
// (see the package documentation for the names understood).
type RuleMeta struct {
	Name        string
	Namespace   string
	Builtin     bool // one of Vigil's own rules
	Description string
	Family      string // webshell, miner, ...; "" when not given
	Technique   string // ATT&CK id, "" when not given
	Severity    model.Severity
	SeveritySet bool
	Confidence  model.Confidence
	ConfSet     bool
	Tags        []string
}

// Families are the rule families that have their own catalog rule id
// (files.yara.<family>); any other family, or none, is files.yara.match.
var Families = []string{"webshell", "miner", "reverse-shell", "rootkit", "botnet", "packer", "ransom-note"}

// RuleID is the catalog rule id of a hit of this rule.
func (m RuleMeta) RuleID() string {
	for _, f := range Families {
		if m.Family == f {
			return "files.yara." + f
		}
	}
	return "files.yara.match"
}

func parseMeta(ns, name string, metas []libyara.Meta) RuleMeta {
	m := RuleMeta{Name: name, Namespace: ns, Builtin: ns == BuiltinNamespace}
	score := -1
	for _, kv := range metas {
		key := strings.ToLower(kv.Identifier)
		s, isString := kv.Value.(string)
		switch key {
		case "description":
			if isString {
				m.Description = s
			}
		case "family":
			if isString {
				m.Family = strings.ToLower(strings.TrimSpace(s))
			}
		case "technique", "mitre_att", "attack", "mitre_attack":
			if isString && m.Technique == "" {
				m.Technique = strings.ToUpper(strings.TrimSpace(s))
			}
		case "severity":
			if v, err := model.ParseSeverity(metaString(kv.Value)); err == nil && v <= model.Critical {
				m.Severity, m.SeveritySet = v, true
			}
		case "score":
			score = metaInt(kv.Value)
		case "confidence":
			switch strings.ToLower(metaString(kv.Value)) {
			case "low":
				m.Confidence, m.ConfSet = model.ConfLow, true
			case "medium":
				m.Confidence, m.ConfSet = model.ConfMedium, true
			case "high":
				m.Confidence, m.ConfSet = model.ConfHigh, true
			}
		}
	}
	if !m.SeveritySet && score >= 0 {
		m.Severity, m.SeveritySet = scoreSeverity(score), true
	}
	return m
}

// scoreSeverity maps a LOKI/THOR score (0-100) to a severity, as those
// tools read it: 40 notice, 60 warning, 75 alert (here medium/high).
func scoreSeverity(score int) model.Severity {
	switch {
	case score >= 90:
		return model.Critical
	case score >= 75:
		return model.High
	case score >= 60:
		return model.Medium
	case score >= 40:
		return model.Low
	}
	return model.Info
}

func metaString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case int32, int64, int:
		return strconv.Itoa(metaInt(v))
	}
	return ""
}

func metaInt(v any) int {
	switch x := v.(type) {
	case int32:
		return int(x)
	case int64:
		return int(x)
	case int:
		return x
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		if err == nil {
			return n
		}
	}
	return -1
}
