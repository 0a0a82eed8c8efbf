package webroot

import (
	"context"
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

// walkSpec is the check's part of the scan's one walk: under the web roots,
// the per-directory configuration files (.htaccess, .user.ini) and the git
// repositories (not entered: their hooks are read on their own), at most
// maxFiles of them; directories deeper than maxDepth levels below a root
// are not entered.
func walkSpec(roots []string) target.WalkSpec {
	return target.WalkSpec{Roots: roots, MaxDepth: maxDepth + 1, MaxKeep: maxFiles, Visit: visit}
}

func visit(e *target.WalkEntry) (keep, prune bool) {
	if e.IsDir() {
		if e.Name == ".git" && e.Depth <= maxDepth {
			return true, true
		}
		return false, false
	}
	return e.Type.IsRegular() && (e.Name == ".htaccess" || e.Name == ".user.ini"), false
}

// walkRoots judges what the walk kept under the web roots, in walk order.
func (r *run) walkRoots(ctx context.Context) error {
	res, err := r.env.Walked(ctx)
	if err != nil {
		return err
	}
	rs := res[0]
	r.env.WalkGaps(rs, func(d target.DeepCut) model.Message {
		return model.Msg("webroot.gap.too-deep", d.Count, maxDepth, d.First)
	})
	for _, e := range rs.Kept {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.IsDir() {
			r.gitHooks(e.Path)
			continue
		}
		r.checkFile(e.Path)
	}
	if rs.Dropped > 0 {
		r.env.GapMsg(model.GapSkipped, rs.Roots[rs.DroppedRoot], model.Msg("webroot.gap.budget", maxFiles))
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
