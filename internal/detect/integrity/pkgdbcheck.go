package integrity

import (
	"strconv"

	"github.com/vigil-ir/vigil/internal/model"
)

// pkgdbProblems reports a package database that exists but did not parse:
// it hides what every package check would show (a trojaned binary of a
// lost record looks unowned rather than modified; with no record at all
// nothing is verified). Whole is high, a part lost is medium.
func (r *run) pkgdbProblems() {
	for _, p := range r.db.Problems() {
		sev, conf := model.High, model.ConfHigh
		ind := []string{indPkgdbBroken}
		if !p.Whole {
			sev, conf = model.Medium, model.ConfMedium
		}
		f := r.facts(p.Path, nil)
		ev := f.evidence(p.Path, r.db.OwnerOrNone(p.Path))
		ev.Package = ""
		ev.Note = p.Note
		ev.Extra["format"] = p.Format
		if p.Bad > 0 {
			ev.Extra["records_skipped"] = strconv.Itoa(p.Bad)
		}
		fd := model.Finding{RuleID: rulePkgdbBroken, Subject: p.Path, Indicators: ind, Evidence: ev}
		r.env.Emit(fd.WithSeverity(sev).WithConfidence(conf))
	}
}
