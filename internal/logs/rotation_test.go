package logs

import (
	"strings"
	"testing"
)

func TestRotationHoles(t *testing.T) {
	tests := []struct {
		name     string
		rots     []int
		want     string
		schedule string
	}{
		{"numbered, whole", []int{0, 1, 2, 3, 4}, "", ""},
		{"numbered, middle gone", []int{0, 1, 3, 4}, "log.2", ""},
		{"numbered, .1 gone", []int{0, 2, 3}, "log.1", ""},
		{"weekly (RHEL), whole", []int{0, 20261108, 20261115, 20261122, 20261129}, "", ScheduleWeekly},
		{"weekly, one gone", []int{0, 20261108, 20261122, 20261129}, "log-20261115", ScheduleWeekly},
		{"weekly, the day drifts by one", []int{20261108, 20261116, 20261129}, "log-20261123", ScheduleWeekly},
		{"weekly, host off then caught up", []int{20261101, 20261108, 20261125}, "", ScheduleWeekly},
		{"daily, whole", []int{20261201, 20261202, 20261203, 20261204}, "", ScheduleDaily},
		{"daily, two gone", []int{20261201, 20261202, 20261203, 20261206}, "log-20261204,log-20261205", ScheduleDaily},
		{"daily, one regular interval is no schedule", []int{20261201, 20261202, 20261205}, "", ""},
		{"monthly, one gone", []int{20260801, 20260901, 20261101}, "log-20261001", ScheduleMonthly},
		{"size-based, irregular", []int{20261101, 20261104, 20261115, 20261117}, "", ""},
		{"two dated copies say nothing", []int{20261101, 20261122}, "", ""},
		{"invalid dates", []int{20261399, 20261301, 99999999}, "", ""},
		{"mixed", []int{1, 3, 20261108, 20261115, 20261129}, "log.2,log-20261122", ScheduleWeekly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, sched := RotationHoles("log", tt.rots)
			if strings.Join(got, ",") != tt.want || (tt.want != "" && sched != tt.schedule) {
				t.Errorf("RotationHoles = %v %q, want %q %q", got, sched, tt.want, tt.schedule)
			}
		})
	}
}

func FuzzRotationHoles(f *testing.F) {
	f.Add(20261108, 20261122, 7, 3)
	f.Fuzz(func(t *testing.T, a, b, c, d int) {
		got, _ := RotationHoles("log", []int{a, b, c, d})
		if len(got) > maxHoles {
			t.Fatalf("%d holes", len(got))
		}
	})
}
