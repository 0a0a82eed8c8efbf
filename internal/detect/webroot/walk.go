package webroot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/webroots"
	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// Walk bounds: deep enough for any CMS, small enough for a shared host.
const (
	maxDepth        = 12
	maxFiles        = 200000
	scriptReadLimit = 256 << 10 // scripts are judged on their first 256 KiB
	imageHead       = 256 << 10 // code in images hides in metadata (head) ...
	imageTail       = 64 << 10  // ... or is appended (tail)
)

// walkRoots walks every root and checks what it holds.
func (r *run) walkRoots(ctx context.Context, roots []string) error {
	files := 0
	for _, root := range roots {
		stop := false
		deep, deepEx := 0, ""
		err := r.t.Walk(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				target.Record(r.env, p, err)
				return nil
			}
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
			if d.IsDir() {
				if strings.Count(rel, "/") >= maxDepth {
					if deep == 0 {
						deepEx = p
					}
					deep++
					return fs.SkipDir
				}
				if d.Name() == ".git" {
					r.gitHooks(p)
					return fs.SkipDir
				}
				return nil
			}
			files++
			if files > maxFiles {
				r.env.GapMsg(model.GapSkipped, root, model.Msg("webroot.gap.budget", maxFiles))
				stop = true
				return fs.SkipAll
			}
			if !d.Type().IsRegular() {
				return nil
			}
			r.checkFile(root, rel, p)
			return nil
		})
		if deep > 0 {
			r.env.GapMsg(model.GapSkipped, root, model.Msg("webroot.gap.too-deep", deep, maxDepth, deepEx))
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			target.Record(r.env, root, err)
		}
		if stop {
			break
		}
	}
	return nil
}

func (r *run) checkFile(root, rel, p string) {
	name := path.Base(p)
	e := ext(name)
	switch {
	case name == ".htaccess":
		r.htaccess(p)
	case name == ".user.ini":
		r.iniFile(p, path.Dir(p), false)
	case imageExts[e]:
		r.image(p)
	case scriptExts[e]:
		r.scriptPlacement(root, rel, p)
	}
}

func (r *run) htaccess(p string) {
	b, ok := r.t.ReadFileRec(r.env, p, confReadLimit)
	if !ok {
		return
	}
	for _, d := range webroots.ParseApache(b) {
		r.judgeApache(p, true, d, path.Dir(p))
	}
}

// image looks for server-side code inside an image file.
func (r *run) image(p string) {
	f, err := r.t.Open(p)
	if err != nil {
		target.Record(r.env, p, err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return
	}
	head := make([]byte, min(st.Size(), imageHead))
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF {
		target.Record(r.env, p, fmt.Errorf("read %s: %w", p, err))
		return
	}
	frag, found := findCode(head[:n])
	if !found && st.Size() > imageHead {
		tail := make([]byte, min(st.Size()-imageHead, imageTail))
		if m, err := f.ReadAt(tail, st.Size()-int64(len(tail))); err == nil || err == io.EOF {
			frag, found = findCode(tail[:m])
		}
	}
	if !found {
		return
	}
	pkg := r.pk.Owner(p)
	if pkg != "" && pkg != model.NoPackage && r.pk.Pristine(p) {
		return
	}
	mt := st.ModTime().UTC()
	ev := model.Evidence{Path: p, Text: frag, MTime: &mt, Package: pkg, Extra: map[string]string{"magic": magicName(head[:n])}}
	f2 := model.Finding{RuleID: ruleImageCode, Subject: p, Evidence: ev, Key: p}
	r.env.Emit(f2)
}

// magicName names the real file type from its first bytes.
func magicName(b []byte) string {
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

// scriptPlacement flags a script in a directory that only ever holds
// uploads or images. In generated/static directories (cache, files,
// static ...) frameworks write code legitimately, so only a script that
// runs request input is flagged there.
func (r *run) scriptPlacement(root, rel, p string) {
	class, dir := classify(path.Base(root), path.Dir(rel))
	if class == dirOther {
		return
	}
	pkg := r.pk.Owner(p)
	if pkg != "" && pkg != model.NoPackage && r.pk.Pristine(p) {
		return
	}
	b, err := r.t.ReadFile(p, scriptReadLimit)
	switch {
	case errors.Is(err, target.ErrTooLarge):
		b = r.head(p, scriptReadLimit)
	case err != nil:
		target.Record(r.env, p, err)
		return
	}
	isPHP := strings.HasPrefix(ext(p), "ph")
	if isPHP && benignStub(b) {
		return
	}
	frag, shell := webshellCode(b)
	sev, conf := model.High, model.ConfHigh
	switch class {
	case dirImage:
		conf = model.ConfMedium
	case dirWeak:
		if !shell {
			return
		}
		conf = model.ConfMedium
	}
	ev := model.Evidence{Path: p, Package: pkg, Extra: map[string]string{"directory": dir, "web_root": root}}
	var ind []string
	if shell {
		ev.Text = frag
		conf = model.ConfHigh
		ind = append(ind, indWebshell)
	} else {
		ev.Text = firstLine(b)
	}
	for _, m := range cmdscan.Scan(string(b)) {
		if m.Severity >= model.High {
			ind = append(ind, m.ID)
		}
	}
	if st, err := r.t.Lstat(p); err == nil {
		mt := st.ModTime().UTC()
		ev.MTime = &mt
	}
	f := model.Finding{RuleID: ruleUploadScript, Subject: p, Evidence: ev, Indicators: dedupe(ind), Key: p}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}

// head reads the first n bytes of p.
func (r *run) head(p string, n int64) []byte {
	f, err := r.t.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, n))
	return b
}

func firstLine(b []byte) string {
	s := string(b)
	for _, line := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(line); t != "" && t != "<?php" && t != "<?" {
			return textclip.Trim(printable([]byte(t)), 160)
		}
	}
	return ""
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// gitHooks flags executable hooks in a repository inside a web root: git
// runs them on the next checkout or pull a deployment script does.
func (r *run) gitHooks(gitDir string) {
	hooks := gitDir + "/hooks"
	ents, err := r.t.ReadDir(hooks)
	if err != nil {
		target.Record(r.env, hooks, err)
		return
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".sample") || !e.Type().IsRegular() {
			continue
		}
		p := hooks + "/" + e.Name()
		st, err := r.t.Lstat(p)
		if err != nil || st.Mode().Perm()&0o111 == 0 {
			continue
		}
		b, _ := r.t.ReadFile(p, scriptReadLimit)
		sev, conf := model.Medium, model.ConfMedium
		var ind []string
		for _, m := range cmdscan.Scan(string(b)) {
			ind = append(ind, m.ID)
			if m.Severity > sev {
				sev, conf = m.Severity, m.Confidence
			}
		}
		mt := st.ModTime().UTC()
		f := model.Finding{RuleID: ruleGitHook, Subject: p, Indicators: ind, Key: p,
			Evidence: model.Evidence{Path: p, Text: firstLine(b), MTime: &mt, When: "event"}}
		r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
	}
}
