// Package ransom is the file walk's matcher for the signs ransomware
// leaves on disk: ransom notes (a note's name and its wording together),
// and a directory tree where many files carry one new, unknown extension
// and content as random as encryption makes it.
package ransom

import (
	"bytes"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/vigil-ir/vigil/internal/files"
	"github.com/vigil-ir/vigil/internal/files/webshell"
	"github.com/vigil-ir/vigil/internal/lazyre"
)

// Rule ids (rules/checks/files-content.yaml).
const (
	RuleNote      = "files.ransom.note"
	RuleEncrypted = "files.ransom.encrypted-tree"
)

// noteName matches the names ransom notes are given (README_FOR_DECRYPT.txt,
// HOW_TO_RECOVER_FILES.html, !!!READ_ME!!!.txt, _readme.txt ...).
var noteName = lazyre.New(`(?i)^[!_#\-\[\]]*(?:(?:read[_\- ]?me|how[_\- ]?to|help|instructions?|restore|recover|decrypt|unlock|attention|warning)[^/]*(?:decrypt|recover|restore|files|unlock|ransom|instructions?|data|readme|read[_\- ]?me)|_?read[_\- ]?me|ransom[^/]*|[^/]*(?:decrypt|recover)[^/]*)[!_#\-\[\]]*\.(?:txt|html?|hta|rtf|url)$`)

// noteWords are what every ransom note says, in three groups: the files
// were encrypted, pay, and how to get them back. A note says all three;
// a README about encryption software does not ask for payment.
var noteWords = [3][][]byte{
	{[]byte("encrypt"), []byte("加密")},
	{[]byte("bitcoin"), []byte("btc"), []byte("monero"), []byte("xmr"), []byte("wallet"), []byte("payment"),
		[]byte("ransom"), []byte("比特币"), []byte("赎金"), []byte("付款")},
	{[]byte("decrypt"), []byte(".onion"), []byte("tor browser"), []byte("your files"), []byte("restore"), []byte("解密"), []byte("恢复")},
}

// Thresholds of an encrypted tree.
const (
	minFiles       = 20  // files with the extension
	minHighEntropy = 0.9 // share of them that look encrypted
	encEntropy     = 7.5 // bits per byte of the first block
	sample         = 4096
	maxTracked     = 64 // extensions tracked at once
)

// Matcher finds ransom notes and encrypted trees.
type Matcher struct {
	mu   sync.Mutex
	exts map[string]*extStat
}

type extStat struct {
	files, random int
	dirs          map[string]bool
	example       string
	top           string // the common ancestor of the files
}

// New returns the matcher.
func New() *Matcher { return &Matcher{exts: map[string]*extStat{}} }

// Name implements files.Matcher.
func (*Matcher) Name() string { return "ransom" }

// Rules implements files.Matcher.
func (*Matcher) Rules() []string { return []string{RuleNote, RuleEncrypted} }

// Wants implements files.Matcher: notes by name, and files whose extension
// no known format uses (a ransomware's own).
func (m *Matcher) Wants(meta *files.Meta) files.Want {
	if meta.Size > 0 && meta.Size < 1<<20 && noteName.MatchString(meta.Name) {
		return files.Want{Content: true}
	}
	if e := unknownExt(meta.Name); e != "" && meta.Size >= 64 {
		return files.Want{Content: true}
	}
	return files.Want{}
}

// Match implements files.Matcher.
func (m *Matcher) Match(f *files.File, r files.Reporter) {
	if noteName.MatchString(f.Name) {
		low := bytes.ToLower(f.Content)
		var words []string
		groups := 0
		for _, g := range noteWords {
			found := false
			for _, w := range g {
				if bytes.Contains(low, w) {
					words = append(words, string(w))
					found = true
				}
			}
			if found {
				groups++
			}
		}
		if groups == len(noteWords) {
			r.Hit(files.Hit{Rule: RuleNote, Line: 1, Text: firstText(f.Content),
				Extra: map[string]string{"words": strings.Join(words, ", ")}})
		}
		return
	}
	e := unknownExt(f.Name)
	if e == "" {
		return
	}
	random := webshell.Entropy(f.Content[:min(len(f.Content), sample)]) >= encEntropy
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.exts[e]
	if st == nil {
		if len(m.exts) >= maxTracked {
			return
		}
		st = &extStat{dirs: map[string]bool{}, example: f.Path, top: f.Dir}
		m.exts[e] = st
	}
	st.files++
	if random {
		st.random++
	}
	if len(st.dirs) < 1000 {
		st.dirs[f.Dir] = true
	}
	st.top = common(st.top, f.Dir)
}

// Finish implements files.Finisher.
func (m *Matcher) Finish(r files.Reporter) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range slices.Sorted(maps.Keys(m.exts)) {
		st := m.exts[e]
		if st.files < minFiles || float64(st.random) < minHighEntropy*float64(st.files) {
			continue
		}
		r.Hit(files.Hit{Rule: RuleEncrypted, Path: st.top, Text: "." + e,
			Extra: map[string]string{"extension": "." + e, "files": strconv.Itoa(st.files),
				"high_entropy": strconv.Itoa(st.random), "directories": strconv.Itoa(len(st.dirs)), "example": st.example}})
	}
}

// common returns the deepest directory holding both a and b.
func common(a, b string) string {
	for a != b && !strings.HasPrefix(b, a+"/") && a != "/" {
		a = path.Dir(a)
	}
	return a
}

func firstText(b []byte) string {
	for _, l := range strings.Split(string(b[:min(len(b), 4096)]), "\n") {
		if t := strings.TrimSpace(l); t != "" {
			return webshell.Printable([]byte(t))
		}
	}
	return ""
}
