package model

import "time"

// GapKind says why part of a target was not examined.
type GapKind string

// Gap kinds.
const (
	GapError         GapKind = "error"          // could not be read (permission, I/O, malformed)
	GapSkipped       GapKind = "skipped"        // deliberately not read (too large, FIFO, device, symlink out of root)
	GapNotApplicable GapKind = "not-applicable" // the check cannot run on this kind of target (live-only on --root)
)

// Gap records something the scan did not check, and why. A gap is never
// silent: it is part of the result so that "no findings" is not misread as
// "clean".
//
// Msg is the reason as a message id and arguments (rendered in the reader's
// language); Reason is its English rendering, filled by the engine and kept
// for JSON readers and scans saved before messages had ids.
type Gap struct {
	Check  string  `json:"check"`
	Kind   GapKind `json:"kind"`
	Path   string  `json:"path,omitempty"`
	Reason string  `json:"reason"`
	Msg    Message `json:"message,omitzero"`
}

// TargetInfo identifies what was scanned.
type TargetInfo struct {
	Root      string `json:"root"`                 // "/" for the live host, else the mounted root on the scanning host
	Live      bool   `json:"live"`                 // processes and sockets were examined
	Hostname  string `json:"hostname,omitempty"`   // the target's own hostname (from /etc/hostname on --root)
	OS        string `json:"os,omitempty"`         // PRETTY_NAME from os-release
	MachineID string `json:"machine_id,omitempty"` // /etc/machine-id
}

// Key returns the identity used in fingerprints: the machine id when the
// target has one, so that the live host and an image of it agree.
func (t TargetInfo) Key() string {
	switch {
	case t.MachineID != "":
		return "machine-id:" + t.MachineID
	case t.Hostname != "":
		return "host:" + t.Hostname
	default:
		return "root:" + t.Root
	}
}

// ID is the target's identity in scan history: the live host by its
// machine key, an offline root by its path and machine key. Two roots with
// the same hostname or machine id (two servers, or two copies of one
// machine) are targets of their own, never compared as one unless asked;
// fingerprints keep using Key, so a live scan and an image of the same host
// can still be compared on request.
func (t TargetInfo) ID() string {
	if t.Live {
		return "live|" + t.Key()
	}
	return "root:" + t.Root + "|" + t.Key()
}

// Where is "live" for the live host, else the root path.
func (t TargetInfo) Where() string {
	if t.Live {
		return "live"
	}
	return t.Root
}

// CheckStatus is the outcome of one detector.
type CheckStatus struct {
	Name     string        `json:"name"`
	Version  int           `json:"version"`
	Status   string        `json:"status"`           // ok, not-applicable, failed
	Reason   string        `json:"reason,omitempty"` // English rendering of Msg
	Msg      Message       `json:"message,omitzero"` // why it failed or did not apply
	Findings int           `json:"findings"`
	Duration time.Duration `json:"duration_ns"`
}

// ScanMeta describes one scan run.
type ScanMeta struct {
	ID       string     `json:"id,omitempty"`
	Tool     string     `json:"tool"`
	Version  string     `json:"version"`
	Started  time.Time  `json:"started"`
	Finished time.Time  `json:"finished,omitzero"`
	Target   TargetInfo `json:"target"`
	Lang     string     `json:"lang"`
	// Kind is the command that made the run (KindScan, KindFiles, KindLogs,
	// KindHarden): runs of one kind are history of each other, never of
	// another kind's (a whole-disk file sweep is not a triage's reference).
	Kind string `json:"kind,omitempty"`
	// Operator is who ran it: the OS account, and the person behind sudo.
	Operator string `json:"operator,omitempty"`
}

// Kinds of saved runs (ScanMeta.Kind). "" reads as KindScan.
const (
	KindScan   = "scan"
	KindFiles  = "files"
	KindLogs   = "logs"
	KindHarden = "harden"
)

// RunKind is m's kind, KindScan when unset (runs saved before kinds).
func (m ScanMeta) RunKind() string {
	if m.Kind == "" {
		return KindScan
	}
	return m.Kind
}

// Summary closes a scan: counts by severity, and what was not checked.
type Summary struct {
	Counts     map[Severity]int `json:"counts"`
	Total      int              `json:"total"`
	Suppressed int              `json:"suppressed"`
	// SuppressedCounts counts the suppressed findings by severity, so that
	// what a suppression hides is never out of sight.
	SuppressedCounts map[Severity]int `json:"suppressed_counts,omitempty"`
	// Hidden counts findings not shown by the view's filters (below
	// --min-severity, or already known for --new); they are not counted
	// in Counts or Total.
	Hidden int `json:"hidden,omitempty"`
	// Folded counts findings not reported one by one because their rule
	// fired too often; each such rule has one aggregate finding.
	Folded int           `json:"folded,omitempty"`
	Gaps   int           `json:"gaps"`
	Checks []CheckStatus `json:"checks"`
}

// Result is a whole scan held in memory: what the JSON handler writes and
// what the store replays.
type Result struct {
	SchemaVersion int       `json:"schema_version"`
	Meta          ScanMeta  `json:"scan"`
	Findings      []Finding `json:"findings"`
	Gaps          []Gap     `json:"gaps"`
	Summary       Summary   `json:"summary"`
}

// SchemaVersion is the version of the JSON result format (docs/json-schema.md).
const SchemaVersion = 1
