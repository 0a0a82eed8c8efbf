package cli

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/detect/logs"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/ioc"
	lsrc "github.com/vigil-ir/vigil/internal/logs"
	"github.com/vigil-ir/vigil/internal/logs/rules"
	"github.com/vigil-ir/vigil/internal/logs/sigma"
	vrules "github.com/vigil-ir/vigil/rules"
)

type logsFlags struct {
	scan           scanFlags
	since, until   string
	logFormat      string
	brute          int
	bruteWindow    time.Duration
	sprayUsers     int
	successAfter   int
	learn          time.Duration
	allowPaths     []string
	allowAgents    []string
	allowCIDRs     []string
	extraObservers func(*logs.Options) error // --sigma, --ioc (logs_sigma.go)
}

func newLogsCmd(g *globals) *cobra.Command {
	f := &logsFlags{}
	cmd := &cobra.Command{
		Use:   "logs [FILE...]",
		Short: "Read the logs for attacks: brute force, logins, privilege, tampering, web attacks",
		Long: `Read the target's logs (by default the standard places: auth.log or secure,
syslog, web server access logs, with their rotated and .gz siblings; or the
FILEs given, inside --root when set; - is standard input) and judge them with
stateful rules: SSH brute force, spraying, a login after failures, new
sources and accounts, root logins, account and sudo changes, log tampering,
web attacks and WebShells. Each log read is also listed with its lines read,
parsed and unparsed.

Findings go through the same catalog, suppressions and store as vigil scan
(saved unless --no-store). Exit status: 0 when nothing shown is at or above
--fail-on, 1 when something is, 2 on error.`,
		Example: `  vigil logs                                       # the live host's standard log places
  vigil logs --root /mnt/image --since 2026-03-01  # an image, from a date
  vigil logs /var/log/nginx/access.log --allow-cidr 10.0.0.0/8 -f json`,
		RunE: func(cmd *cobra.Command, args []string) error { return runLogs(cmd, g, f, args) },
	}
	fl := cmd.Flags()
	s := &f.scan
	fl.StringVar(&s.root, "root", "", "read the logs of a mounted image or extracted root filesystem instead of the live host")
	registerFindingFlags(cmd, s)
	fl.StringVar(&f.since, "since", "", "judge only events at or after TIME (RFC 3339, YYYY-MM-DD, or a duration like 72h or 7d)")
	fl.StringVar(&f.until, "until", "", "judge only events at or before TIME (RFC 3339, YYYY-MM-DD, or a duration like 72h or 7d)")
	fl.StringVar(&f.logFormat, "log-format", "", "format of the FILEs: auth, syslog, cron, dpkg, wtmp, btmp, audit, web.access, web.error, journal (default: guessed from each name)")
	fl.IntVar(&f.brute, "brute-threshold", 10, "failed logins within --brute-window that make a brute force (per source and per account)")
	fl.DurationVar(&f.bruteWindow, "brute-window", 10*time.Minute, "window of --brute-threshold")
	fl.IntVar(&f.sprayUsers, "spray-users", 5, "distinct accounts one source tries within 30 minutes that make password spraying")
	fl.IntVar(&f.successAfter, "success-after", 5, "failures from a source that make its next successful login a likely compromise")
	fl.DurationVar(&f.learn, "learn", 72*time.Hour, "how long from the first event the rules only learn usual sources, accounts and hours")
	fl.StringSliceVar(&f.allowPaths, "allow-path", nil, "web: do not judge requests to these paths (prefixes or globs; repeatable)")
	fl.StringSliceVar(&f.allowAgents, "allow-agent", nil, "web: do not judge requests whose User-Agent contains this text (repeatable)")
	fl.StringSliceVar(&f.allowCIDRs, "allow-cidr", nil, "web: do not judge requests from these networks (CIDR; repeatable)")
	registerLogsObservers(cmd, f)
	fl.StringVar(&s.cpuProfile, "cpuprofile", "", "debug: write a CPU profile of the run to FILE (go tool pprof)")
	_ = fl.MarkHidden("cpuprofile")
	return cmd
}

// logsGC lets the heap of a log read grow to three times what it holds
// (GOGC=200) unless GOGC is set: a read allocates a copy of every line and
// holds little (a few batches in flight, the rules' state), so the default
// collected a dozen times on a 1M-line auth.log; this is 4-8% of the run,
// for about 12 MB more at the peak (60 -> 72 MB on 1M lines).
func logsGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
}

func runLogs(cmd *cobra.Command, g *globals, f *logsFlags, args []string) error {
	logsGC(g.getenv)
	usage := func(err error) error { return &exitError{code: ExitError, err: err} }
	opt, err := f.options(cmd, args)
	if err != nil {
		return usage(err)
	}
	var mem *logMemory
	if !f.scan.noStore {
		mem = newLogMemory(cmd.Context(), app.StorePath(f.scan.store.path, g.getenv))
		opt.Memory = mem
	}
	det := logs.New(opt)
	ctx := context.WithValue(cmd.Context(), detectorsKey{}, []engine.Detector{det})
	cmd.SetContext(ctx)
	err = runScan(cmd, g, &f.scan)
	if mem != nil {
		if serr := mem.save(); serr != nil {
			g.warnf("%s", g.t("cli.logs.memory-not-saved", serr))
		}
	}
	return err
}

// options turns the flags into the detector's options.
func (f *logsFlags) options(cmd *cobra.Command, args []string) (logs.Options, error) {
	now := time.Now()
	opt := logs.Options{Format: f.logFormat, Stdin: cmd.InOrStdin()}
	var err error
	if f.since != "" {
		if opt.Since, err = ParseSince(f.since, now); err != nil {
			return opt, fmt.Errorf("--since: %w", err)
		}
	}
	if f.until != "" {
		if opt.Until, err = ParseSince(f.until, now); err != nil {
			return opt, fmt.Errorf("--until: %w", err)
		}
	}
	if f.logFormat != "" && !lsrc.Supported(f.logFormat) {
		return opt, fmt.Errorf("--log-format %q: not one of %s", f.logFormat, strings.Join(lsrc.Formats(), ", "))
	}
	for _, a := range args {
		if a != "-" && f.scan.root == "" {
			if a, err = filepath.Abs(a); err != nil {
				return opt, err
			}
		}
		opt.Files = append(opt.Files, a)
	}
	opt.Rules = rules.Config{BruteThreshold: f.brute, BruteWindow: f.bruteWindow, SprayUsers: f.sprayUsers,
		SuccessAfter: f.successAfter, LearnFor: f.learn}
	opt.Rules.Web.AllowPaths = f.allowPaths
	opt.Rules.Web.AllowAgents = f.allowAgents
	for _, c := range f.allowCIDRs {
		p, err := netip.ParsePrefix(strings.TrimSpace(c))
		if err != nil {
			return opt, fmt.Errorf("--allow-cidr: %w", err)
		}
		opt.Rules.Web.AllowCIDRs = append(opt.Rules.Web.AllowCIDRs, p.Masked())
	}
	if f.extraObservers != nil {
		if err := f.extraObservers(&opt); err != nil {
			return opt, err
		}
	}
	if f.brute < 1 || f.sprayUsers < 1 || f.successAfter < 1 {
		return opt, errors.New("--brute-threshold, --spray-users and --success-after must be at least 1")
	}
	return opt, nil
}

// registerLogsObservers adds the flags of further judgements: Sigma rules
// (Vigil's own, embedded, and --sigma DIR) and indicator lists (--ioc).
func registerLogsObservers(cmd *cobra.Command, f *logsFlags) {
	var dirs []string
	var noBuiltin bool
	var iocLists []string
	cmd.Flags().StringArrayVar(&iocLists, "ioc", nil, "match the addresses, domains and URLs of this indicator list (plain, MISP/OTX CSV, STIX 2.1) in every event; repeatable")
	cmd.Flags().StringArrayVar(&dirs, "sigma", nil, "also evaluate the Sigma rules (SigmaHQ format, Linux log sources) in DIR; repeatable")
	cmd.Flags().BoolVar(&noBuiltin, "no-builtin-sigma", false, "do not evaluate Vigil's own Sigma rules")
	f.extraObservers = func(opt *logs.Options) error {
		set := sigma.New()
		if !noBuiltin {
			set.LoadFS(vrules.Sigma, "sigma", "rules/sigma")
		}
		for _, d := range dirs {
			if err := set.LoadDir(d); err != nil {
				return fmt.Errorf("--sigma: %w", err)
			}
		}
		opt.Sigma = set
		if len(iocLists) > 0 {
			iocs, err := ioc.Load(iocLists)
			if err != nil {
				return fmt.Errorf("--ioc: %w", err)
			}
			opt.IOCs = iocs
		}
		return nil
	}
}
