package app

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
)

// CoverageRule is the rule of the finding that says a scan was incomplete.
const CoverageRule = "scan.coverage.incomplete"

// coverageFinding returns an info finding when checks failed or files could
// not be read (errors, not deliberate skips), so that an incomplete scan is
// visible among the findings and in the exit status's context, not only in
// the gap list.
func coverageFinding(checks []model.CheckStatus, gaps map[string]int) (model.Finding, bool) {
	var failed []string
	for _, c := range checks {
		if c.Status == "failed" {
			failed = append(failed, c.Name)
		}
	}
	if len(failed) == 0 && len(gaps) == 0 {
		return model.Finding{}, false
	}
	var parts []string
	var failedList, gapList string
	if len(failed) > 0 {
		sort.Strings(failed)
		failedList = strings.Join(failed, ", ")
		parts = append(parts, "failed checks: "+failedList)
	}
	if len(gaps) > 0 {
		names := make([]string, 0, len(gaps))
		for n := range gaps {
			names = append(names, n)
		}
		sort.Strings(names)
		var counts []string
		for _, n := range names {
			counts = append(counts, fmt.Sprintf("%s %d", n, gaps[n]))
		}
		gapList = strings.Join(counts, ", ")
		parts = append(parts, "unreadable items by check: "+gapList)
	}
	// The note says it in the reader's language; Text keeps the English.
	note := model.Msg("scan.note.coverage", failedList, gapList)
	switch {
	case gapList == "":
		note = model.Msg("scan.note.coverage-failed", failedList)
	case failedList == "":
		note = model.Msg("scan.note.coverage-gaps", gapList)
	}
	return model.Finding{
		RuleID:  CoverageRule,
		Subject: "scan",
		Key:     "scan-coverage",
		Evidence: model.Evidence{
			Text: strings.Join(parts, "; "),
			Note: note,
		},
	}, true
}
