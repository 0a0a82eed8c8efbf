package app

import (
	"context"
	"io/fs"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/detect/logs"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/logs/timeline"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/report"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// TimelineOptions say what `vigil timeline` merges.
type TimelineOptions struct {
	Target  *target.Target
	Catalog *catalog.Catalog
	Lang    string
	Logs    logs.Options // the logs read and judged (Since/Until bound them too)
	Bounds  timeline.Options
	// Store, when set, adds the findings stored for this target (vigil
	// scan, vigil files) and the times of the files they point at.
	Store store.Store
	Now   func() time.Time
}

// Timeline reads the target's logs through the logs detector (its findings
// and notable events), adds stored findings and file times, and builds the
// ordered timeline with its attack path. Gaps are returned for the report.
func Timeline(ctx context.Context, opt TimelineOptions) (*timeline.Timeline, []model.Gap, error) {
	b := timeline.NewBuilder(opt.Bounds)
	lo := opt.Logs
	lo.OnEvent = b.Event
	coll := &report.Collector{}
	_, err := Scan(ctx, ScanOptions{Target: opt.Target, Detectors: []engine.Detector{logs.New(lo)}, Catalog: opt.Catalog,
		Lang: opt.Lang, Now: opt.Now, MaxPerRule: -1}, coll)
	if err != nil {
		return nil, nil, err
	}
	var paths []pathRule
	for _, f := range coll.Result.Findings {
		if f.RuleID == logs.RuleCoverage {
			continue
		}
		opt.Catalog.Localize(&f, opt.Lang)
		b.Finding(readable(f, opt.Lang), "finding", coll.Result.Meta.Started)
	}
	if opt.Store != nil {
		tinfo := Describe(opt.Target)
		recs, err := opt.Store.Findings(ctx, store.FindingQuery{TargetKey: tinfo.ID(), State: store.StateOpen})
		if err != nil {
			return nil, nil, err
		}
		for _, r := range recs {
			f := r.Finding
			opt.Catalog.Localize(&f, opt.Lang)
			b.Finding(readable(f, opt.Lang), "scan", r.FirstSeen)
			paths = append(paths, pathRule{f.Evidence.Path, f.RuleID})
		}
	}
	for _, p := range paths {
		if b.WantFile(p.path) {
			fileTimes(opt.Target, b, p.path, p.rule, func(id string) string {
				return opt.Catalog.T(opt.Lang, "timeline.file."+id, p.path, p.rule)
			})
		}
	}
	gaps := append(coll.Result.Gaps, processStarts(opt.Target, b, opt.Bounds.All)...)
	return b.Build(), gaps, nil
}

// bootSettle is how long after boot a process still counts as started by
// the boot (left out of a targeted timeline: every service starts then).
const bootSettle = 5 * time.Minute

// processStarts adds the start times of the target's running processes
// (/proc/PID/stat start ticks after /proc/stat btime; kernel threads left
// out, and those the boot started unless all). A mounted root has no
// processes: a gap says the timeline holds none.
func processStarts(t *target.Target, b *timeline.Builder, all bool) []model.Gap {
	var rec target.GapLog
	if !t.IsLive() {
		rec.GapMsg(model.GapSkipped, "/proc", model.Msg("timeline.gap.no-procs"))
		return rec.Gaps
	}
	snap := procs.Load(t, &rec)
	db := users.Load(t, &rec)
	for _, p := range snap.Procs {
		if p.Kernel || p.Start.IsZero() || !all && !snap.BootTime.IsZero() && p.Start.Sub(snap.BootTime) < bootSettle {
			continue
		}
		user := "#" + strconv.Itoa(p.UID)
		if u, ok := db.ByUID(p.UID); ok {
			user = u.Name
		}
		b.ProcessStart(p.PID, p.Exe, user, textclip.Clip(p.CommandLine(), 1024), p.Start)
	}
	return rec.Gaps
}

type pathRule struct{ path, rule string }

// fileTimes adds the modification, change and birth times of a file a
// finding points at (birth where the filesystem keeps it: statx). The
// descriptions are Timesketch's (its timestamp_desc); the messages are in
// the reader's language (say: timeline.file.mtime, ctime, btime).
func fileTimes(t *target.Target, b *timeline.Builder, p, rule string, say func(id string) string) {
	st, err := t.Lstat(p)
	if err != nil {
		return
	}
	b.FileTime(p, "Modification Time", say("mtime"), st.ModTime(), rule)
	if ctime, ok := changeTime(st); ok {
		b.FileTime(p, "Change Time", say("ctime"), ctime, rule)
	}
	hp, err := t.HostPath(p)
	if err != nil {
		return
	}
	var stx unix.Statx_t
	if unix.Statx(unix.AT_FDCWD, hp, unix.AT_SYMLINK_NOFOLLOW|unix.AT_STATX_DONT_SYNC, unix.STATX_BTIME, &stx) == nil &&
		stx.Mask&unix.STATX_BTIME != 0 && stx.Btime.Sec != 0 {
		b.FileTime(p, "Creation Time", say("btime"), time.Unix(stx.Btime.Sec, int64(stx.Btime.Nsec)), rule)
	}
}

func changeTime(st fs.FileInfo) (time.Time, bool) {
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(s.Ctim.Sec, s.Ctim.Nsec), true
}

// readable leaves out, for a reader of another language than English, a
// subject that is an English phrase (report.SubjectIsPhrase): the entry
// keeps the localised title and its file:line.
func readable(f model.Finding, lang string) model.Finding {
	if lang != catalog.English && lang != "" && report.SubjectIsPhrase(f) {
		f.Subject = ""
	}
	return f
}
