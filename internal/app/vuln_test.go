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
	// --max-age 0 (any age) accepts the stale data, and says how old it is.
	rep, err := vulnScan(t, vulnStore(t, time.Now().AddDate(0, 0, -30)), testutil.RootFromString(t, vulnRoot), -1)
	if err != nil {
		t.Fatalf("any age: %v", err)
	}
	if len(rep.Gaps) == 0 || rep.Gaps[0].Msg.ID != "vuln.gap.stale" || rep.Gaps[0].Msg.Args[2] != "30" {
		t.Errorf("any age: no notice of the data's age: %+v", rep.Gaps)
	}
	rep, err = vulnScan(t, vulnStore(t, time.Now()), testutil.RootFromString(t, vulnRoot), -1)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range rep.Gaps {
		if g.Check == FreshnessCheck {
			t.Errorf("fresh data: %+v", g)
		}
	}
}

// TestAdvisoryFreshness: what a scan says about the vulnerability data
// of the target's release — nothing when fresh, its age when old, that
// there is none when none; nothing for an operating system without
// advisories.
func TestAdvisoryFreshness(t *testing.T) {
	ctx := context.Background()
	deb12 := testutil.RootFromString(t, vulnRoot)
	noble := testutil.RootFromString(t, "-- etc/os-release --\nID=ubuntu\nVERSION_ID=\"24.04\"\n")
	other := testutil.RootFromString(t, "-- etc/os-release --\nID=plan9\nVERSION_ID=4\n")
	fresh, old := vulnStore(t, time.Now()), vulnStore(t, time.Now().AddDate(0, 0, -12))
	empty := emptyStore(t)
	now := time.Now()
	for _, c := range []struct {
		name string
		st   store.Advisories
		root string
		max  time.Duration
		want string // message id, "" for no gap
		days string
	}{
		{"fresh", fresh, deb12, 0, "", ""},
		{"old", old, deb12, 0, "vuln.gap.stale", "12"},
		{"old within a longer limit", old, deb12, 14 * 24 * time.Hour, "", ""},
		{"empty store", empty, deb12, 0, "vuln.gap.no-data", ""},
		{"other release", fresh, noble, 0, "vuln.gap.no-data", ""},
		{"unknown OS", empty, other, 0, "", ""},
	} {
		gaps := AdvisoryFreshness(ctx, c.st, target.NewUnchecked(c.root, false), now, c.max)
		switch {
		case c.want == "" && len(gaps) != 0:
			t.Errorf("%s: %+v", c.name, gaps)
		case c.want != "" && (len(gaps) != 1 || gaps[0].Msg.ID != c.want || gaps[0].Check != FreshnessCheck || gaps[0].Reason == ""):
			t.Errorf("%s: %+v, want %s", c.name, gaps, c.want)
		case c.days != "" && gaps[0].Msg.Args[2] != c.days:
			t.Errorf("%s: %s days, want %s", c.name, gaps[0].Msg.Args[2], c.days)
		}
	}
}
