package history

import (
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// traceFiles are written by interactive use only (editors, pagers, REPLs):
// if they are newer than an empty or missing .bash_history, someone worked
// in this account and the shell's record of it is gone.
var traceFiles = []string{
	".viminfo", ".lesshst", ".python_history", ".mysql_history", ".psql_history",
	".sqlite_history", ".rediscli_history", ".node_repl_history", ".local/share/nano/search_history",
}

// rootRecent is how fresh activity in /root must be to count against an
// empty root history.
const rootRecent = 7 * 24 * time.Hour

// checkMissing reports a bash account whose history is missing or empty
// while other interactive traces in its home are newer.
func (r *run) checkMissing(a account) {
	if path.Base(a.shell) != "bash" {
		return
	}
	p := path.Join(a.home, ".bash_history")
	lst, err := r.t.Lstat(p)
	missing := err != nil
	if err != nil && !isNotExist(err) {
		return
	}
	if missing && a.uid == 0 {
		// sudo vim, sudo less ... write root's traces without a root shell:
		// a missing root history proves nothing. An emptied one does.
		return
	}
	var since time.Time
	if !missing {
		if !lst.Mode().IsRegular() || lst.Size() != 0 {
			return
		}
		since = lst.ModTime()
	}
	var traces []string
	for _, name := range traceFiles {
		tp := path.Join(a.home, name)
		st, err := r.t.Lstat(tp)
		if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
			continue
		}
		if missing || st.ModTime().After(since) {
			traces = append(traces, tp+" "+st.ModTime().UTC().Format(time.RFC3339))
		}
	}
	if a.uid == 0 && !missing && len(traces) == 0 {
		traces = r.recentInHome(a.home, p, since)
	}
	if len(traces) == 0 {
		return
	}
	sort.Strings(traces)
	text := "missing"
	conf := model.ConfLow
	ev := model.Evidence{Path: p, User: a.name}
	if !missing {
		mt := since.UTC()
		ev.MTime = &mt
		text = "empty (0 bytes) since " + mt.Format(time.RFC3339)
		conf = model.ConfMedium
	}
	ev.Text = text
	if len(traces) > 5 {
		traces = traces[:5]
	}
	ev.Extra = map[string]string{"newer_activity": strings.Join(traces, "; ")}
	f := model.Finding{RuleID: ruleMissing, Key: p, Evidence: ev, Indicators: []string{"anti-forensics.history"}}
	r.env.Emit(f.WithSeverity(model.Medium).WithConfidence(conf))
}

// recentInHome lists top-level entries of home changed after since and
// within rootRecent of the scan.
func (r *run) recentInHome(home, hist string, since time.Time) []string {
	ents, err := r.t.ReadDir(home)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		p := path.Join(home, e.Name())
		if p == hist {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		mt := info.ModTime()
		if mt.After(since) && r.now.Sub(mt) < rootRecent && !mt.After(r.now.Add(time.Hour)) {
			out = append(out, p+" "+mt.UTC().Format(time.RFC3339))
		}
	}
	return out
}

func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}
