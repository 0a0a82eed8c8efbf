package policy

import (
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

func TestSLA(t *testing.T) {
	first := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	d := Default()
	if got := d.Due(model.Critical, first); !got.Equal(first.Add(72 * time.Hour)) {
		t.Errorf("critical due %v", got)
	}
	if got := d.Due(model.High, first); !got.Equal(first.AddDate(0, 0, 90)) {
		t.Errorf("high due %v", got)
	}
	if !d.Due(model.Info, first).IsZero() {
		t.Error("info has a due date")
	}
	s, err := Parse("critical=24h, high=30d, low=0")
	if err != nil || s[model.Critical] != 24*time.Hour || s[model.High] != 30*24*time.Hour || s[model.Medium] != 90*24*time.Hour || !s.Due(model.Low, first).IsZero() {
		t.Errorf("parse: %v %v", s, err)
	}
	if s.String() != "critical=24h0m0s,high=30d,medium=90d,low=0s" {
		t.Errorf("string %q", s.String())
	}
	for _, bad := range []string{"critical", "urgent=1d", "high=-1d", "high=soon", "none=1d"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
