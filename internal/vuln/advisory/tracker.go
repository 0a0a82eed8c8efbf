package advisory

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// trackerRelease is one release's entry in the Debian security tracker's
// JSON (https://security-tracker.debian.org/tracker/data/json):
// package -> CVE -> {releases: codename -> this}.
type trackerRelease struct {
	Status       string `json:"status"` // resolved, open, undetermined
	FixedVersion string `json:"fixed_version"`
	Urgency      string `json:"urgency"` // low, medium, high, unimportant, not yet assigned, end-of-life; "*" suffix when guessed
	NoDSA        string `json:"nodsa"`
	NoDSAReason  string `json:"nodsa_reason"` // ignored, postponed
}

type trackerCVE struct {
	Description string                    `json:"description"`
	Releases    map[string]trackerRelease `json:"releases"`
}

// parseTracker reads the tracker's JSON. "resolved" with fixed version
// "0" means the release was never affected and gives no row.
func parseTracker(origin string, b []byte, mtime time.Time) (*Batch, error) {
	var data map[string]map[string]trackerCVE
	if err := json.Unmarshal(b, &data); err != nil {
		return nil, fmt.Errorf("%w: %s: not OSV, KEV or Debian security tracker JSON: %v", ErrFormat, origin, err)
	}
	out := &Batch{Source: "debian-tracker", Kind: KindDebianTracker, DataDate: mtime.UTC()}
	vulns := map[string]Vuln{}
	for pkg, cves := range data {
		for id, c := range cves {
			if !strings.HasPrefix(id, "CVE-") {
				continue // TEMP-… entries have no public id
			}
			for codename, r := range c.Releases {
				rel, ok := DebianRelease(codename)
				if !ok {
					continue
				}
				row := Affected{Distro: "debian", Release: rel, Package: pkg, ID: id,
					Severity: severityWord(strings.TrimSuffix(r.Urgency, "*"))}
				switch {
				case r.Status == "resolved" && (r.FixedVersion == "0" || r.FixedVersion == ""):
					continue
				case r.Status == "resolved":
					row.Status, row.Fixed = Fixed, r.FixedVersion
				case r.Urgency == "end-of-life":
					row.Status = EndOfSupport
				case r.NoDSAReason == "ignored":
					row.Status = WontFix
				default:
					row.Status = NoFix // open, undetermined, postponed
				}
				out.Affected = append(out.Affected, row)
				if _, ok := vulns[id]; !ok {
					vulns[id] = Vuln{ID: id, Summary: firstLine(c.Description)}
				}
			}
		}
	}
	if len(out.Affected) == 0 {
		return nil, fmt.Errorf("%w: %s: no Debian release entries (is it the tracker's JSON?)", ErrFormat, origin)
	}
	for _, v := range vulns {
		out.Vulns = append(out.Vulns, v)
	}
	sortBatch(out)
	return out, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 300 {
		s = s[:300]
		for len(s) > 0 && s[len(s)-1]&0xc0 == 0x80 {
			s = s[:len(s)-1]
		}
		if len(s) > 0 && s[len(s)-1] >= 0xc0 {
			s = s[:len(s)-1]
		}
	}
	return s
}
