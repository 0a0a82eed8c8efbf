package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
	"github.com/vigil-ir/vigil/internal/vuln/match"
	"github.com/vigil-ir/vigil/internal/vuln/vulntest"
)

const vulnRoot = `
-- etc/passwd --
root:x:0:0:root:/root:/bin/bash
-- etc/os-release --
ID=debian
VERSION_ID="12"
-- var/lib/dpkg/status --
Package: base-files
Status: install ok installed
Architecture: amd64
Version: 12.4+deb12u5

Package: openssh-server
Status: install ok installed
Architecture: amd64
Source: openssh
Version: 1:9.2p1-2+deb12u3

Package: libssl3
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.15-1~deb12u1
`

// vulnStore is a store with the vulntest advisories imported, dated at.
func vulnStore(t *testing.T, at time.Time) *store.SQLite {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "v.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f, err := vulntest.Write(t.TempDir(), at)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ImportAdvisoryFiles(context.Background(), st, f.All(), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return st
}

func vulnScan(t *testing.T, st store.Advisories, root string, maxAge time.Duration) (*VulnReport, error) {
	t.Helper()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	return VulnScan(context.Background(), st, VulnOptions{Target: target.NewUnchecked(root, false), Catalog: cat, MaxAge: maxAge})
}

func TestVulnScan(t *testing.T) {
	st := vulnStore(t, time.Now())
	rep, err := vulnScan(t, st, testutil.RootFromString(t, vulnRoot), 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]VulnRow{}
	for _, v := range rep.Vulnerabilities {
		got[v.Package+" "+v.Vuln] = v
		if v.Fingerprint == "" || v.Rule != match.RuleOf(v.Status) {
			t.Errorf("row without its finding: %+v", v)
		}
	}
	want := map[string]advisory.Status{
		"base-files CVE-2099-0001": advisory.Fixed, // tracker + DSA-9901-1 alias: one row
		"openssl CVE-2099-0003":    advisory.NoFix,
		"openssh CVE-2099-0006":    advisory.WontFix,
		"openssh CVE-2099-0007":    advisory.NoFix,
	}
	for k, s := range want {
		if got[k].Status != s {
			t.Errorf("%s: %+v", k, got[k])
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d rows: %v", len(got), got)
	}
	b := got["base-files CVE-2099-0001"]
	if b.KEV == nil || b.EPSS == nil || len(b.IDs) != 2 || b.Severity.String() != "high" {
		t.Errorf("base-files row: %+v", b)
	}
	if rep.Distro != "debian" || rep.Release != "12" || rep.Packages != 3 || len(rep.Sources) != 4 {
		t.Errorf("report header: %+v", rep)
	}
}

// TestVulnScanRefuses: never "0 vulnerabilities" without fresh data for
// the host's own release.
func TestVulnScanRefuses(t *testing.T) {
	fresh := vulnStore(t, time.Now())
	for name, c := range map[string]struct {
		st     store.Advisories
		root   string
		maxAge time.Duration
		msg    string
	}{
		"unknown os": {fresh, strings.Replace(vulnRoot, "ID=debian", "ID=gentoo", 1), 0, "vuln.err.unknown-os"},
		"no release": {fresh, strings.Replace(vulnRoot, `VERSION_ID="12"`, "", 1), 0, "vuln.err.unknown-os"},
		"no slice":   {fresh, strings.Replace(vulnRoot, `VERSION_ID="12"`, `VERSION_ID="13"`, 1), 0, "vuln.err.no-slice"},
		"stale":      {vulnStore(t, time.Now().AddDate(0, 0, -30)), vulnRoot, 0, "vuln.err.stale"},
	} {
		rep, err := vulnScan(t, c.st, testutil.RootFromString(t, c.root), c.maxAge)
		var me *MsgError
		if !errors.As(err, &me) || me.Msg.ID != c.msg || rep != nil {
			t.Errorf("%s: %v (%+v)", name, err, rep)
		}
	}
	// --max-age 0 (any age) accepts the stale data.
	if _, err := vulnScan(t, vulnStore(t, time.Now().AddDate(0, 0, -30)), testutil.RootFromString(t, vulnRoot), -1); err != nil {
		t.Errorf("any age: %v", err)
	}
}
