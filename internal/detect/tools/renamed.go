package tools

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
)

// refTools are the packaged network tools whose copies are looked for.
var refTools = map[string][]string{
	"curl":    {"/usr/bin/curl"},
	"wget":    {"/usr/bin/wget"},
	"netcat":  {"/usr/bin/nc", "/bin/nc", "/usr/bin/nc.openbsd", "/bin/nc.openbsd", "/usr/bin/nc.traditional", "/bin/nc.traditional", "/usr/bin/netcat"},
	"ncat":    {"/usr/bin/ncat"},
	"socat":   {"/usr/bin/socat", "/usr/bin/socat1"},
	"busybox": {"/usr/bin/busybox", "/bin/busybox"},
}

// ref is one packaged tool binary.
type ref struct {
	tool string
	path string
	size int64
	sum  string // computed on first use
}

// references indexes the packaged tools by size, so that only files of
// the same size are hashed.
type references struct {
	bySize map[int64][]*ref
}

func loadReferences(r *run) *references {
	refs := &references{bySize: map[int64][]*ref{}}
	seen := map[string]bool{}
	for tool, paths := range refTools {
		for _, p := range paths {
			res, err := r.t.Resolve(p)
			if err != nil || seen[res] {
				continue
			}
			pkg := r.pk.Owner(res)
			if pkg == "" || pkg == model.NoPackage {
				continue // only a packaged binary is a trustworthy reference
			}
			st, err := r.t.Stat(res)
			if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
				continue
			}
			seen[res] = true
			refs.bySize[st.Size()] = append(refs.bySize[st.Size()], &ref{tool: tool, path: res, size: st.Size()})
		}
	}
	return refs
}

// match returns the packaged tool p is a byte-for-byte copy of. sum is
// p's sha256 when known; f, when not nil, is p open.
func (refs *references) match(r *run, p string, st fs.FileInfo, sum string, f *os.File) (*ref, bool) {
	cands := refs.bySize[st.Size()]
	if len(cands) == 0 {
		return nil, false
	}
	if sum == "" && f != nil {
		sum = hashReader(io.NewSectionReader(f, 0, maxBinary))
	} else if sum == "" {
		sum = r.hashFile(p)
	}
	for _, c := range cands {
		if c.sum == "" {
			c.sum = r.hashFile(c.path)
		}
		if sum != "" && c.sum == sum && c.path != p {
			return c, true
		}
	}
	return nil, false
}

func (r *run) hashFile(p string) string {
	f, err := r.t.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	return hashReader(io.LimitReader(f, maxBinary))
}

func hashReader(rd io.Reader) string {
	h := sha256.New()
	if _, err := io.Copy(h, rd); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// renamed reports a copy of a packaged network tool outside the package's
// place: under another name it hides what it is; in /tmp or a home
// directory under its own name it is still a staged downloader.
func (r *run) renamed(p string, st fs.FileInfo, pkg string, c *ref, sum string) {
	base := strings.ToLower(path.Base(p))
	sameName := false
	if t, ok := byName(base); ok && (t.name == c.tool || (c.tool == "netcat" && t.name == "netcat")) {
		sameName = true
	}
	ind := append([]string{indCopy}, r.placeIndicators(p)...)
	sev, conf := model.High, model.ConfHigh
	if sameName {
		if !containsStr(ind, indWritable) && !containsStr(ind, indHidden) && !inAny(p, []string{"/root", "/home"}) {
			return // an admin's copy in /usr/local or /opt
		}
		sev, conf = model.Medium, model.ConfMedium
	}
	mt := st.ModTime().UTC()
	ev := model.Evidence{Path: p, SHA256: sum, MTime: &mt, Package: pkg,
		Note:  model.Msg("tools.note.identical", c.path),
		Extra: map[string]string{"tool": c.tool, "copy_of": c.path}}
	f := model.Finding{RuleID: ruleRenamed, Subject: p, Indicators: ind, Evidence: ev, Key: p}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}

// staticUtility reports a (static) build of a network utility found by its
// strings: renamed, or dropped in a writable or hidden place.
func (r *run) staticUtility(p string, st fs.FileInfo, pkg string, h contentHit, sum string) {
	base := strings.ToLower(path.Base(p))
	t, named := byName(base)
	sameName := named && t.name == h.tool.name
	ind := append([]string{indStrings}, r.placeIndicators(p)...)
	sev, conf := model.High, model.ConfMedium
	if sameName {
		if !containsStr(ind, indWritable) && !containsStr(ind, indHidden) {
			return // a static busybox or socat an admin installed
		}
		sev = model.Medium
	}
	mt := st.ModTime().UTC()
	ev := model.Evidence{Path: p, SHA256: sum, MTime: &mt, Package: pkg,
		Note:  model.Msg("tools.note.build", h.tool.name, h.marker),
		Extra: map[string]string{"tool": h.tool.name}}
	f := model.Finding{RuleID: ruleRenamed, Subject: p, Indicators: ind, Evidence: ev, Key: p}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}
