package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	dfiles "github.com/vigil-ir/vigil/internal/detect/files"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/files"
)

type filesFlags struct {
	scan         scanFlags
	crossFS      bool
	maxBytes     string
	maxFiles     int64
	maxTime      time.Duration
	contentLimit string
	exclude      []string
	// extraMatchers builds the matchers of further flags (YARA rules, IOC
	// lists): see files_matchers.go.
	extraMatchers func() ([]files.Matcher, error)
	// extraDetectors builds the checks that run beside the walk (process
	// memory): see files_matchers.go.
	extraDetectors func(g *globals) ([]engine.Detector, error)
}

func newFilesCmd(g *globals) *cobra.Command {
	f := &filesFlags{}
	cmd := &cobra.Command{
		Use:   "files [PATH...]",
		Short: "Scan files for web shells, malware and ransomware signs (one walk, each file read once)",
		Long: `Walk the PATHs (default: the places that matter on the target: web roots,
/tmp, /var/tmp, /dev/shm, home and root directories, /usr/local, /opt, /srv
and the system's program directories) once, reading and hashing each file
once for every matcher: web-shell heuristics for PHP, JSP, ASP(X), CFM and
Perl/Python CGI, scripts in upload directories, code inside images, scripts
much newer than their neighbours, ransom notes and encrypted trees.

The walk stays on each path's filesystem (--cross-fs leaves it), never
enters kernel, network or FUSE filesystems, never follows symlinks, and
records what it skipped and why in the files.coverage finding and the gaps.
Package-owned files that match the package database are not reported.

Findings go through the same catalog, suppressions and store as vigil scan
(saved unless --no-store). Exit status: 0 when nothing shown is at or above
--fail-on, 1 when something is, 2 on error.`,
		Example: `  vigil files                                   # the default places of the live host
  vigil files --root /mnt/image /var/www        # one tree of an image
  vigil files --max-time 10m --max-bytes 20G -f json`,
		RunE: func(cmd *cobra.Command, args []string) error { return runFiles(cmd, g, f, args) },
	}
	fl := cmd.Flags()
	s := &f.scan
	fl.StringVar(&s.root, "root", "", "scan the files of a mounted image or extracted root filesystem instead of the live host")
	registerFindingFlags(cmd, s)
	fl.StringVar(&s.progress, "progress", "auto", "progress of the walk on stderr (files, bytes, rate, time left): auto (when stderr is a terminal), always, never")
	fl.BoolVar(&f.crossFS, "cross-fs", false, "also walk into other filesystems mounted under the paths (never network, FUSE or kernel filesystems)")
	fl.StringVar(&f.maxBytes, "max-bytes", "0", "stop after reading this much (e.g. 500M, 20G; 0: no limit)")
	fl.Int64Var(&f.maxFiles, "max-files", 0, "stop after reading this many files (0: no limit)")
	fl.DurationVar(&f.maxTime, "max-time", 0, "stop after this long (e.g. 10m; 0: no limit)")
	fl.StringVar(&f.contentLimit, "content-limit", "8M", "match the content of at most this many first bytes of a file (larger files are still hashed whole)")
	fl.StringSliceVar(&f.exclude, "exclude", nil, "do not walk these paths (and what is under them; repeatable)")
	fl.StringVar(&s.cpuProfile, "cpuprofile", "", "debug: write a CPU profile of the scan to FILE (go tool pprof)")
	_ = fl.MarkHidden("cpuprofile")
	registerFilesMatchers(cmd, f)
	return cmd
}

func runFiles(cmd *cobra.Command, g *globals, f *filesFlags, args []string) error {
	usage := func(err error) error { return &exitError{code: ExitError, err: err} }
	cfg, err := f.config(args)
	if err != nil {
		return usage(err)
	}
	show, err := wantProgress(f.scan.progress, g.stderr)
	if err != nil {
		return usage(err)
	}
	if show {
		p := newProgress(g.stderr, g.Lang())
		cfg.Walk.Progress = p.Files
		cfg.WalkDone = p.Done
	}
	if !f.scan.noStore && f.scan.root == "" {
		// Vigil never reads or reports its own store.
		if sp, err := filepath.Abs(app.StorePath(f.scan.store.path, g.getenv)); err == nil {
			cfg.Walk.Exclude = append(cfg.Walk.Exclude, sp, sp+"-wal", sp+"-shm")
		}
	}
	f.scan.progress = "never" // the walk has its own progress line
	dets := []engine.Detector{dfiles.NewWith(cfg)}
	if f.extraDetectors != nil {
		more, err := f.extraDetectors(g)
		if err != nil {
			return usage(err)
		}
		dets = append(dets, more...)
	}
	ctx := context.WithValue(cmd.Context(), detectorsKey{}, dets)
	cmd.SetContext(ctx)
	return runScan(cmd, g, &f.scan)
}

// registerFindingFlags adds the flags of a command that reports findings
// through the scan's machinery (vigil logs, vigil files): output, filters,
// suppressions and the store.
func registerFindingFlags(cmd *cobra.Command, s *scanFlags) {
	fl := cmd.Flags()
	fl.StringVarP(&s.format, "format", "f", "table", "output format: table, json, jsonl")
	fl.StringVar(&s.failOn, "fail-on", "high", "exit 1 when a shown finding is at or above this severity (info..critical, none)")
	fl.StringVar(&s.minSeverity, "min-severity", "info", "show only findings at or above this severity")
	fl.BoolVarP(&s.verbose, "verbose", "v", false, "table: explain each finding (why, how to verify, what to do)")
	fl.StringVar(&s.color, "color", "auto", "colour the table: auto, always, never")
	fl.StringArrayVar(&s.suppressions, "suppressions", nil, "also apply the suppressions in this YAML file (from vigil ignore export); repeatable, works with --no-store")
	s.store.register(cmd)
	fl.BoolVar(&s.noStore, "no-store", false, "write nothing on this host: do not save the findings")
	fl.BoolVar(&s.showSuppressed, "show-suppressed", false, "also show suppressed findings, marked")
	fl.IntVar(&s.maxPerRule, "max-per-rule", engine.DefaultMaxPerRule, "report at most N findings of one rule, and fold the rest into one finding that counts them (0: never fold)")
}

// config turns the flags into the detector's configuration.
func (f *filesFlags) config(args []string) (dfiles.Config, error) {
	cfg := dfiles.Config{Wide: true}
	var err error
	if cfg.Walk.MaxBytes, err = ParseSize(f.maxBytes); err != nil {
		return cfg, fmt.Errorf("--max-bytes: %w", err)
	}
	if cfg.Walk.ContentCap, err = ParseSize(f.contentLimit); err != nil {
		return cfg, fmt.Errorf("--content-limit: %w", err)
	}
	if f.maxFiles < 0 || f.maxTime < 0 {
		return cfg, errors.New("--max-files and --max-time must not be negative")
	}
	cfg.Walk.MaxFiles, cfg.Walk.MaxTime, cfg.Walk.CrossFS = f.maxFiles, f.maxTime, f.crossFS
	for _, a := range args {
		if f.scan.root == "" {
			if a, err = filepath.Abs(a); err != nil {
				return cfg, err
			}
		}
		cfg.Paths = append(cfg.Paths, a)
	}
	cfg.Walk.Exclude = append(cfg.Walk.Exclude, f.exclude...)
	cfg.Walk.ExcludeIDs = outputIDs()
	if f.extraMatchers != nil {
		if cfg.Matchers, err = f.extraMatchers(); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// outputIDs are the files Vigil's own output goes to (stdout and stderr
// redirected to files): never read, never reported.
func outputIDs() []files.FileID {
	var out []files.FileID
	for _, fd := range []int{1, 2} {
		var st syscall.Stat_t
		if syscall.Fstat(fd, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFREG {
			out = append(out, files.FileID{Dev: uint64(st.Dev), Ino: st.Ino})
		}
	}
	return out
}

// Files is the file walk's progress callback: files, bytes, rate and ETA.
func (p *progress) Files(c files.Coverage) {
	p.show("vigil: " + filesProgressLine(p.lang, c))
}

// filesProgressLine is the walk's progress: files and MiB done, rate and
// time, and once the estimate listed the paths, of how many and the time
// left.
func filesProgressLine(lang string, c files.Coverage) string {
	mib := float64(c.Bytes) / (1 << 20)
	rate := 0.0
	if secs := c.Duration.Seconds(); secs > 0 {
		rate = mib / secs
	}
	f1 := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	if left, ok := c.ETA(); ok {
		return texts().T(lang, "cli.progress.files-eta", c.Seen, c.EstFiles, f1(mib), f1(float64(c.EstBytes)/(1<<20)), f1(rate),
			c.Duration.Round(time.Second), time.Duration(left).Round(time.Second))
	}
	return texts().T(lang, "cli.progress.files", c.Seen, f1(mib), f1(rate), c.Duration.Round(time.Second))
}

// ParseSize parses a byte count: a number with an optional K, M, G or T
// suffix (powers of 1024; "0" is no limit).
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "B"), "I")
	mult := int64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			s = s[:n-1]
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 || v*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("%q is not a size (e.g. 500M, 20G)", s)
	}
	return int64(v * float64(mult)), nil
}

// addScanFilesFlag gives vigil scan --files: the file walk widened from the
// web roots and staging directories to the default places.
func addScanFilesFlag(cmd *cobra.Command) {
	var wide bool
	cmd.Flags().BoolVar(&wide, "files", false, "also scan the files of the default places (as vigil files does), not only web roots and staging directories")
	prev := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		if prev != nil {
			if err := prev(cmd, args); err != nil {
				return err
			}
		}
		if !wide {
			return nil
		}
		ds := detectorsFrom(cmd.Context())
		out := make([]engine.Detector, 0, len(ds))
		for _, d := range ds {
			if d.Name() == "files" {
				d = dfiles.NewWith(dfiles.Config{Wide: true, Walk: files.Options{ExcludeIDs: outputIDs()}, Matchers: builtinFileMatchers()})
			}
			out = append(out, d)
		}
		cmd.SetContext(context.WithValue(cmd.Context(), detectorsKey{}, out))
		return nil
	}
}
