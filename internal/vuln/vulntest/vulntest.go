// Package vulntest writes advisory files of Vigil's own making for tests
// and the documented examples: an OSV zip for Debian 12, the Debian
// security tracker's JSON shape, a KEV catalog and an EPSS CSV. The
// vulnerability ids are in a range no real CVE uses (CVE-2099-…), and
// each record is dated "now", so the data is fresh whenever a test runs.
package vulntest

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Files names the files Write made.
type Files struct {
	OSVZip, Tracker, KEV, EPSS string
}

// All returns the files in import order.
func (f Files) All() []string { return []string{f.OSVZip, f.Tracker, f.KEV, f.EPSS} }

// OSV records: the incident fixture root has base-files 12.4+deb12u5 and
// openssh (1:9.2p1-2+deb12u3) in its database.
func osvRecords(now time.Time) []map[string]any {
	mod := now.UTC().Format(time.RFC3339)
	rec := func(id, cve, pkg, fixed string, extra map[string]any) map[string]any {
		ev := []map[string]string{{"introduced": "0"}}
		if fixed != "" {
			ev = append(ev, map[string]string{"fixed": fixed})
		}
		aff := map[string]any{"package": map[string]string{"ecosystem": "Debian:12", "name": pkg},
			"ranges": []map[string]any{{"type": "ECOSYSTEM", "events": ev}}}
		for k, v := range extra {
			aff[k] = v
		}
		return map[string]any{"schema_version": "1.6.0", "id": id, "modified": mod, "published": mod, "aliases": []string{cve},
			"summary":  "Vigil fixture advisory " + id,
			"severity": []map[string]string{{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
			"affected": []map[string]any{aff}}
	}
	return []map[string]any{
		// fixed in a later update than the one installed: a fix is available
		rec("DSA-9901-1", "CVE-2099-0001", "base-files", "12.4+deb12u9", nil),
		// fixed in the very version installed (a backport): not vulnerable
		rec("DSA-9902-1", "CVE-2099-0002", "base-files", "12.4+deb12u5", nil),
		// no fix released yet
		rec("DEBIAN-CVE-2099-0003", "CVE-2099-0003", "openssl", "", nil),
		// another release's advisory: never matched on Debian 12
		{"schema_version": "1.6.0", "id": "DSA-9904-1", "modified": mod, "aliases": []string{"CVE-2099-0004"},
			"affected": []map[string]any{{"package": map[string]string{"ecosystem": "Debian:11", "name": "base-files"},
				"ranges": []map[string]any{{"type": "ECOSYSTEM", "events": []map[string]string{{"introduced": "0"}, {"fixed": "99"}}}}}}},
	}
}

// tracker is the tracker's shape: package -> CVE -> releases.
func tracker() map[string]any {
	rel := func(status, fixed, urgency, nodsa string) map[string]any {
		r := map[string]any{"status": status, "urgency": urgency, "repositories": map[string]string{"bookworm": "x"}}
		if fixed != "" {
			r["fixed_version"] = fixed
		}
		if nodsa != "" {
			r["nodsa"], r["nodsa_reason"] = "Minor issue", nodsa
		}
		return r
	}
	return map[string]any{
		"base-files": map[string]any{
			"CVE-2099-0001": map[string]any{"description": "Vigil fixture: fixed in an update", "scope": "local",
				"releases": map[string]any{"bookworm": rel("resolved", "12.4+deb12u9", "high", ""),
					"bullseye": rel("resolved", "11.1+deb11u9", "high", "")}},
			"CVE-2099-0005": map[string]any{"description": "Vigil fixture: never affected",
				"releases": map[string]any{"bookworm": rel("resolved", "0", "unimportant", "")}},
		},
		"openssh": map[string]any{
			"CVE-2099-0006": map[string]any{"description": "Vigil fixture: will not fix",
				"releases": map[string]any{"bookworm": rel("open", "", "low", "ignored")}},
			"CVE-2099-0007": map[string]any{"description": "Vigil fixture: no fix yet",
				"releases": map[string]any{"bookworm": rel("open", "", "medium", "postponed")}},
			"CVE-2099-0008": map[string]any{"description": "Vigil fixture: fixed in the installed version",
				"releases": map[string]any{"bookworm": rel("resolved", "1:9.2p1-2+deb12u3", "high", "")}},
		},
	}
}

func kev(now time.Time) map[string]any {
	return map[string]any{"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": now.Format("2006.01.02"),
		"dateReleased": now.UTC().Format(time.RFC3339), "count": 1,
		"vulnerabilities": []map[string]string{{"cveID": "CVE-2099-0001", "vendorProject": "Vigil", "product": "fixture",
			"vulnerabilityName": "Vigil fixture known exploited", "dateAdded": now.Format("2006-01-02"),
			"dueDate": now.AddDate(0, 0, 21).Format("2006-01-02"), "knownRansomwareCampaignUse": "Unknown"}}}
}

func epss(now time.Time) string {
	return fmt.Sprintf("#model_version:v2025.03.14,score_date:%s\ncve,epss,percentile\nCVE-2099-0001,0.97012,0.99950\nCVE-2099-0003,0.00043,0.11200\nCVE-2099-0007,0.01200,0.78000\n",
		now.UTC().Format("2006-01-02T15:04:05Z"))
}

// Write writes the fixture files into dir.
func Write(dir string, now time.Time) (Files, error) {
	f := Files{OSVZip: filepath.Join(dir, "debian-osv.zip"), Tracker: filepath.Join(dir, "debian-tracker.json"),
		KEV: filepath.Join(dir, "kev.json"), EPSS: filepath.Join(dir, "epss.csv")}
	zf, err := os.Create(f.OSVZip)
	if err != nil {
		return f, err
	}
	zw := zip.NewWriter(zf)
	for _, r := range osvRecords(now) {
		w, err := zw.Create(r["id"].(string) + ".json")
		if err != nil {
			return f, err
		}
		if err := json.NewEncoder(w).Encode(r); err != nil {
			return f, err
		}
	}
	if err := zw.Close(); err != nil {
		return f, err
	}
	if err := zf.Close(); err != nil {
		return f, err
	}
	for path, v := range map[string]any{f.Tracker: tracker(), f.KEV: kev(now)} {
		b, err := json.MarshalIndent(v, "", " ")
		if err != nil {
			return f, err
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return f, err
		}
	}
	return f, os.WriteFile(f.EPSS, []byte(epss(now)), 0o644)
}
