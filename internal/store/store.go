package store

import (
	"context"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/suppress"
)

// Store is scan history, finding state, suppressions and the audit trail.
// Implementations are safe for concurrent use.
type Store interface {
	// SaveScan records a whole scan in one transaction and updates the
	// state of its findings for the target.
	SaveScan(ctx context.Context, r *model.Result, opt SaveOptions) (ScanInfo, error)
	// Scans lists scans, newest first.
	Scans(ctx context.Context, q ScanQuery) ([]ScanInfo, error)
	// Scan finds one scan by reference: its number, its uid, or "latest".
	Scan(ctx context.Context, ref string) (ScanInfo, error)
	// Reference returns the scan new findings are judged against for a
	// target: its newest baseline scan before the scan numbered before (0:
	// any), else its newest scan before it. ok is false when there is none.
	// Only runs of the same kind (model.ScanMeta.Kind) are considered.
	Reference(ctx context.Context, kind, targetKey string, before int64) (info ScanInfo, ok bool, err error)
	// OtherTargetReference returns the scan --new would judge against if
	// the target were the same: the newest baseline, else the newest scan,
	// of the machine machineKey saved under another target than targetKey
	// (the live host and an image of it, or another copy of its disk).
	OtherTargetReference(ctx context.Context, kind, machineKey, targetKey string) (info ScanInfo, ok bool, err error)
	// Previous returns the newest scan of the same target and kind before id.
	Previous(ctx context.Context, id int64) (info ScanInfo, ok bool, err error)
	// Result loads a saved scan for replay.
	Result(ctx context.Context, id int64) (*model.Result, error)
	// Findings queries stored findings with their state.
	Findings(ctx context.Context, q FindingQuery) ([]FindingRecord, error)
	// ResolveFingerprint expands a unique fingerprint prefix.
	ResolveFingerprint(ctx context.Context, prefix string) (string, error)

	// Suppressions lists suppressions (active only unless all). Expiries
	// not yet recorded are written to the audit trail on the way, as who.
	Suppressions(ctx context.Context, all bool, who Actor) ([]suppress.Suppression, error)
	// AddSuppression validates and records s, with an audit entry.
	AddSuppression(ctx context.Context, s suppress.Suppression, who Actor) (int64, error)
	// RemoveSuppression withdraws suppression id (kept for the record).
	RemoveSuppression(ctx context.Context, id int64, reason string, who Actor) error
	// ImportSuppressions adds every entry of list not already present with
	// the same scope, in one transaction, auditing each; source names the
	// file. Expired entries are skipped.
	ImportSuppressions(ctx context.Context, list []suppress.Suppression, source string, who Actor) (added, skipped int, err error)
	// Audit lists the audit trail, oldest first.
	Audit(ctx context.Context) ([]AuditEntry, error)

	// Path is where the store lives, for messages.
	Path() string
	Close() error
}

// SaveOptions tune SaveScan.
type SaveOptions struct {
	// Baseline marks the scan as the target's known-good state.
	Baseline bool
}

// ScanInfo is one saved scan without its findings.
type ScanInfo struct {
	ID         int64                  `json:"id"`
	UID        string                 `json:"uid"` // the id the scan printed (scan.id in its JSON)
	Started    time.Time              `json:"started"`
	Finished   time.Time              `json:"finished"`
	Root       string                 `json:"target_root"`
	Live       bool                   `json:"live"`
	TargetKey  string                 `json:"target_key"`  // the target's identity (model.TargetInfo.ID): live host or root path, with MachineKey
	MachineKey string                 `json:"machine_key"` // the fingerprints' target key (model.TargetInfo.Key): machine id, else hostname
	Hostname   string                 `json:"hostname,omitempty"`
	MachineID  string                 `json:"machine_id,omitempty"`
	OS         string                 `json:"os,omitempty"`
	Version    string                 `json:"version"`
	Lang       string                 `json:"lang"`
	Counts     map[model.Severity]int `json:"counts"` // every finding found, suppressed or not
	Total      int                    `json:"total"`
	Suppressed int                    `json:"suppressed"` // hidden from the scan's own output
	Gaps       int                    `json:"gaps"`
	Baseline   bool                   `json:"baseline"`
	Folded     int                    `json:"folded,omitempty"`   // findings folded into per-rule aggregates
	Kind       string                 `json:"kind"`               // the command that made the run (model.KindScan ...)
	Operator   string                 `json:"operator,omitempty"` // who ran it
}

// Target is what the scan examined.
func (s ScanInfo) Target() model.TargetInfo {
	return model.TargetInfo{Root: s.Root, Live: s.Live, Hostname: s.Hostname, OS: s.OS, MachineID: s.MachineID}
}

// Duration is how long the scan ran.
func (s ScanInfo) Duration() time.Duration { return s.Finished.Sub(s.Started) }

// ScanQuery filters Scans.
type ScanQuery struct {
	TargetKey string // "" for every target
	Limit     int    // 0: no limit
}

// Finding states across scans of one target.
const (
	StateOpen = "open" // seen in the target's newest scan that ran its check
	StateGone = "gone" // not seen since a scan that ran its check
)

// FindingQuery filters Findings. Without ScanID it returns one record per
// distinct finding (target and fingerprint) with its newest occurrence.
type FindingQuery struct {
	ScanID      int64
	TargetKey   string
	Rule        string         // exact rule id or rule glob
	MinSeverity model.Severity // of the occurrence returned
	Path        string         // path glob on evidence path (or subject)
	State       string         // StateOpen, StateGone or "" for both
	Limit       int            // 0: no limit
}

// FindingRecord is one stored finding with its history.
type FindingRecord struct {
	ScanID    int64         `json:"scan_id"`
	TargetKey string        `json:"target_key"`
	State     string        `json:"state"`
	FirstSeen time.Time     `json:"first_seen"`
	LastSeen  time.Time     `json:"last_seen"`
	GoneSince time.Time     `json:"gone_since,omitzero"`
	Finding   model.Finding `json:"finding"`
}

// Actor is who does something recorded in the audit trail.
type Actor struct {
	User     string `json:"os_user"`             // the OS account running vigil
	SudoUser string `json:"sudo_user,omitempty"` // $SUDO_USER: the person behind sudo
}

// String is "user" or "user (sudo: person)".
func (a Actor) String() string {
	if a.SudoUser != "" && a.SudoUser != a.User {
		return a.User + " (sudo: " + a.SudoUser + ")"
	}
	return a.User
}

// Audit actions.
const (
	ActionAdd    = "add"
	ActionRemove = "remove"
	ActionImport = "import"
	ActionExpire = "expire"
)

// AuditEntry is one line of the append-only audit trail.
type AuditEntry struct {
	ID            int64     `json:"id"`
	At            time.Time `json:"at"`
	Actor         Actor     `json:"actor"`
	Action        string    `json:"action"`
	SuppressionID int64     `json:"suppression_id,omitempty"`
	Detail        string    `json:"detail"`
	Reason        string    `json:"reason,omitempty"`
}
