package files

import (
	"io/fs"
	"time"

	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
)

// Meta is what the walk knows of a file before reading it.
type Meta struct {
	Path    string       // target path ("/var/www/html/x.php"); may hold bytes that are not UTF-8
	Name    string       // base name
	Dir     string       // target path of the directory
	Root    string       // the start path the walk found it under
	Size    int64        // bytes
	Mode    fs.FileMode  // permission and type bits
	ModTime time.Time    // modification time
	Ctime   time.Time    // inode change time (set by the kernel: not forged by touch)
	UID     uint32       // owner
	GID     uint32       // group
	Dev     uint64       // st_dev
	Ino     uint64       // st_ino
	Blocks  int64        // 512-byte blocks allocated (a sparse file has few)
	Place   places.Place // temporary / hidden / masquerading place (internal/grade/places)
}

// Hash selects digests beyond SHA-256.
type Hash uint8

// Digests a matcher may ask for besides SHA-256 (Want.Digest).
const (
	MD5 Hash = 1 << iota
	SHA1
)

// Want is what a matcher needs of a file. The zero value means nothing.
type Want struct {
	Content bool // the content prefix (up to Options.ContentCap bytes)
	Hashes  Hash // extra digests (MD5, SHA1), with SHA-256, before Match
	Digest  bool // SHA-256 before Match (hash IOCs); without Content: only the digests
}

// Any reports whether the matcher wants the file at all.
func (w Want) Any() bool { return w.Content || w.Digest || w.Hashes != 0 }

// File is a file read once for every matcher that wanted it.
type File struct {
	Meta
	// Content is the file's first bytes, at most Options.ContentCap, when a
	// matcher asked for content; valid only during Match.
	Content []byte
	// Truncated is true when the file is larger than Content.
	Truncated bool
	// Tail is the end of a file larger than the content limit (at most
	// Options.TailCap bytes, after Content), starting at TailOffset: what is
	// appended to a big image or archive is matched too. The bytes between
	// Content and Tail are hashed, never matched (a gap counts them).
	// Valid only during Match.
	Tail       []byte
	TailOffset int64
	// SHA256 is the hex digest of the whole file when a matcher asked for
	// digests ("" otherwise, or when the file was too large or sparse to
	// hash within the budget: see Coverage).
	SHA256 string
	// MD5 and SHA1 are hex digests when some matcher asked for them.
	MD5, SHA1 string
}

// Hit is one match: a rule id and its evidence.
type Hit struct {
	Rule string // rule id (catalog entry in rules/checks)
	// Path is the file; empty means the file being matched.
	Path string
	// Line is the 1-based line of the match (0 when not line-based).
	Line int
	// Offset is the byte offset of the match (-1 or 0 when unknown).
	Offset int64
	// Text is the matched text; the walk clips it (internal/textclip).
	Text string
	// Severity and Confidence override the catalog's defaults when Graded
	// is set (the matcher graded this hit itself).
	Severity   model.Severity
	Confidence model.Confidence
	Graded     bool
	// Technique, when set, overrides the catalog's ATT&CK technique (a
	// YARA rule's meta names its own).
	Technique string
	// Indicators are indicator ids (rules/indicators.yaml).
	Indicators []string
	// Note is prose about the evidence as a message id (rules/messages).
	Note model.Message
	// Extra holds matcher-specific facts (the IOC list, the YARA rule ...).
	Extra map[string]string
	// SHA256 and ModTime are filled by the walk for the file being matched.
	SHA256  string
	ModTime time.Time
	// Size is the file's size, filled by the walk.
	Size int64
}

// Reporter receives a matcher's hits and gaps.
type Reporter interface {
	Hit(Hit)
	// GapMsg records what the matcher could not judge (target.Recorder).
	GapMsg(kind model.GapKind, path string, m model.Message)
}

// Matcher judges files: Wants from metadata, Match on the content read once.
// Implementations must be safe for concurrent use.
type Matcher interface {
	// Name is the matcher's stable name (for gaps and debug).
	Name() string
	// Rules lists every rule id the matcher can report.
	Rules() []string
	// Wants says, from metadata only, what the matcher needs of the file.
	Wants(m *Meta) Want
	// Match judges the file read once.
	Match(f *File, r Reporter)
}

// Finisher is a Matcher with a judgement over the whole walk, called once
// after every file was matched (hits must set Path).
type Finisher interface {
	Finish(r Reporter)
}
