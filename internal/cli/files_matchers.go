package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/detect/memory"
	"github.com/vigil-ir/vigil/internal/detect/procioc"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/files"
	"github.com/vigil-ir/vigil/internal/files/memscan"
	"github.com/vigil-ir/vigil/internal/files/yara"
	"github.com/vigil-ir/vigil/internal/ioc"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/target"
)

// matcherFlags are the flags of the YARA, indicator and memory matchers of
// vigil files.
type matcherFlags struct {
	rules     []string
	noBuiltin bool
	iocs      []string
	memory    string
	timeout   time.Duration
	maxCPU    int
}

// registerFilesMatchers adds the flags of further matchers of vigil files
// (YARA rules, IOC lists, process memory) and sets f.extraMatchers and
// f.extraDetectors to build them. The YARA rules (Vigil's own, embedded,
// and --rules) are compiled once and shared by the walk and the memory scan.
func registerFilesMatchers(cmd *cobra.Command, f *filesFlags) {
	o := &matcherFlags{}
	fl := cmd.Flags()
	fl.StringArrayVar(&o.rules, "rules", nil, "add the YARA rules of this file or directory (*.yar, *.yara; repeatable); a rule file that does not compile is reported and the others still run")
	fl.BoolVar(&o.noBuiltin, "no-builtin-rules", false, "do not use Vigil's own YARA rules (only those given with --rules)")
	fl.StringArrayVar(&o.iocs, "ioc", nil, "match the indicators of this list (hashes, file names and paths): plain, CSV (MISP, OTX) or STIX 2.1; repeatable")
	fl.StringVar(&o.memory, "memory", "", "also scan the memory of running processes with the YARA rules (live host): all, suspicious (the processes the latest stored scan flagged, and deleted or oddly placed programs), or pids separated by commas")
	fl.Lookup("memory").NoOptDefVal = memory.All
	fl.IntVar(&o.maxCPU, "max-cpu", 0, "memory scanning: use at most this percentage of one CPU, pausing after each region (1-100; 0: no cap beyond the low priority)")
	fl.DurationVar(&o.timeout, "yara-timeout", yara.DefaultTimeout, "stop matching one file or memory region with YARA after this long (reported)")
	compiled := sync.OnceValues(func() (*yaraSet, error) { return loadYARA(o) })
	// The lists are loaded once, for the walk's matcher and the running
	// executables' check.
	iocSet := sync.OnceValues(func() (*ioc.Set, error) {
		set, err := ioc.Load(o.iocs)
		if err != nil {
			return nil, fmt.Errorf("--ioc: %w", err)
		}
		return set, nil
	})
	f.extraMatchers = func() ([]files.Matcher, error) {
		var ms []files.Matcher
		if !o.noBuiltin || len(o.rules) > 0 {
			ys, err := compiled()
			if err != nil {
				return nil, err
			}
			ms = append(ms, yara.NewMatcher(ys.rules, ys.bad, o.timeout))
		}
		if len(o.iocs) > 0 {
			set, err := iocSet()
			if err != nil {
				return nil, err
			}
			if m := ioc.NewMatcher(set); m != nil {
				ms = append(ms, m)
			}
		}
		return ms, nil
	}
	f.extraDetectors = func(g *globals) ([]engine.Detector, error) {
		var dets []engine.Detector
		if len(o.iocs) > 0 {
			// Hash indicators are also matched against the running
			// programs (live host).
			dets = append(dets, procioc.New(iocSet))
		}
		if o.memory == "" {
			return dets, nil
		}
		if o.maxCPU < 0 || o.maxCPU > 100 {
			return nil, fmt.Errorf("--max-cpu: %d is not a percentage (1-100, 0: no cap)", o.maxCPU)
		}
		opt := memscan.Options{Timeout: o.timeout, Duty: memscan.Duty{Percent: o.maxCPU}}
		which := o.memory
		if which != memory.All && which != memory.Suspicious {
			for _, s := range strings.Split(which, ",") {
				pid, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil || pid <= 0 {
					return nil, fmt.Errorf("--memory: %q is not all, suspicious or a list of pids", o.memory)
				}
				opt.PIDs = append(opt.PIDs, pid)
			}
		}
		if o.noBuiltin && len(o.rules) == 0 {
			return nil, errors.New("--memory needs YARA rules: drop --no-builtin-rules or give --rules")
		}
		rules := func() (*yara.Rules, error) {
			ys, err := compiled()
			if err != nil {
				return nil, err
			}
			return ys.rules, nil
		}
		d := memory.New(rules, which, opt).WithFlagged(func(ctx context.Context) []int {
			st, err := store.Open(ctx, app.StorePath(f.scan.store.path, g.getenv), store.Options{ReadOnly: true})
			if err != nil {
				return nil // no store yet: the quick judgement alone
			}
			defer st.Close()
			return flaggedPIDs(ctx, st, app.Describe(target.Live()))
		})
		return append(dets, d), nil
	}
}

type yaraSet struct {
	rules *yara.Rules
	bad   []yara.CompileError
}

func loadYARA(o *matcherFlags) (*yaraSet, error) {
	r, bad, err := yara.Load(o.rules, o.noBuiltin)
	if err != nil {
		if len(bad) > 0 {
			return nil, fmt.Errorf("--rules: %w: %s", err, bad[0].Error())
		}
		return nil, fmt.Errorf("--rules: %w", err)
	}
	return &yaraSet{rules: r, bad: bad}, nil
}

// builtinFileMatchers are the matchers vigil scan --files adds to the
// widened walk: Vigil's own YARA rules.
func builtinFileMatchers() []files.Matcher {
	r, bad, err := yara.Load(nil, false)
	if err != nil {
		return nil
	}
	return []files.Matcher{yara.NewMatcher(r, bad, 0)}
}

// flaggedPIDs are the pids that findings of the newest stored scan of the
// target carry (--memory=suspicious): what a scan flagged on a running
// process (a reverse shell, a miner, a deleted program ...).
func flaggedPIDs(ctx context.Context, st store.Store, ti model.TargetInfo) []int {
	scans, err := st.Scans(ctx, store.ScanQuery{TargetKey: ti.ID(), Limit: 1})
	if err != nil || len(scans) == 0 {
		return nil
	}
	recs, err := st.Findings(ctx, store.FindingQuery{ScanID: scans[0].ID})
	if err != nil {
		return nil
	}
	seen := map[int]bool{}
	var out []int
	for _, r := range recs {
		if pid := r.Finding.Evidence.PID; pid > 0 && !seen[pid] {
			seen[pid] = true
			out = append(out, pid)
		}
	}
	sort.Ints(out)
	return out
}
