package webroot

import (
	"context"
	"io/fs"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/webroots"
	"github.com/vigil-ir/vigil/internal/files/webshell"
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
			r.checkFile(p)
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

func (r *run) checkFile(p string) {
	switch name := path.Base(p); {
	case name == ".htaccess":
		r.htaccess(p)
	case name == ".user.ini":
		r.iniFile(p, path.Dir(p), false)
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

func firstLine(b []byte) string {
	s := string(b)
	for _, line := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(line); t != "" && t != "<?php" && t != "<?" {
			return textclip.Trim(webshell.Printable([]byte(t)), 160)
		}
	}
	return ""
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
