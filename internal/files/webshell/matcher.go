package webshell

import (
	"maps"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigil-ir/vigil/internal/files"
	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/model"
)

// Rule ids (catalog: rules/checks/files-content.yaml; the two web.* rules
// keep the ids they had in the webroot check, in rules/checks/web.yaml).
const (
	RuleInputExec      = "files.webshell.input-exec"
	RuleDynamicCall    = "files.webshell.dynamic-call"
	RuleEncodedPayload = "files.webshell.encoded-payload"
	RuleLongEncoded    = "files.webshell.long-encoded"
	RuleNewer          = "files.webshell.newer-than-neighbours"
	RuleUploadScript   = "web.script.upload-dir"
	RuleImageCode      = "web.image.embedded-code"
)

// maxPerRule bounds the hits of one rule in one file.
const maxPerRule = 3

// Matcher is the webshell heuristics as a matcher of the file walk.
type Matcher struct {
	webRoots []string // longest first

	mu        sync.Mutex
	neighbors map[string][]stamp // web-root directory -> its scripts
	stamps    int
}

type stamp struct {
	path         string
	mtime, ctime time.Time
}

// maxStamps bounds the scripts remembered for the neighbour judgement.
const maxStamps = 200000

// New returns the matcher; webRoots are the target's web roots (for upload
// directories and neighbours), from collect/webroots.
func New(webRoots []string) *Matcher {
	roots := append([]string(nil), webRoots...)
	sort.Slice(roots, func(i, j int) bool { return len(roots[i]) > len(roots[j]) })
	return &Matcher{webRoots: roots, neighbors: map[string][]stamp{}}
}

// Name implements files.Matcher.
func (*Matcher) Name() string { return "webshell" }

// Rules implements files.Matcher.
func (*Matcher) Rules() []string {
	return []string{RuleInputExec, RuleDynamicCall, RuleEncodedPayload, RuleLongEncoded, RuleNewer, RuleUploadScript, RuleImageCode}
}

// webRoot returns the web root holding p ("" for none).
func (m *Matcher) webRoot(p string) string {
	for _, r := range m.webRoots {
		if p == r || strings.HasPrefix(p, r+"/") || r == "/" {
			return r
		}
	}
	return ""
}

// cgiDir reports a path under a cgi-bin directory.
func cgiDir(p string) bool { return strings.Contains(p, "/cgi-bin/") }

// Wants implements files.Matcher: server-side scripts anywhere (Perl,
// Python and shell only in web roots, CGI and temporary directories, where
// they would be served), images in web roots, upload and temporary places.
func (m *Matcher) Wants(meta *files.Meta) files.Want {
	lang := LangOf(meta.Name)
	web := m.webRoot(meta.Path)
	switch lang {
	case LangNone:
		if !ImageExts[Ext(meta.Name)] {
			return files.Want{}
		}
		if c, _ := ClassifyDir(meta.Dir); web == "" && c < DirImage && !meta.Place.Temporary {
			return files.Want{}
		}
		return files.Want{Content: true}
	case LangPerl, LangPython, LangShell:
		if web == "" && !cgiDir(meta.Path) && !meta.Place.Temporary {
			return files.Want{}
		}
	}
	if web != "" {
		m.remember(meta)
	}
	return files.Want{Content: true}
}

func (m *Matcher) remember(meta *files.Meta) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stamps >= maxStamps {
		return
	}
	m.stamps++
	m.neighbors[meta.Dir] = append(m.neighbors[meta.Dir], stamp{meta.Path, meta.ModTime, meta.Ctime})
}

// Match implements files.Matcher.
func (m *Matcher) Match(f *files.File, r files.Reporter) {
	lang := LangOf(f.Name)
	if lang == LangNone {
		m.image(f, r)
		return
	}
	if lang == LangPHP && BenignStub(f.Content) {
		return
	}
	s := string(f.Content)
	low := lowerASCII(s)
	ex := map[string]string{"language": lang.String()}
	var found []files.Hit
	emit := func(rule string, ms []match, g grade) {
		for i, x := range ms {
			if i == maxPerRule {
				break
			}
			h := files.Hit{Rule: rule, Line: LineOf(f.Content, x.off), Offset: int64(x.off), Text: x.text, Extra: copyMap(ex)}
			h.Severity, h.Confidence, h.Graded = g.sev, g.conf, g.set
			if x.ind != "" {
				h.Indicators = []string{x.ind}
			}
			if x.note != "" {
				h.Extra["decoded"] = x.note
			}
			found = append(found, h)
		}
	}
	emit(RuleInputExec, inputExecLow(lang, s, low), grade{})
	if lang == LangPHP {
		emit(RuleDynamicCall, dynamicCallsLow(s, low), grade{})
	}
	if lang == LangPHP || lang == LangASP || lang == LangJSP {
		emit(RuleEncodedPayload, encodedPayload(s, low), grade{})
	}
	if lang != LangShell {
		sev := model.Low
		if len(found) > 0 {
			sev = model.Medium
		}
		emit(RuleLongEncoded, longEncoded(f.Content), grade{sev, model.ConfLow, true})
	}
	m.placement(f, s, found, r)
	for _, h := range found {
		r.Hit(h)
	}
}

// grade is a matcher's own severity and confidence for a hit (set), or
// the catalog's defaults.
type grade struct {
	sev  model.Severity
	conf model.Confidence
	set  bool
}

func copyMap(in map[string]string) map[string]string {
	out := make(map[string]string, len(in)+1)
	for k, v := range in {
		out[k] = v
	}
	return out
}

// placement flags a script in a directory that only ever holds uploads or
// images. In generated/static directories (cache, files, static ...)
// frameworks write code legitimately, so only a script that runs request
// input is flagged there.
func (m *Matcher) placement(f *files.File, s string, found []files.Hit, r files.Reporter) {
	root := m.webRoot(f.Path)
	if root == "" {
		root = f.Root
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(f.Path, root), "/")
	class, dir := Classify(path.Base(root), path.Dir(rel))
	if class == DirOther {
		return
	}
	frag, shell := WebshellCode(f.Content)
	for _, h := range found {
		if h.Rule != RuleLongEncoded {
			shell = true
			if frag == "" {
				frag = h.Text
			}
		}
	}
	sev, conf := model.High, model.ConfHigh
	switch class {
	case DirImage:
		conf = model.ConfMedium
	case DirWeak:
		if !shell {
			return
		}
		conf = model.ConfMedium
	}
	h := files.Hit{Rule: RuleUploadScript, Extra: map[string]string{"directory": dir, "web_root": root}}
	if shell {
		h.Text = frag
		conf = model.ConfHigh
		h.Indicators = append(h.Indicators, "webshell-code")
	} else {
		h.Text = firstLine(f.Content)
	}
	for _, c := range cmdscan.Scan(s) {
		if c.Severity >= model.High && !contains(h.Indicators, c.ID) {
			h.Indicators = append(h.Indicators, c.ID)
		}
	}
	h.Severity, h.Confidence, h.Graded = sev, conf, true
	r.Hit(h)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// firstLine is the first line of a script that is not its opening tag.
func firstLine(b []byte) string {
	for _, line := range strings.Split(string(b), "\n") {
		if t := strings.TrimSpace(line); t != "" && t != "<?php" && t != "<?" {
			return Printable([]byte(t))
		}
	}
	return ""
}

// image looks for server-side code inside an image file.
func (m *Matcher) image(f *files.File, r files.Reporter) {
	ex := map[string]string{"magic": MagicName(f.Content)}
	frag, found := FindCode(f.Content)
	if !found && len(f.Tail) > 0 {
		// A big image: code appended after its end is in the tail the
		// walk read (File.Tail), not in the bounded head.
		if frag, found = FindCode(f.Tail); found {
			ex["region"] = "tail"
			ex["tail_offset"] = strconv.FormatInt(f.TailOffset, 10)
		}
	}
	if !found {
		return
	}
	r.Hit(files.Hit{Rule: RuleImageCode, Text: frag, Extra: ex})
}

// MagicName names the real file type from its first bytes.
func MagicName(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff:
		return "jpeg"
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return "png"
	case len(b) >= 6 && (string(b[:6]) == "GIF87a" || string(b[:6]) == "GIF89a"):
		return "gif"
	case len(b) >= 2 && string(b[:2]) == "BM":
		return "bmp"
	case len(b) >= 4 && string(b[:4]) == "\x00\x00\x01\x00":
		return "ico"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "webp"
	default:
		return "not an image"
	}
}

// Neighbour thresholds: a script is "much newer" when it is the newest of
// at least minNeighbors scripts in its directory, newer than the next one
// by aloneBy and than the directory's median by newerBy, and was written
// in place (its mtime is its ctime, not a time carried by an archive).
const (
	minNeighbors = 6
	aloneBy      = 14 * 24 * time.Hour
	newerBy      = 60 * 24 * time.Hour
	sameTime     = 24 * time.Hour // mtime and ctime of a file written in place
)

// Finish implements files.Finisher: scripts much newer than their
// neighbours (a webshell dropped into an application deployed long ago).
func (m *Matcher) Finish(r files.Reporter) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range slices.Sorted(maps.Keys(m.neighbors)) {
		st := m.neighbors[d]
		if len(st) < minNeighbors {
			continue
		}
		sort.Slice(st, func(i, j int) bool { return st[i].mtime.Before(st[j].mtime) })
		newest, next, median := st[len(st)-1], st[len(st)-2], st[len(st)/2-1]
		if newest.mtime.Sub(next.mtime) < aloneBy || newest.mtime.Sub(median.mtime) < newerBy {
			continue
		}
		if d := newest.ctime.Sub(newest.mtime); d > sameTime || d < -sameTime {
			// Its time came from an archive or package (extracted later):
			// a newer release of one file, not a file written here.
			continue
		}
		days := int(newest.mtime.Sub(median.mtime).Hours() / 24)
		r.Hit(files.Hit{Rule: RuleNewer, Path: newest.path, ModTime: newest.mtime,
			Note:  model.Msg("files.note.newer", days, len(st)-1, next.path),
			Extra: map[string]string{"newer_by_days": strconv.Itoa(days), "next_newest": next.path}})
	}
}
