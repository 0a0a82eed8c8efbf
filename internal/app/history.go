package app

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/report"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/suppress"
	"github.com/vigil-ir/vigil/internal/sysinfo"
	"github.com/vigil-ir/vigil/internal/target"
)

// DefaultStorePath is where scans are saved unless --store, VIGIL_STORE or
// --no-store say otherwise. A --root scan is saved here too: on the host
// doing the scanning, never inside the target.
const DefaultStorePath = "/var/lib/vigil/vigil.db"

// StoreEnv names the environment variable that moves the store.
const StoreEnv = "VIGIL_STORE"

// StorePath resolves the store's location: the flag, else $VIGIL_STORE,
// else DefaultStorePath.
func StorePath(flag string, getenv func(string) string) string {
	if flag != "" {
		return flag
	}
	if getenv != nil {
		if v := getenv(StoreEnv); v != "" {
			return v
		}
	}
	return DefaultStorePath
}

// CheckStoreOutsideTarget refuses a store that would live inside an offline
// target: Vigil never writes to what it examines.
func CheckStoreOutsideTarget(storePath string, t *target.Target) error {
	inside, err := InsideTarget(storePath, t)
	if err != nil || !inside {
		return err
	}
	return fmt.Errorf("the store %s is inside the scanned root %s: vigil never writes inside a target; use --store elsewhere or --no-store", storePath, filepath.Clean(t.Root()))
}

// InsideTarget reports whether the host path p (which need not exist yet;
// symlinks of its existing part resolved) lies inside an offline target's
// root. The live host has no inside: everything is on it.
func InsideTarget(p string, t *target.Target) (bool, error) {
	if t == nil || t.IsLive() {
		return false, nil
	}
	p, err := filepath.Abs(p)
	if err != nil {
		return false, err
	}
	// Resolve the longest existing ancestor: the file may not exist yet.
	rest := ""
	for {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = filepath.Join(r, rest)
			break
		}
		parent := filepath.Dir(p)
		if parent == p {
			break
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
	root := filepath.Clean(t.Root())
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator)), nil
}

// CurrentActor is who runs vigil, for the audit trail: the OS account and,
// under sudo, the person behind it.
func CurrentActor(getenv func(string) string) store.Actor {
	if getenv == nil {
		getenv = os.Getenv
	}
	a := store.Actor{SudoUser: getenv("SUDO_USER")}
	if u, err := user.Current(); err == nil && u.Username != "" {
		a.User = u.Username
	} else {
		a.User = "uid " + strconv.Itoa(os.Geteuid())
	}
	return a
}

// SuppressedIndicator marks a finding shown with --show-suppressed; the
// suppression is named in Evidence.Extra[SuppressedExtra].
const (
	SuppressedIndicator = "suppressed"
	SuppressedExtra     = "suppressed_by"
)

// ViewOptions decide what a person is shown of a scan.
type ViewOptions struct {
	MinSeverity    model.Severity
	Suppressions   *suppress.Set
	ShowSuppressed bool
	// Known, when not nil, hides findings whose fingerprint it holds: the
	// reference scan of --new.
	Known map[string]bool
}

// Verdict implements ScanOptions.View.
func (o ViewOptions) Verdict(f *model.Finding) Verdict {
	if f.Severity < o.MinSeverity {
		return Filtered
	}
	if o.Known != nil && o.Known[f.Fingerprint] {
		return Filtered
	}
	if s, ok := o.Suppressions.Match(f); ok {
		if !o.ShowSuppressed {
			return Hide
		}
		MarkSuppressed(f, s)
		return ShowSuppressed
	}
	return Show
}

// MarkSuppressed marks f as suppressed by s, without touching data f
// shares with other copies (the stored one).
func MarkSuppressed(f *model.Finding, s *suppress.Suppression) {
	f.Indicators = append(slices.Clip(f.Indicators), SuppressedIndicator)
	extra := maps.Clone(f.Evidence.Extra)
	if extra == nil {
		extra = map[string]string{}
	}
	if s.ID == 0 {
		extra[SuppressedExtra] = "file: " + s.Reason
	} else {
		extra[SuppressedExtra] = fmt.Sprintf("#%d: %s", s.ID, s.Reason)
	}
	f.Evidence.Extra = extra
}

// LoadSuppressions returns the store's active suppressions as a set (nil
// store: none). Expiries noticed on the way are audited as who.
func LoadSuppressions(ctx context.Context, st store.Store, who store.Actor, now func() time.Time, extra ...suppress.Suppression) (*suppress.Set, error) {
	var list []suppress.Suppression
	if st != nil {
		var err error
		if list, err = st.Suppressions(ctx, false, who); err != nil {
			set, _ := suppress.NewSet(extra, now)
			return set, err
		}
	}
	list = append(list, extra...)
	if len(list) == 0 {
		return nil, nil
	}
	return suppress.NewSet(list, now)
}

// ReadSuppressionFiles reads suppression files (the YAML of vigil ignore
// export): a team's reviewed false positives, applied to a scan without a
// store. Their entries carry ID 0 and are marked "file" when they match.
func ReadSuppressionFiles(paths []string) ([]suppress.Suppression, error) {
	var out []suppress.Suppression
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("suppressions: %w", err)
		}
		list, err := suppress.Decode(f, time.Local)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("suppressions %s: %w", p, err)
		}
		for i := range list {
			list[i].ID = 0
			if list[i].CreatedBy == "" {
				list[i].CreatedBy = "file " + p
			}
		}
		out = append(out, list...)
	}
	return out, nil
}

// Recorder is the store as a scan handler: it keeps the scan in memory
// and saves it whole at End, in one transaction.
type Recorder struct {
	ctx   context.Context
	st    store.Store
	opt   store.SaveOptions
	c     report.Collector
	saved store.ScanInfo
}

// NewRecorder returns a handler saving into st.
func NewRecorder(ctx context.Context, st store.Store, opt store.SaveOptions) *Recorder {
	return &Recorder{ctx: ctx, st: st, opt: opt}
}

// Begin implements report.Handler.
func (r *Recorder) Begin(m model.ScanMeta) error { return r.c.Begin(m) }

// Finding implements report.Handler.
func (r *Recorder) Finding(f model.Finding) error { return r.c.Finding(f) }

// Gap implements report.Handler.
func (r *Recorder) Gap(g model.Gap) error { return r.c.Gap(g) }

// UpdateMeta takes the final meta (finish time).
func (r *Recorder) UpdateMeta(m model.ScanMeta) { r.c.Result.Meta = m }

// End implements report.Handler: it saves the scan.
func (r *Recorder) End(s model.Summary) error {
	_ = r.c.End(s)
	info, err := r.st.SaveScan(r.ctx, &r.c.Result, r.opt)
	if err != nil {
		return fmt.Errorf("saving the scan: %w", err)
	}
	r.saved = info
	return nil
}

// Saved is the saved scan (zero before End succeeds).
func (r *Recorder) Saved() store.ScanInfo { return r.saved }

// Describe is what a scan of t records about it (its identity in history
// is Describe(t).ID(), its fingerprints' key Describe(t).Key()).
func Describe(t *target.Target) model.TargetInfo { return sysinfo.Describe(t) }
