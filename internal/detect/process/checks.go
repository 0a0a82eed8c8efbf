package process

import (
	"path"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/netsock"
	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// check runs the per-process checks on p.
func (r *run) check(p *procs.Process) {
	if p.Kernel {
		return
	}
	pkg := r.pkgOf(p)
	placed := r.exe(p, pkg)
	r.fakeKernelThread(p, pkg)
	miner := r.cmdline(p, pkg)
	if !miner {
		miner = r.minerSockets(p, pkg)
	}
	if !miner {
		r.highCPU(p, pkg)
	}
	if !placed {
		r.orphan(p, pkg)
	}
	if p.Env["LD_PRELOAD"] != "" || p.Env["LD_AUDIT"] != "" {
		r.pre = append(r.pre, p)
	}
	if p.State != "Z" {
		r.maps(p, pkg)
	}
}

// placeIndicators names why path p is odd.
func placeIndicators(p string) []string {
	var out []string
	if places.Temporary(p) {
		out = append(out, indWritable)
	}
	if places.HiddenDir(p) != "" {
		out = append(out, indHidden)
	}
	return out
}

// runcMemfd is how runc re-executes itself from a sealed memfd (the
// CVE-2019-5736 fix): a legitimate fileless program, briefly.
var runcMemfd = lazyre.New(`^/?memfd:runc_cloned:`)

// exe grades where the executable is: a memfd, deleted, a writable or
// hidden directory. It reports whether it emitted a finding.
func (r *run) exe(p *procs.Process, pkg string) bool {
	switch {
	case p.Exe == "":
		return false
	case p.Memfd:
		if runcMemfd.MatchString(p.Exe) && (p.Name == "runc" || strings.HasPrefix(p.Name, "runc:")) {
			return false
		}
		f := r.finding(ruleFileless, p, pkg, indMemfd)
		f.Evidence.Extra["memfd"] = strings.TrimPrefix(p.Exe, "/")
		r.add(f, p.PID)
		return true
	case p.ExeDeleted:
		odd := places.Odd(p.Exe)
		if !odd {
			// A package upgrade or a redeploy replaces the file under a
			// running daemon: the path holds the new file. Only a program
			// whose file is gone altogether is suspicious.
			if _, err := r.t.Stat(procs.ExePath(p)); err == nil {
				return false
			}
		}
		f := r.finding(ruleDeleted, p, pkg, append([]string{indDeleted}, placeIndicators(p.Exe)...)...)
		if odd {
			f = f.WithSeverity(model.Critical).WithConfidence(model.ConfHigh)
		}
		r.add(f, p.PID)
		return true
	}
	prog := program(p)
	if !places.Odd(prog) {
		return false
	}
	f := r.finding(ruleOddPlace, p, pkg, placeIndicators(prog)...)
	if prog != p.Exe {
		f.Evidence.Extra["script"] = prog
	}
	r.add(f, p.PID)
	return true
}

// kthreadComm matches the names of kernel threads that a user-space
// program takes to hide in a process list. Names that are also ordinary
// daemons (watchdog) only count with their per-CPU suffix.
var kthreadComm = lazyre.New(`^(?:(?:kworker|ksoftirqd|migration|cpuhp|idle_inject|irq|watchdog|jbd2|scsi_eh|rcuop|rcuos|rcuog|kcompactd|kswapd)/\S*|kthreadd|kswapd\d+|khugepaged|kcompactd\d+|kdevtmpfs|kauditd|khungtaskd|oom_reaper|ksmd|kblockd|rcu_sched|rcu_gp|rcu_preempt|kintegrityd|writeback|kthrotld|ipv6_addrconf)$`)

// bracketed is a command line dressed as ps shows a kernel thread.
var bracketed = lazyre.New(`^\[[^\s\[\]]+\]$`)

// fakeKernelThread flags a user-space process (it has an executable, or a
// parent other than kthreadd) named or dressed like a kernel thread.
func (r *run) fakeKernelThread(p *procs.Process, pkg string) {
	cmd := strings.TrimSpace(strings.Join(p.Cmdline, " "))
	dressed := bracketed.MatchString(cmd)
	named := kthreadComm.MatchString(p.Name)
	if !dressed && !named {
		return
	}
	f := r.finding(ruleFakeKthread, p, pkg, indFakeKthread)
	if p.Exe != "" && places.Odd(p.Exe) {
		f.Indicators = append(f.Indicators, placeIndicators(p.Exe)...)
	}
	r.add(f, p.PID)
}

// inspectors are programs whose arguments name what they look for, not
// what they run: an administrator's "grep xmrig" is not a miner.
var inspectors = map[string]bool{
	"grep": true, "egrep": true, "fgrep": true, "rg": true, "ag": true, "ack": true, "zgrep": true,
	"find": true, "locate": true, "pkill": true, "pgrep": true, "kill": true, "killall": true, "ps": true,
	"cat": true, "less": true, "more": true, "tail": true, "head": true, "vi": true, "vim": true, "nano": true,
	"emacs": true, "strings": true, "file": true, "ls": true, "stat": true, "rm": true, "mv": true, "cp": true,
	"chattr": true, "lsattr": true, "sha256sum": true, "md5sum": true, "sha1sum": true, "tcpdump": true,
	"lsof": true, "strace": true, "ltrace": true, "gdb": true, "journalctl": true, "man": true, "echo": true,
	"awk": true, "sed": true, "wc": true, "sort": true, "uniq": true, "xxd": true, "hexdump": true, "od": true,
	"objdump": true, "readelf": true, "tshark": true, "ss": true, "netstat": true, "iptables": true,
	"nft": true, "clamscan": true, "rkhunter": true, "chkrootkit": true, "vigil": true, "yara": true,
}

// wrappers run the command given as their arguments.
var wrappers = map[string]bool{
	"sudo": true, "env": true, "nohup": true, "timeout": true, "nice": true, "ionice": true, "setsid": true,
	"stdbuf": true, "watch": true, "xargs": true, "time": true, "doas": true, "chrt": true, "taskset": true,
}

// segmentInspects reports whether the simple command holding position i of
// s starts with an inspector (after wrappers).
func segmentInspects(s string, i int) bool {
	start := strings.LastIndexAny(s[:i], "|;&(`\n") + 1
	for _, w := range strings.Fields(s[start:]) {
		b := path.Base(strings.Trim(w, `"'`))
		if strings.HasPrefix(w, "-") || strings.Contains(w, "=") && !strings.Contains(w, "/") || wrappers[b] {
			continue
		}
		return inspectors[b]
	}
	return false
}

// poolCmdline grades the command line with cmdscan. It reports whether a
// miner was found.
func (r *run) cmdline(p *procs.Process, pkg string) bool {
	if len(p.Cmdline) == 0 {
		return false
	}
	text := strings.Join(p.Cmdline, " ")
	var kept []cmdscan.Match
	for _, m := range cmdscan.Scan(text) {
		switch m.ID {
		case "exec-writable-path", "exec-hidden-path":
			continue // the executable's place is graded from the exe link
		case "account-change", "anti-forensics.timestomp", "immutable-attr":
			if m.Severity < model.High {
				continue // an admin at work (passwd, touch -r, chattr)
			}
		}
		if i := strings.Index(text, m.Fragment); i >= 0 && segmentInspects(text, i) {
			continue
		}
		kept = append(kept, m)
	}
	if len(kept) == 0 {
		return false
	}
	worst := kept[0]
	rule := ruleCmdline
	miner := false
	for _, m := range kept {
		if m.ID == indMiner {
			rule, miner = ruleMiner, true
			worst = m
			break
		}
	}
	f := r.finding(rule, p, pkg, cmdscan.IDs(kept)...)
	f.Evidence.Extra["matched"] = worst.Fragment
	if rule == ruleMiner {
		f = f.WithSeverity(model.Critical).WithConfidence(worst.Confidence)
	} else {
		f = f.WithSeverity(worst.Severity).WithConfidence(worst.Confidence)
	}
	r.add(f, p.PID)
	return miner
}

// minerSockets flags a process that talks to a mining pool port while it
// burns CPU. It reports whether it did.
func (r *run) minerSockets(p *procs.Process, pkg string) bool {
	if p.CPUShare() < 0.5 || p.Runtime < 10*time.Minute {
		return false
	}
	for _, ino := range p.Sockets {
		s, ok := r.socks.ByInode(ino)
		if !ok || !s.IsTCP() || !s.Connected() || !netsock.PoolPort(s.Remote.Port()) {
			continue
		}
		a := s.Remote.Addr().Unmap()
		if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() {
			continue
		}
		f := r.finding(ruleMiner, p, pkg, indPoolPort, indHighCPU)
		f.Evidence.Extra["remote"] = s.Remote.String()
		r.add(f.WithSeverity(model.Critical).WithConfidence(model.ConfMedium), p.PID)
		return true
	}
	return false
}

// normalPlaces hold software an administrator installed by hand: busy
// programs there are the admin's business.
var normalPlaces = []string{"/usr/local/", "/opt/", "/snap/", "/srv/"}

func inNormalPlace(p string) bool {
	for _, d := range normalPlaces {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// highCPU flags a long-running process that no package installed and that
// kept more than 80% of a core busy over its life: what a miner does.
func (r *run) highCPU(p *procs.Process, pkg string) {
	if p.CPUShare() < 0.8 || p.Runtime < 10*time.Minute {
		return
	}
	prog := program(p)
	switch {
	case places.Odd(prog):
	case pkg == model.NoPackage && !inNormalPlace(prog):
	default:
		return
	}
	inds := []string{indHighCPU}
	if pkg == model.NoPackage {
		inds = append(inds, indNotPackaged)
	}
	r.add(r.finding(ruleHighCPU, p, pkg, append(inds, placeIndicators(prog)...)...), p.PID)
}

// orphan flags a program from a home directory that was started from a
// login session and left running under init (nohup, setsid, disown): the
// way an intruder keeps a tool alive. Services started by systemd units
// are the unit checks' business.
func (r *run) orphan(p *procs.Process, pkg string) {
	if p.PPID != 1 || p.Container != "" || pkg != model.NoPackage {
		return
	}
	prog := program(p)
	if !strings.HasPrefix(prog, "/home/") && !strings.HasPrefix(prog, "/root/") {
		return
	}
	if strings.HasSuffix(path.Base(p.Cgroup), ".service") {
		return
	}
	f := r.finding(ruleOrphan, p, pkg, indOrphan, indNotPackaged)
	if p.Cgroup != "" {
		f.Evidence.Extra["cgroup"] = p.Cgroup
	}
	r.add(f, p.PID)
}

// preloadVars make the dynamic linker load extra libraries.
var preloadVars = []string{"LD_PRELOAD", "LD_AUDIT"}

// preloads groups the processes by their LD_PRELOAD (LD_AUDIT) value and
// grades each value once by the libraries it names.
func (r *run) preloads() {
	byVal := map[string][]*procs.Process{}
	var vals []string
	for _, p := range r.pre {
		for _, k := range preloadVars {
			v := p.Env[k]
			if v == "" {
				continue
			}
			kv := k + "=" + v
			if _, ok := byVal[kv]; !ok {
				vals = append(vals, kv)
			}
			byVal[kv] = append(byVal[kv], p)
		}
	}
	for _, kv := range vals {
		ps := byVal[kv]
		k, v, _ := strings.Cut(kv, "=")
		sev, conf, inds, ok := r.gradePreload(v, ps[0])
		if !ok {
			continue
		}
		p := ps[0]
		f := r.finding(rulePreload, p, r.pkgOf(p), append([]string{indPreload}, inds...)...)
		f.Subject = textclip.Clip(kv, 200)
		f.Evidence.Extra[strings.ToLower(k)] = v
		f.Key = kv
		f = f.WithSeverity(sev).WithConfidence(conf)
		for _, q := range ps {
			r.add(f, q.PID)
		}
	}
}

// gradePreload grades an LD_PRELOAD value: libraries that packages
// installed (jemalloc, libeatmydata, gtk3-nocsd) are silent; a missing
// library or one in a writable or hidden place is high.
func (r *run) gradePreload(v string, p *procs.Process) (model.Severity, model.Confidence, []string, bool) {
	sev, conf := model.Medium, model.ConfLow
	var inds []string
	loud := false
	for _, lib := range strings.FieldsFunc(v, func(c rune) bool { return c == ' ' || c == ':' }) {
		if !strings.HasPrefix(lib, "/") || p.Container != "" {
			loud = true // searched name or a container's file: cannot vouch for it
			continue
		}
		if places.Odd(lib) {
			inds = append(inds, placeIndicators(lib)...)
			sev, conf, loud = model.High, model.ConfHigh, true
			continue
		}
		if _, err := r.t.Stat(lib); err != nil {
			inds = append(inds, indMissing)
			sev, conf, loud = model.High, model.ConfMedium, true
			continue
		}
		switch r.pk.Owner(lib) {
		case model.NoPackage:
			inds = append(inds, indNotPackaged)
			if !inNormalPlace(lib) && sev < model.High {
				sev, conf = model.High, model.ConfMedium
			}
			loud = true
		case "":
			loud = true
		}
	}
	return sev, conf, dedupe(inds), loud
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
