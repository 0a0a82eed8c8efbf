package history

import (
	"context"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/logs/shellhist"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// Rule ids.
const (
	ruleReverseShell  = "history.reverse-shell"
	ruleDownload      = "history.download-exec"
	ruleMiner         = "history.miner"
	ruleAntiForensics = "history.anti-forensics"
	ruleAccount       = "history.account-change"
	ruleDatabase      = "history.database-abuse"
	ruleSuspicious    = "history.suspicious-command"
	ruleDevNull       = "history.devnull"
	ruleMissing       = "history.missing"
	ruleCredential    = "history.credential"
)

var allRules = []string{
	ruleReverseShell, ruleDownload, ruleMiner, ruleAntiForensics, ruleAccount,
	ruleDatabase, ruleSuspicious, ruleDevNull, ruleMissing, ruleCredential,
}

// histLimit bounds how much of one history is read: the newest part.
const histLimit = 32 << 20

// histFile is one history location in a home.
type histFile struct {
	name string
	fmt  shellhist.Format
	sh   shape
}

var histFiles = []histFile{
	{".bash_history", shellhist.Bash, shShell},
	{".zsh_history", shellhist.Zsh, shShell},
	{".zhistory", shellhist.Zsh, shShell},
	{".sh_history", shellhist.Plain, shShell},
	{".ash_history", shellhist.Plain, shShell},
	{".local/share/fish/fish_history", shellhist.Fish, shShell},
	{".config/fish/fish_history", shellhist.Fish, shShell}, // fish before 2.3
	{".mysql_history", shellhist.Editline, shMySQL},
	{".mariadb_history", shellhist.Editline, shMySQL},
	{".psql_history", shellhist.Editline, shPsql},
	{".python_history", shellhist.Plain, shPython},
	{".node_repl_history", shellhist.Plain, shNode},
	{".rediscli_history", shellhist.Plain, shRedis},
}

// Detector is the shell history check.
type Detector struct {
	limit int64 // bytes read from the end of one history
}

// New returns the detector.
func New() *Detector { return &Detector{limit: histLimit} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "history" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string { return append([]string(nil), allRules...) }

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, g: &grader{}, now: env.Now(), limit: d.limit}
	if r.limit <= 0 {
		r.limit = histLimit
	}
	seen := map[string]bool{}
	for _, a := range loadAccounts(env) {
		if a.home == "" || a.home == "/" || seen[a.home] {
			continue
		}
		seen[a.home] = true
		if st, err := r.t.Stat(a.home); err != nil || !st.IsDir() {
			continue
		}
		for _, hf := range histFiles {
			if err := ctx.Err(); err != nil {
				return err
			}
			r.scanFile(a, hf)
		}
		r.checkMissing(a)
	}
	return nil
}

type run struct {
	env   *engine.Env
	t     *target.Target
	g     *grader
	now   time.Time
	limit int64
}

// scanFile grades one history file.
func (r *run) scanFile(a account, hf histFile) {
	p := path.Join(a.home, hf.name)
	lst, err := r.t.Lstat(p)
	if err != nil {
		target.Record(r.env, p, err)
		return
	}
	var symlink string
	if lst.Mode()&fs.ModeSymlink != 0 {
		symlink, _ = r.t.Readlink(p)
		dest := symlink
		if !strings.HasPrefix(dest, "/") {
			dest = path.Join(path.Dir(p), dest)
		}
		if path.Clean(dest) == "/dev/null" {
			r.emitDisabled(a, p, "symlink to /dev/null", lst)
			return
		}
	}
	st, err := r.t.Stat(p)
	if err != nil {
		target.Record(r.env, p, err)
		return
	}
	switch {
	case st.Mode()&fs.ModeDevice != 0:
		r.emitDisabled(a, p, "a device file ("+st.Mode().Type().String()+")", lst)
		return
	case st.IsDir() && (hf.name == ".bash_history" || hf.name == ".zsh_history"):
		r.emitDisabled(a, p, "a directory: the shell cannot write its history", lst)
		return
	case !st.Mode().IsRegular():
		r.env.GapMsg(model.GapSkipped, p, model.Msg("gap.not-regular-type", st.Mode().Type().String()))
		return
	}
	b, offset, ok := r.readTail(p, st.Size())
	if !ok {
		return
	}
	r.grade(a, p, hf, shellhist.Read(hf.fmt, b, offset), st, symlink)
}

// readTail reads p, or its last histLimit bytes when larger (from a line
// start); offset is the number of lines skipped.
func (r *run) readTail(p string, size int64) ([]byte, int, bool) {
	if size <= r.limit {
		b, ok := r.t.ReadFileRec(r.env, p, r.limit)
		return b, 0, ok
	}
	f, err := r.t.Open(p)
	if err != nil {
		target.Record(r.env, p, err)
		return nil, 0, false
	}
	defer f.Close()
	skip := size - r.limit
	// Count the lines skipped so that line numbers stay true.
	offset := 0
	buf := make([]byte, 256<<10)
	var done int64
	var last byte
	for done < skip {
		n, err := f.Read(buf[:min(int64(len(buf)), skip-done)])
		offset += strings.Count(string(buf[:n]), "\n")
		done += int64(n)
		if n > 0 {
			last = buf[n-1]
		}
		if err != nil {
			target.Record(r.env, p, err)
			return nil, 0, false
		}
	}
	b, err := io.ReadAll(io.LimitReader(f, r.limit))
	if err != nil {
		target.Record(r.env, p, err)
		return nil, 0, false
	}
	// Start at a line boundary: the first partial line belongs to the
	// skipped part.
	if i := strings.IndexByte(string(b), '\n'); i >= 0 && last != '\n' {
		b = b[i+1:]
		offset++
	}
	r.env.GapMsg(model.GapSkipped, p, model.Msg("history.gap.tail-only", size, r.limit))
	return b, offset, true
}

// agg collects the hits of one indicator in one file.
type agg struct {
	h        hit
	at       shellhist.Entry // first entry at the worst grade
	first    shellhist.Entry
	last     shellhist.Entry
	count    int
	lastWhen time.Time
	also     []string // other indicators of the same rule on the same lines
}

// maxCommand bounds how much of each end of one history entry is graded.
const maxCommand = 64 << 10

func (r *run) grade(a account, p string, hf histFile, entries []shellhist.Entry, st fs.FileInfo, symlink string) {
	byID := map[string]*agg{}
	var order []string
	long := 0
	for _, e := range entries {
		if len(e.Text) > 2*maxCommand {
			// A megabyte "command" is padding or garbage; grading all of
			// it costs seconds per line. Its start and end are what runs.
			long++
			e.Text = e.Text[:maxCommand] + "\n" + e.Text[len(e.Text)-maxCommand:]
		}
		hs := r.g.grade(hf.sh, e.Text)
		// Hits of one line that the same rule reports (bash -i >& /dev/tcp
		// is both a /dev/tcp and an interactive-shell reverse shell) are
		// one finding: the worst is primary, the others ride along.
		best := map[string]int{}
		for i, h := range hs {
			if j, ok := best[ruleFor(h.id)]; !ok || h.sev > hs[j].sev {
				best[ruleFor(h.id)] = i
			}
		}
		for i, h := range hs {
			if best[ruleFor(h.id)] != i {
				continue
			}
			ag := byID[h.id]
			if ag == nil {
				ag = &agg{h: h, at: e, first: e}
				byID[h.id] = ag
				order = append(order, h.id)
			} else if h.sev > ag.h.sev {
				ag.h, ag.at = h, e
			}
			ag.count++
			ag.last = e
			if !e.When.IsZero() {
				ag.lastWhen = e.When
			}
			for k, o := range hs {
				if k != i && ruleFor(o.id) == ruleFor(h.id) && !slices.Contains(ag.also, o.id) {
					ag.also = append(ag.also, o.id)
				}
			}
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return byID[order[i]].h.sev > byID[order[j]].h.sev })
	mt := st.ModTime().UTC()
	for _, id := range order {
		ag := byID[id]
		ex := map[string]string{"count": strconv.Itoa(ag.count)}
		if ag.h.fragment != "" {
			ex["fragment"] = ag.h.fragment
		}
		if !ag.at.When.IsZero() {
			ex["time"] = ag.at.When.Format(time.RFC3339)
		}
		if ag.first.Line != ag.at.Line {
			ex["first_line"] = strconv.Itoa(ag.first.Line)
		}
		if ag.count > 1 {
			ex["last_line"] = strconv.Itoa(ag.last.Line)
			if !ag.lastWhen.IsZero() {
				ex["last_time"] = ag.lastWhen.Format(time.RFC3339)
			}
		}
		if symlink != "" {
			ex["symlink"] = symlink
		}
		f := model.Finding{
			RuleID:     ruleFor(id),
			Subject:    p,
			Key:        p + "\x00" + id,
			Indicators: append([]string{id}, ag.also...),
			Evidence: model.Evidence{
				Path: p, Line: ag.at.Line, Text: textclip.Clip(strings.ReplaceAll(redact(ag.at.Text), "\n", "\\n"), 400), User: a.name, MTime: &mt, Extra: ex,
			},
		}
		r.env.Emit(f.WithSeverity(ag.h.sev).WithConfidence(ag.h.conf))
	}
	if long > 0 {
		r.env.GapMsg(model.GapSkipped, p, model.Msg("history.gap.long-entries", long, 2*maxCommand>>10))
	}
}

func (r *run) emitDisabled(a account, p, what string, lst fs.FileInfo) {
	mt := lst.ModTime().UTC()
	f := model.Finding{
		RuleID:     ruleDevNull,
		Key:        p,
		Indicators: []string{"anti-forensics.history"},
		Evidence: model.Evidence{
			Path: p, Text: what, User: a.name, MTime: &mt,
		},
	}
	r.env.Emit(f.WithSeverity(model.High).WithConfidence(model.ConfHigh))
}
