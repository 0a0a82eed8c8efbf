package yara

import (
	"errors"
	"path"
	"strings"
	"time"

	libyara "github.com/Velocidex/go-yara"
)

// DefaultTimeout bounds the scan of one buffer.
const DefaultTimeout = 30 * time.Second

// MaxStrings is how many matched strings a Match keeps (the first ones, by
// the rule's string order); MaxData is how many bytes of each.
const (
	MaxStrings = 8
	MaxData    = 96
)

// ErrTimeout is returned (wrapped) when a scan ran out of time; the matches
// found until then are still returned.
var ErrTimeout = errors.New("YARA scan timed out")

// errScanTimeout is ERROR_SCAN_TIMEOUT of libyara's error.h.
const errScanTimeout libyara.Error = 26

// StringMatch is one matched string of a rule: its identifier ($a), the
// offset in the scanned buffer (plus the buffer's base, for memory), and
// at most MaxData bytes of what matched.
type StringMatch struct {
	Name   string
	Offset int64
	Data   []byte
	Len    int // bytes libyara kept of the match (Data may be shorter)
}

// Match is one rule that matched a buffer.
type Match struct {
	Rule    RuleMeta
	Strings []StringMatch
}

// FileInfo gives the external variables for one scan (the LOKI/THOR
// names): the path inside the target and the owner's name; the file name,
// extension and type are derived.
type FileInfo struct {
	Path  string
	Owner string
	Type  string // e.g. "ELF", "PHP"; empty when not known
}

// Scanner scans buffers with one compiled rule set. It is not safe for
// concurrent use: each worker takes its own.
type Scanner struct {
	rules   *Rules
	s       *libyara.Scanner
	timeout time.Duration
	cb      collector
	vars    FileInfo
}

// NewScanner makes a scanner for one worker. timeout bounds each scan
// (0: DefaultTimeout).
func (r *Rules) NewScanner(timeout time.Duration) (*Scanner, error) {
	s, err := libyara.NewScanner(r.rules)
	if err != nil {
		return nil, err
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	sc := &Scanner{rules: r, s: s, timeout: timeout}
	s.SetFlags(libyara.ScanFlagsFastMode).SetTimeout(timeout)
	return sc, nil
}

// Close frees the scanner's C memory (a finalizer does it otherwise).
func (s *Scanner) Close() {
	if s.s != nil {
		s.s.Destroy()
		s.s = nil
	}
}

// Scan scans buf. info sets the external variables (zero value: none).
// base is added to the offsets (the address of a memory region; 0 for a
// file). On a timeout the matches found so far come with an error wrapping
// ErrTimeout.
func (s *Scanner) Scan(buf []byte, info FileInfo, base int64) ([]Match, error) {
	if err := s.setVars(info); err != nil {
		return nil, err
	}
	s.cb = collector{rules: s.rules, base: base}
	s.s.SetCallback(&s.cb)
	return s.cb.out, scanErr(s.s.ScanMem(buf))
}

// ScanFile scans what was read of a file of size bytes: its head (from
// offset 0) and, when the file is larger than the head, its tail starting
// at tailOff (nil: none). Both are one scan, so libyara's `filesize` is the
// file's real size and a rule sees matches of both parts (a string does
// not span the two). A file read whole is scanned as one buffer.
func (s *Scanner) ScanFile(head, tail []byte, tailOff, size int64, info FileInfo) ([]Match, error) {
	if len(tail) == 0 && int64(len(head)) == size {
		return s.Scan(head, info, 0)
	}
	if err := s.setVars(info); err != nil {
		return nil, err
	}
	s.cb = collector{rules: s.rules}
	s.s.SetCallback(&s.cb)
	it := &blocks{size: uint64(max(size, 0))}
	it.add(0, head)
	if tailOff >= int64(len(head)) {
		it.add(tailOff, tail)
	}
	return s.cb.out, scanErr(s.s.ScanMemBlocks(it))
}

// blocks is a file's head and tail as libyara memory blocks, with the
// file's size for `filesize`.
type blocks struct {
	list []libyara.MemoryBlock
	next int
	size uint64
}

func (b *blocks) add(base int64, data []byte) {
	if len(data) == 0 {
		return
	}
	b.list = append(b.list, libyara.MemoryBlock{
		Base:      uint64(base),
		Size:      uint64(len(data)),
		FetchData: func(dst []byte) { copy(dst, data) },
	})
}

// First implements libyara.MemoryBlockIterator.
func (b *blocks) First() *libyara.MemoryBlock { b.next = 0; return b.Next() }

// Next implements libyara.MemoryBlockIterator.
func (b *blocks) Next() *libyara.MemoryBlock {
	if b.next >= len(b.list) {
		return nil
	}
	b.next++
	return &b.list[b.next-1]
}

// Filesize implements libyara.MemoryBlockIteratorWithFilesize.
func (b *blocks) Filesize() uint64 { return b.size }

// scanErr maps libyara's timeout to ErrTimeout.
func scanErr(err error) error {
	var ye libyara.Error
	if errors.As(err, &ye) && ye == errScanTimeout {
		return ErrTimeout
	}
	return err
}

func (s *Scanner) setVars(info FileInfo) error {
	if info == s.vars {
		return nil
	}
	name := path.Base(info.Path)
	if info.Path == "" {
		name = ""
	}
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		ext = strings.ToLower(name[i+1:])
	}
	for k, v := range map[string]string{"filepath": info.Path, "filename": name, "extension": ext, "filetype": info.Type, "owner": info.Owner} {
		if err := s.s.DefineVariable(k, v); err != nil {
			return err
		}
	}
	s.vars = info
	return nil
}

// collector is the scan callback: it keeps each matching rule's metadata
// (looked up in the compiled set's table, not read through cgo again) and
// its first matched strings.
type collector struct {
	rules *Rules
	base  int64
	out   []Match
}

// RuleMatching implements libyara.ScanCallback.
func (c *collector) RuleMatching(sc *libyara.ScanContext, r *libyara.Rule) (bool, error) {
	ns, name := r.Namespace(), r.Identifier()
	m, ok := c.rules.meta[ns+"\x00"+name]
	if !ok {
		m = RuleMeta{Name: name, Namespace: ns}
	}
	match := Match{Rule: m}
strings:
	for _, str := range r.Strings() {
		for _, hit := range str.Matches(sc) {
			if len(match.Strings) == MaxStrings {
				break strings
			}
			data := hit.Data()
			n := len(data)
			if len(data) > MaxData {
				data = data[:MaxData]
			}
			match.Strings = append(match.Strings, StringMatch{
				Name:   str.Identifier(),
				Offset: c.base + hit.Base() + hit.Offset(),
				Data:   append([]byte(nil), data...),
				Len:    n,
			})
		}
	}
	c.out = append(c.out, match)
	return false, nil
}
