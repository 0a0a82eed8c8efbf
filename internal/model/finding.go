package model

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// NoPackage is the Evidence.Package value for a file that no installed
// package owns. An empty Package means ownership was not looked up.
const NoPackage = "-"

// Evidence is what a finding points at: enough for a responder to go and
// look (path and line, pid, user, hash) and for a later scan to recognise the
// same object again.
//
// Text is data: the offending line or value, shown as it is. When a check
// has to describe the evidence in words ("X is empty but was modified after
// it was created"), it sets Note to a message id with its arguments instead;
// the engine then fills Text with Note's English rendering, for JSON readers
// and so that the fingerprint does not depend on the reader's language.
type Evidence struct {
	Path    string            `json:"path,omitempty"`    // as seen inside the target
	Line    int               `json:"line,omitempty"`    // 1-based line number in Path
	Text    string            `json:"text,omitempty"`    // the offending line or value (data: never translated); with Note, Note's English rendering
	Note    Message           `json:"note,omitzero"`     // the detector's prose about the evidence, rendered in the reader's language
	PID     int               `json:"pid,omitempty"`     // live process id
	User    string            `json:"user,omitempty"`    // account it concerns or runs as
	SHA256  string            `json:"sha256,omitempty"`  // content hash of Path
	MTime   *time.Time        `json:"mtime,omitempty"`   // modification time of Path
	Package string            `json:"package,omitempty"` // owning package, NoPackage, or "" if not looked up
	When    string            `json:"when,omitempty"`    // boot, login, schedule, event, running, ...
	Extra   map[string]string `json:"extra,omitempty"`   // detector-specific facts
}

// Finding is one graded observation. Detectors fill RuleID, Subject,
// Evidence and, where they know better than the catalog's default, Severity
// and Confidence; the engine fills the rest (catalog texts, fingerprint,
// detector provenance).
type Finding struct {
	RuleID      string     `json:"rule_id"`
	Severity    Severity   `json:"severity"`
	Confidence  Confidence `json:"confidence"`
	Category    string     `json:"category"`
	Technique   string     `json:"attack_technique,omitempty"`
	Title       string     `json:"title"`
	Subject     string     `json:"subject"`              // the object: a path, an account, "pid 42 (/tmp/x)"
	Indicators  []string   `json:"indicators,omitempty"` // ids of what matched, e.g. "download-exec"
	Evidence    Evidence   `json:"evidence"`
	Why         string     `json:"why,omitempty"`
	Verify      string     `json:"verify,omitempty"`
	Remediation string     `json:"remediation,omitempty"`
	Fingerprint string     `json:"fingerprint"`
	Detector    string     `json:"detector,omitempty"` // name@version of the plugin
	// Folded, on the aggregate finding of a rule that fired more often than
	// a scan reports (rule scan.flood.folded), counts the findings it
	// stands for that were not reported one by one.
	Folded int `json:"folded,omitempty"`
	// Key, when set by the detector, replaces the default identity used for
	// the fingerprint (Subject, Evidence.Path and Evidence.Text). Set it when
	// those contain volatile parts such as a pid.
	Key string `json:"-"`
	// SeveritySet and ConfidenceSet record that the detector chose the
	// grade itself, so the catalog default must not override it.
	SeveritySet   bool `json:"-"`
	ConfidenceSet bool `json:"-"`
}

// WithSeverity sets the severity chosen by the detector.
func (f Finding) WithSeverity(s Severity) Finding {
	f.Severity, f.SeveritySet = s, true
	return f
}

// WithConfidence sets the confidence chosen by the detector.
func (f Finding) WithConfidence(c Confidence) Finding {
	f.Confidence, f.ConfidenceSet = c, true
	return f
}

// IdentityKey is the normalised identity of the finding's object: what makes
// two scans' findings "the same problem". It never contains times or pids.
func (f *Finding) IdentityKey() string {
	if f.Key != "" {
		return f.Key
	}
	return f.Subject + "\x00" + f.Evidence.Path + "\x00" + strings.Join(strings.Fields(f.Evidence.Text), " ")
}

// Fingerprint returns a stable id for (rule, target, identity).
func Fingerprint(ruleID, targetKey, identity string) string {
	h := sha256.New()
	h.Write([]byte(ruleID))
	h.Write([]byte{0})
	h.Write([]byte(targetKey))
	h.Write([]byte{0})
	h.Write([]byte(identity))
	return hex.EncodeToString(h.Sum(nil))[:20]
}
