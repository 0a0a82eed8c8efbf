package match

import (
	"strings"

	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
)

// CVSS is a parsed and scored CVSS vector.
type CVSS struct {
	Version string  `json:"version"` // "3.1", "3.0" or "4.0"
	Vector  string  `json:"vector"`
	Score   float64 `json:"score"`
}

// ScoreCVSS parses and scores the vectors of v, preferring CVSS v4.0. ok
// is false when v has no vector that parses.
func ScoreCVSS(v advisory.Vuln) (CVSS, bool) {
	if v.CVSS4 != "" {
		if c, err := gocvss40.ParseVector(v.CVSS4); err == nil {
			return CVSS{Version: "4.0", Vector: v.CVSS4, Score: c.Score()}, true
		}
	}
	if v.CVSS3 != "" {
		// The library scores v3.1; a v3.0 vector has the same metrics
		// and, for the base score, the same formula but for rounding.
		vec := v.CVSS3
		ver := "3.1"
		if rest, ok := strings.CutPrefix(vec, "CVSS:3.0/"); ok {
			vec, ver = "CVSS:3.1/"+rest, "3.0"
		}
		if c, err := gocvss31.ParseVector(vec); err == nil {
			return CVSS{Version: ver, Vector: v.CVSS3, Score: c.BaseScore()}, true
		}
	}
	return CVSS{}, false
}

// SeverityOfScore maps a CVSS score to the rating bands of the CVSS
// specification (the same for v3.x and v4.0).
func SeverityOfScore(s float64) model.Severity {
	switch {
	case s >= 9.0:
		return model.Critical
	case s >= 7.0:
		return model.High
	case s >= 4.0:
		return model.Medium
	case s > 0:
		return model.Low
	}
	return model.Info
}

// severityOfWord maps a distribution's normalised rating.
func severityOfWord(w string) (model.Severity, bool) {
	switch w {
	case "critical":
		return model.Critical, true
	case "high":
		return model.High, true
	case "medium":
		return model.Medium, true
	case "low":
		return model.Low, true
	}
	return model.Info, false
}

// Priority weighs what makes a vulnerability urgent on this host, 0-100:
// severity (up to 50), known exploitation (CISA KEV, 25), the EPSS
// probability (up to 15) and exposure (the package owns a listening
// process, 10). A fix that exists adds nothing: priority says how bad,
// the status says what can be done. EPSS stays a probability: it never
// counts as "exploited".
func Priority(sev model.Severity, kev bool, epss float64, exposed bool) int {
	p := map[model.Severity]int{model.Critical: 50, model.High: 38, model.Medium: 24, model.Low: 10}[sev]
	if kev {
		p += 25
	}
	if epss > 0 {
		p += int(epss*15 + 0.5)
	}
	if exposed {
		p += 10
	}
	return min(p, 100)
}
