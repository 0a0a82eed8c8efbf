package advisory

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// kevCatalog is CISA's known_exploited_vulnerabilities.json.
type kevCatalog struct {
	CatalogVersion  string `json:"catalogVersion"`
	DateReleased    string `json:"dateReleased"`
	Count           int    `json:"count"`
	Vulnerabilities []struct {
		CVEID                      string `json:"cveID"`
		VulnerabilityName          string `json:"vulnerabilityName"`
		DateAdded                  string `json:"dateAdded"`
		DueDate                    string `json:"dueDate"`
		KnownRansomwareCampaignUse string `json:"knownRansomwareCampaignUse"`
	} `json:"vulnerabilities"`
}

func parseKEV(origin string, b []byte) (*Batch, error) {
	var c kevCatalog
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%w: %s: KEV catalog: %v", ErrFormat, origin, err)
	}
	if len(c.Vulnerabilities) == 0 {
		return nil, fmt.Errorf("%w: %s: KEV catalog without entries", ErrFormat, origin)
	}
	if c.Count != 0 && c.Count != len(c.Vulnerabilities) {
		return nil, fmt.Errorf("%w: %s: KEV catalog says %d entries but holds %d (truncated?)", ErrFormat, origin, c.Count, len(c.Vulnerabilities))
	}
	out := &Batch{Source: "kev", Kind: KindKEV}
	out.DataDate, _ = time.Parse(time.RFC3339, c.DateReleased)
	for _, v := range c.Vulnerabilities {
		if !strings.HasPrefix(v.CVEID, "CVE-") {
			return nil, fmt.Errorf("%w: %s: KEV entry without a CVE id (%q)", ErrFormat, origin, v.CVEID)
		}
		out.KEV = append(out.KEV, KEV{CVE: v.CVEID, Name: v.VulnerabilityName, DateAdded: v.DateAdded, DueDate: v.DueDate,
			Ransomware: strings.EqualFold(v.KnownRansomwareCampaignUse, "Known")})
	}
	sort.Slice(out.KEV, func(i, j int) bool { return out.KEV[i].CVE < out.KEV[j].CVE })
	return out, nil
}
