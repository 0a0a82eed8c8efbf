package logs

import (
	"bytes"
	"testing"
	"time"

	lsrc "github.com/vigil-ir/vigil/internal/logs"
	"github.com/vigil-ir/vigil/internal/logs/authgen"
	"github.com/vigil-ir/vigil/internal/logs/rules"
	"github.com/vigil-ir/vigil/internal/logs/sigma"
	vrules "github.com/vigil-ir/vigil/rules"
)

// BenchmarkJudge is the judge of `vigil logs` alone (the stateful rules and
// Vigil's Sigma rules, as Run adds them) on the events of a generated
// auth.log of a brute-forced server (100k lines, parsed once).
func BenchmarkJudge(b *testing.B) {
	var buf bytes.Buffer
	if err := authgen.Write(&buf, authgen.Options{Lines: 100000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	evs, _, err := lsrc.ParseLines(lsrc.FormatAuth, buf.String(), lsrc.Options{Location: time.UTC, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	sg := sigma.New()
	sg.LoadFS(vrules.Sigma, "sigma", "rules/sigma")
	b.ReportAllocs()
	for b.Loop() {
		set := rules.New(rules.Config{})
		set.Add(sg)
		set.Begin("auth", []rules.LogFile{{Path: "/var/log/auth.log"}})
		for i := range evs {
			set.Observe(&evs[i])
		}
		set.End("auth", nil)
		set.Finish()
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
