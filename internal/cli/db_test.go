package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/vuln/kpi"
	"github.com/vigil-ir/vigil/internal/vuln/vulntest"
)

func TestDbImportAndStatus(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	f, err := vulntest.Write(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r := vigil(t, "db", "status", "--store", db); r.code != 0 || !strings.Contains(r.out, "vigil db import") {
		t.Fatalf("status of no store: %+v", r)
	}
	r := vigil(t, append([]string{"db", "import", "--store", db}, f.All()...)...)
	if r.code != 0 || strings.Count(r.out, "added") != 4 {
		t.Fatalf("import: %+v", r)
	}
	before := vigil(t, "db", "status", "--store", db, "--format", "json")
	st := decode[app.DBStatus](t, before)
	if len(st.Sources) != 4 || len(st.Slices) != 2 {
		t.Fatalf("status %+v", st)
	}
	r = vigil(t, append([]string{"db", "import", "--store", db}, f.All()...)...)
	if r.code != 0 || strings.Count(r.out, "unchanged") != 4 {
		t.Fatalf("second import: %+v", r)
	}
	// A truncated file is refused; the data stays as it was.
	b, _ := os.ReadFile(f.Tracker)
	cut := filepath.Join(t.TempDir(), "tracker.json")
	os.WriteFile(cut, b[:len(b)/2], 0o644)
	r = vigil(t, "db", "import", "--store", db, f.KEV, cut)
	if r.code != ExitError || !strings.Contains(r.err, cut) || !strings.Contains(r.err, "nothing was changed") || r.out != "" {
		t.Fatalf("truncated import: %+v", r)
	}
	if after := vigil(t, "db", "status", "--store", db, "--format", "json"); after.out != before.out {
		t.Errorf("a refused import changed the data:\n%s\n%s", before.out, after.out)
	}
	zh := vigil(t, "db", "status", "--store", db, "--lang", "zh-CN")
	if !strings.Contains(zh.out, "数据源") || !strings.Contains(zh.out, "debian 12") {
		t.Errorf("status in Chinese: %s", zh.out)
	}
}

func TestVulnCommand(t *testing.T) {
	root := testutil.RootFromString(t, "-- etc/passwd --\nroot:x:0:0::/root:/bin/sh\n-- etc/os-release --\nID=debian\nVERSION_ID=12\n"+
		"-- var/lib/dpkg/status --\nPackage: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u5\n-- var/lib/dpkg/info/base-files.list --\n/etc\n")
	db := filepath.Join(t.TempDir(), "v.db")
	if r := vigil(t, "vuln", "--root", root, "--store", db); r.code != ExitError || !strings.Contains(r.err, "nothing was checked") {
		t.Fatalf("no store: %+v", r)
	}
	f, _ := vulntest.Write(t.TempDir(), time.Now())
	vigil(t, append([]string{"db", "import", "--store", db}, f.All()...)...)
	r := vigil(t, "vuln", "--root", root, "--store", db)
	if r.code != ExitFindings || !strings.Contains(r.out, "CVE-2099-0001") || !strings.Contains(r.out, "debian 12: 1 packages") {
		t.Fatalf("vuln: %+v", r)
	}
	zh := vigil(t, "vuln", "--root", root, "--store", db, "--lang", "zh-CN", "--fail-on", "none")
	if zh.code != 0 || !strings.Contains(zh.out, "有可用修复") {
		t.Errorf("Chinese: %+v", zh)
	}
	if r := vigil(t, "vuln", "--root", root, "--store", db, "--max-age", "x"); r.code != ExitError {
		t.Errorf("bad --max-age: %+v", r)
	}
}

func TestVulnLifecycleCommands(t *testing.T) {
	root := testutil.RootFromString(t, "-- etc/passwd --\nroot:x:0:0::/root:/bin/sh\n-- etc/os-release --\nID=debian\nVERSION_ID=12\n"+
		"-- var/lib/dpkg/status --\nPackage: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u5\n\n"+
		"Package: openssh-server\nStatus: install ok installed\nSource: openssh\nVersion: 1:9.2p1-2+deb12u3\n"+
		"-- var/lib/dpkg/info/base-files.list --\n/etc\n")
	db := filepath.Join(t.TempDir(), "v.db")
	f, _ := vulntest.Write(t.TempDir(), time.Now())
	vigil(t, append([]string{"db", "import", "--store", db}, f.All()...)...)
	rep := decode[app.VulnReport](t, vigil(t, "vuln", "--root", root, "--store", db, "--format", "json"))
	if len(rep.Vulnerabilities) != 3 {
		t.Fatalf("%+v", rep.Vulnerabilities)
	}
	for _, v := range rep.Vulnerabilities {
		if v.ID == 0 || v.State != "open" || v.FirstSeen.IsZero() || (v.Severity.String() == "high" && v.Due.Sub(v.FirstSeen) != 90*24*time.Hour) {
			t.Errorf("lifecycle fields: %+v", v)
		}
	}
	if r := vigil(t, "vuln", "accept", "CVE-2099-0001", "--store", db); r.code != ExitError || !strings.Contains(r.err, "--reason") {
		t.Errorf("accept without a reason: %+v", r)
	}
	if r := vigil(t, "vuln", "accept", "CVE-2099-0001", "--reason", "compensating control", "--until", "30d", "--store", db); r.code != 0 || !strings.Contains(r.out, "risk accepted") {
		t.Fatalf("accept: %+v", r)
	}
	r := vigil(t, "vuln", "--root", root, "--store", db)
	if strings.Contains(r.out, "CVE-2099-0001") || !strings.Contains(r.out, "1 risk-accepted") || r.code != 0 {
		t.Errorf("accepted row still listed or counted: %+v", r)
	}
	if r := vigil(t, "vuln", "--root", root, "--store", db, "--all"); !strings.Contains(r.out, "CVE-2099-0001") {
		t.Errorf("--all: %s", r.out)
	}
	vigil(t, "vuln", "reopen", "CVE-2099-0001", "--reason", "control removed", "--store", db)
	audit := vigil(t, "vuln", "audit", "--store", db)
	for _, w := range []string{"found by a scan", "compensating control", "control removed", "risk accepted → open"} {
		if !strings.Contains(audit.out, w) {
			t.Errorf("audit lacks %q:\n%s", w, audit.out)
		}
	}
	plan := vigil(t, "vuln", "plan", "--root", root, "--store", db)
	if plan.code != 0 || !strings.Contains(plan.out, "apt-get update && apt-get install --only-upgrade -y base-files") || !strings.Contains(plan.out, "snapshot") {
		t.Errorf("plan: %+v", plan)
	}
	zh := vigil(t, "vuln", "plan", "--root", root, "--store", db, "--lang", "zh-CN")
	if !strings.Contains(zh.out, "快照") {
		t.Errorf("plan in Chinese: %s", zh.out)
	}
	rep2 := decode[kpi.Report](t, vigil(t, "vuln", "report", "--format", "json", "--store", db))
	if rep2.Total.Open != 3 || len(rep2.Sources) != 4 || len(rep2.Targets) != 1 {
		t.Errorf("report: %+v", rep2)
	}
	out := filepath.Join(t.TempDir(), "r.html")
	if r := vigil(t, "vuln", "report", "--store", db, "--lang", "zh-CN", "-o", out); r.code != 0 {
		t.Fatalf("html report: %+v", r)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), "漏洞修复报告") || !strings.Contains(string(b), "<svg") {
		t.Errorf("html report in Chinese: %.300s", b)
	}
}

// TestScanSaysDataAge: vigil scan, with a store, says in its gaps when
// the vulnerability data of the target's release is old or missing, in
// the reader's language.
func TestScanSaysDataAge(t *testing.T) {
	root := testutil.RootFromString(t, "-- etc/passwd --\nroot:x:0:0::/root:/bin/sh\n-- etc/os-release --\nID=debian\nVERSION_ID=12\n"+
		"-- var/lib/dpkg/status --\nPackage: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u5\n-- var/lib/dpkg/info/base-files.list --\n/etc\n")
	db := filepath.Join(t.TempDir(), "v.db")
	r := vigil(t, "scan", "--root", root, "--store", db)
	if !strings.Contains(r.out, "[vuln.data]") || !strings.Contains(r.out, "no vulnerability data for debian 12") {
		t.Fatalf("no data: %+v", r)
	}
	f, err := vulntest.Write(t.TempDir(), time.Now().AddDate(0, 0, -9))
	if err != nil {
		t.Fatal(err)
	}
	if r := vigil(t, append([]string{"db", "import", "--store", db}, f.All()...)...); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	r = vigil(t, "scan", "--root", root, "--store", db)
	if !strings.Contains(r.out, "is 9 days old") {
		t.Fatalf("old data: %+v", r)
	}
	r = vigil(t, "scan", "--root", root, "--store", db, "--lang", "zh-CN")
	if !strings.Contains(r.out, "漏洞数据已有 9 天") {
		t.Fatalf("old data, in Chinese: %+v", r)
	}
	if r := vigil(t, "vuln", "--root", root, "--store", db, "--max-age", "0"); !strings.Contains(r.out, "is 9 days old") {
		t.Fatalf("vigil vuln --max-age 0: %+v", r)
	}
}
