package advisory_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/vuln/advisory"
	"github.com/vigil-ir/vigil/internal/vuln/vulntest"
)

var now = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func fixtures(t testing.TB) vulntest.Files {
	t.Helper()
	f, err := vulntest.Write(t.TempDir(), now)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func parseOne(t *testing.T, path string) *advisory.Batch {
	t.Helper()
	bs, err := advisory.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 {
		t.Fatalf("%s: %d batches", path, len(bs))
	}
	return bs[0]
}

func rows(b *advisory.Batch) map[string]advisory.Affected {
	m := map[string]advisory.Affected{}
	for _, a := range b.Affected {
		m[a.Distro+"/"+a.Release+"/"+a.Package+"/"+a.ID] = a
	}
	return m
}

func TestParseOSVZip(t *testing.T) {
	b := parseOne(t, fixtures(t).OSVZip)
	if b.Source != "osv:Debian" || b.Kind != advisory.KindOSV || !b.DataDate.Equal(now) || b.Digest == "" {
		t.Fatalf("batch %+v", b)
	}
	m := rows(b)
	if a := m["debian/12/base-files/DSA-9901-1"]; a.Status != advisory.Fixed || a.Fixed != "12.4+deb12u9" {
		t.Errorf("fixed row: %+v", a)
	}
	if a := m["debian/12/openssl/DEBIAN-CVE-2099-0003"]; a.Status != advisory.NoFix || a.Fixed != "" {
		t.Errorf("unfixed row: %+v", a)
	}
	if _, ok := m["debian/11/base-files/DSA-9904-1"]; !ok {
		t.Errorf("Debian 11 row missing: %v", m)
	}
	for _, v := range b.Vulns {
		if v.ID == "DSA-9901-1" && (v.CVE() != "CVE-2099-0001" || !strings.HasPrefix(v.CVSS3, "CVSS:3.1/")) {
			t.Errorf("vuln %+v", v)
		}
	}
}

func TestParseOSVDirAndRecord(t *testing.T) {
	dir := t.TempDir()
	rec := `{"id":"UBUNTU-CVE-2099-0010","modified":"2026-12-01T00:00:00Z","aliases":["CVE-2099-0010"],
	"severity":[{"type":"Ubuntu","score":"high"},{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}],
	"affected":[{"package":{"ecosystem":"Ubuntu:22.04:LTS","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.2-0ubuntu1.18"}]}]},
	{"package":{"ecosystem":"Ubuntu:Pro:16.04:LTS","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]},
	{"package":{"ecosystem":"Alpine:v3.19","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.1.4-r5"}]}]},
	{"package":{"ecosystem":"Rocky Linux:9","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:3.0.7-27.el9"}]}]}],
	"future_field": 1}`
	if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	bs, err := advisory.ParseFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]advisory.Affected{}
	for _, b := range bs {
		for k, v := range rows(b) {
			got[b.Source+" "+k] = v
		}
	}
	if a := got["osv:Ubuntu ubuntu/22.04/openssl/UBUNTU-CVE-2099-0010"]; a.Severity != "high" || a.Fixed != "3.0.2-0ubuntu1.18" {
		t.Errorf("ubuntu row %+v (all %v)", a, got)
	}
	if _, ok := got["osv:Alpine alpine/3.19/openssl/UBUNTU-CVE-2099-0010"]; !ok {
		t.Errorf("alpine row missing: %v", got)
	}
	if _, ok := got["osv:Rocky Linux rocky/9/openssl/UBUNTU-CVE-2099-0010"]; !ok {
		t.Errorf("rocky row missing: %v", got)
	}
	if len(got) != 3 {
		t.Errorf("Ubuntu Pro must not be matched: %v", got)
	}
	// The same record alone in a file.
	one := filepath.Join(dir, "one.json")
	os.WriteFile(one, []byte(rec), 0o644)
	if bs, err := advisory.ParseFile(one); err != nil || len(bs) != 3 {
		t.Errorf("single record: %d batches, %v", len(bs), err)
	}
}

func TestParseTracker(t *testing.T) {
	b := parseOne(t, fixtures(t).Tracker)
	m := rows(b)
	for k, want := range map[string]advisory.Status{
		"debian/12/base-files/CVE-2099-0001": advisory.Fixed,
		"debian/11/base-files/CVE-2099-0001": advisory.Fixed,
		"debian/12/openssh/CVE-2099-0006":    advisory.WontFix,
		"debian/12/openssh/CVE-2099-0007":    advisory.NoFix,
		"debian/12/openssh/CVE-2099-0008":    advisory.Fixed,
	} {
		if m[k].Status != want {
			t.Errorf("%s: %+v, want %s", k, m[k], want)
		}
	}
	if _, ok := m["debian/12/base-files/CVE-2099-0005"]; ok {
		t.Error("a release never affected (fixed version 0) gave a row")
	}
	if m["debian/12/base-files/CVE-2099-0001"].Severity != "high" {
		t.Errorf("urgency not kept: %+v", m["debian/12/base-files/CVE-2099-0001"])
	}
	eol := `{"linux":{"CVE-2099-0009":{"releases":{"buster":{"status":"open","urgency":"end-of-life"}}}}}`
	bs, err := advisory.Parse("eol.json", []byte(eol), now)
	if err != nil || bs[0].Affected[0].Status != advisory.EndOfSupport || bs[0].Affected[0].Release != "10" {
		t.Errorf("end of life: %+v %v", bs, err)
	}
}

func TestParseKEVAndEPSS(t *testing.T) {
	f := fixtures(t)
	k := parseOne(t, f.KEV)
	if k.Kind != advisory.KindKEV || len(k.KEV) != 1 || k.KEV[0].DueDate != "2026-12-27" {
		t.Errorf("kev %+v", k)
	}
	e := parseOne(t, f.EPSS)
	if e.Kind != advisory.KindEPSS || len(e.EPSS) != 3 || e.EPSS[0].Score != 0.97012 || !e.DataDate.Equal(now) {
		t.Errorf("epss %+v", e)
	}
}

// TestDamagedRejected: a truncated or corrupt file is an error naming the
// file, never a partial batch.
func TestDamagedRejected(t *testing.T) {
	f := fixtures(t)
	for _, p := range f.All() {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cut := b[:len(b)*2/3]
		if strings.HasSuffix(p, ".csv") {
			cut = b[:len(b)-20] // within the last line
		}
		bs, err := advisory.Parse(p, cut, now)
		if err == nil || !errors.Is(err, advisory.ErrFormat) || !strings.Contains(err.Error(), p) || bs != nil {
			t.Errorf("%s truncated: %v (batches %d)", filepath.Base(p), err, len(bs))
		}
	}
	for name, b := range map[string]string{
		"garbage":     "hello",
		"bad epss":    "cve,epss,percentile\nCVE-1,x,0.1\n",
		"kev count":   `{"catalogVersion":"1","count":5,"vulnerabilities":[{"cveID":"CVE-2099-1"}]}`,
		"osv no id":   `[{"modified":"2026-01-01T00:00:00Z","affected":[]}]`,
		"osv bad ts":  `[{"id":"X","modified":"yesterday"}]`,
		"empty track": `{}`,
	} {
		if _, err := advisory.Parse(name, []byte(b), now); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestHostRelease(t *testing.T) {
	for _, c := range []struct{ id, v, d, r string }{
		{"debian", "12", "debian", "12"}, {"ubuntu", "22.04", "ubuntu", "22.04"}, {"alpine", "3.19.1", "alpine", "3.19"},
		{"rocky", "9.4", "rocky", "9"}, {"almalinux", "8.10", "almalinux", "8"}, {"rhel", "9.2", "rhel", "9"},
		{"debian", "", "", ""}, {"arch", "1", "", ""},
	} {
		d, r, _ := advisory.HostRelease(c.id, c.v)
		if d != c.d || r != c.r {
			t.Errorf("HostRelease(%q, %q) = %q %q", c.id, c.v, d, r)
		}
	}
}

func FuzzParse(f *testing.F) {
	fx, err := vulntest.Write(f.TempDir(), now)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range fx.All() {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		advisory.Parse("fuzz", b, now)
	})
}
