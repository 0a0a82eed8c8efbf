package evidence

import (
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// Format names the archive layout and manifest schema.
const Format = "vigil-evidence/1"

// Names of the archive's own entries: the manifest and its signature come
// last, after every item they describe.
const (
	ManifestName  = "manifest.json"
	SignatureName = "manifest.sig"
)

// Sections of a collection, in order of volatility (RFC 3227).
const (
	SectionVolatile    = "volatile"
	SectionLogs        = "logs"
	SectionConfig      = "config"
	SectionPersistence = "persistence"
	SectionHistory     = "history"
	SectionPackages    = "packages"
	SectionStaging     = "staging"
	SectionWeb         = "web"
	SectionFlagged     = "flagged" // what the scans flagged, not already in a place above
)

// Item kinds.
const (
	KindFile      = "file"      // a regular file of the target
	KindSymlink   = "symlink"   // a symbolic link (its destination, no content)
	KindGenerated = "generated" // written by Vigil from what it read (processes.json ...)
	KindKernel    = "kernel"    // a kernel file (/proc), read whole
)

// Manifest describes one collection: who, what, when, and every item with
// its SHA-256, including those skipped and why.
type Manifest struct {
	Format    string     `json:"format"`
	Tool      string     `json:"tool"`
	Version   string     `json:"version"`
	Command   []string   `json:"command"`
	Profile   string     `json:"profile"`
	Case      string     `json:"case,omitempty"` // the incident case open when collected
	Target    TargetInfo `json:"target"`
	Collector Collector  `json:"collector"`
	Started   time.Time  `json:"started"`
	Finished  time.Time  `json:"finished"`
	Secrets   bool       `json:"secrets"` // secrets were collected (--secrets)
	// EncryptedTo lists the public keys the archive was encrypted to (age).
	EncryptedTo []string     `json:"encrypted_to,omitempty"`
	Footprint   Footprint    `json:"footprint"`
	Items       []Item       `json:"items"`
	Skipped     []Skipped    `json:"skipped"`
	Mounts      []MountCross `json:"mounts_crossed,omitempty"`
	Memory      []Skipped    `json:"memory,omitempty"` // which memory source worked, or why none did
	// Programs are the programs persistence entries run, and the entry
	// naming each (section programs when not collected elsewhere).
	Programs []RunBy `json:"persistence_programs,omitempty"`
	Totals   Totals  `json:"totals"`
}

// TargetInfo is what was collected from.
type TargetInfo struct {
	model.TargetInfo
}

// Collector is the machine and person that ran the collection.
type Collector struct {
	Hostname string `json:"hostname"`
	User     string `json:"user"`
	SudoUser string `json:"sudo_user,omitempty"`
}

// Footprint is what Vigil itself did on the machine it ran on.
type Footprint struct {
	PID          int      `json:"pid"`
	FilesWritten []string `json:"files_written,omitempty"` // the archive, a new signing key
	Note         string   `json:"note,omitempty"`
}

// Item is one entry of the archive.
type Item struct {
	Name    string         `json:"name"`           // entry name in the archive
	Path    string         `json:"path,omitempty"` // path on the target
	Section string         `json:"section"`
	Kind    string         `json:"kind"`
	Size    int64          `json:"size"`
	Mode    string         `json:"mode,omitempty"`
	UID     int            `json:"uid"`
	GID     int            `json:"gid"`
	Owner   string         `json:"owner,omitempty"`
	Group   string         `json:"group,omitempty"`
	Mtime   time.Time      `json:"mtime,omitzero"`
	Ctime   time.Time      `json:"ctime,omitzero"`
	Atime   time.Time      `json:"atime,omitzero"`
	Link    string         `json:"link,omitempty"` // symlink destination
	SHA256  string         `json:"sha256,omitempty"`
	Secret  bool           `json:"secret,omitempty"`
	Note    *model.Message `json:"note,omitempty"` // e.g. the file changed while it was read
}

// Skipped is a place or file that was not collected, with the reason.
type Skipped struct {
	Path    string        `json:"path"`
	Section string        `json:"section"`
	Reason  model.Message `json:"reason"`
	Text    string        `json:"text,omitempty"` // the reason in English
}

// MountCross is a directory on another filesystem than its parent that a
// collection walked into (a separate /var, /var/log, /home ...).
type MountCross struct {
	Path   string `json:"path"`
	Device string `json:"device"` // major:minor
}

// Totals count the collection.
type Totals struct {
	Items   int   `json:"items"`
	Bytes   int64 `json:"bytes"` // content bytes before compression
	Skipped int   `json:"skipped"`
}

// Signature is the content of manifest.sig: an Ed25519 signature of the
// exact bytes of manifest.json.
type Signature struct {
	Algorithm string `json:"algorithm"`  // "ed25519"
	PublicKey string `json:"public_key"` // base64
	Signature string `json:"signature"`  // base64
}
