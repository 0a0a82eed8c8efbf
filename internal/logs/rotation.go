package logs

import (
	"slices"
	"strconv"
	"time"
)

// Schedules of dated rotations (RotationHoles).
const (
	ScheduleDaily   = "daily"
	ScheduleWeekly  = "weekly"
	ScheduleMonthly = "monthly"
)

// maxHoles bounds the names RotationHoles lists.
const maxHoles = 8

// IsDated reports whether rot (File.Rotation) is a -YYYYMMDD sibling's.
func IsDated(rot int) bool { return rot >= dated }

// RotationHoles returns the rotated copies missing from a log's series,
// given the rotations present (File.Rotation of each file; 0, the live
// file, is ignored). It is the one judgement of a hole in a rotation,
// shared by the log rules and the scan's log glance.
//
// Numbered copies (name.1, name.2.gz ...): logrotate shifts every copy by
// one and deletes only the oldest, so a number missing below the highest
// (or .1 missing before .2) was deleted.
//
// Dated copies (name-YYYYMMDD[.gz], logrotate's dateext, RHEL's default):
// when their dates follow a daily, weekly or monthly schedule (the shortest
// interval between two copies is one period, and the schedule holds for
// two intervals — one for weekly and monthly, whose rotation days are
// fixed), an interval of an exact multiple of the period misses the copies
// of the dates in between. A host that was off or a log with nothing to
// rotate (notifempty) leaves the same hole: the grade says so. schedule
// is the schedule found ("" when none: irregular or size-based rotation).
func RotationHoles(name string, rotations []int) (missing []string, schedule string) {
	var nums, dates []int
	for _, r := range rotations {
		switch {
		case IsDated(r):
			dates = append(dates, r)
		case r > 0:
			nums = append(nums, r)
		}
	}
	slices.Sort(nums)
	nums = slices.Compact(nums)
	want := 1
	for _, n := range nums {
		for ; want < n && len(missing) < maxHoles; want++ {
			missing = append(missing, name+"."+strconv.Itoa(want))
		}
		want = n + 1
	}
	holes, schedule := datedHoles(dates)
	for _, d := range holes {
		if len(missing) < maxHoles {
			missing = append(missing, name+"-"+d.Format("20060102"))
		}
	}
	return missing, schedule
}

// datedHoles returns the dates a regular schedule skipped (see
// RotationHoles).
func datedHoles(rots []int) ([]time.Time, string) {
	var ds []time.Time
	for _, r := range rots {
		d, err := time.Parse("20060102", strconv.Itoa(r))
		if err == nil && (len(ds) == 0 || !d.Equal(ds[len(ds)-1])) {
			ds = append(ds, d)
		}
	}
	slices.SortFunc(ds, func(a, b time.Time) int { return a.Compare(b) })
	ds = slices.CompactFunc(ds, func(a, b time.Time) bool { return a.Equal(b) })
	if len(ds) < 3 {
		return nil, ""
	}
	// periods returns how many schedule periods lie between a and b, and
	// whether b falls on the schedule from a (exactly, ±1 day for weekly).
	var periods func(a, b time.Time) (int, bool)
	var step func(t time.Time, k int) time.Time
	minDays := int(ds[1].Sub(ds[0]).Hours() / 24)
	for i := 2; i < len(ds); i++ {
		minDays = min(minDays, int(ds[i].Sub(ds[i-1]).Hours()/24))
	}
	schedule, need := "", 2
	switch {
	case minDays == 1:
		schedule = ScheduleDaily
		periods = func(a, b time.Time) (int, bool) { return int(b.Sub(a).Hours() / 24), true }
		step = func(t time.Time, k int) time.Time { return t.AddDate(0, 0, k) }
	case minDays >= 6 && minDays <= 8:
		schedule, need = ScheduleWeekly, 1
		periods = func(a, b time.Time) (int, bool) {
			days := int(b.Sub(a).Hours() / 24)
			k := (days + 3) / 7
			return k, k >= 1 && absInt(days-7*k) <= 1
		}
		step = func(t time.Time, k int) time.Time { return t.AddDate(0, 0, 7*k) }
	case minDays >= 28 && minDays <= 31:
		schedule, need = ScheduleMonthly, 1
		periods = func(a, b time.Time) (int, bool) {
			k := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
			return k, k >= 1 && absInt(b.Day()-a.Day()) <= 1
		}
		step = func(t time.Time, k int) time.Time { return t.AddDate(0, k, 0) }
	default:
		return nil, ""
	}
	regular := 0
	for i := 1; i < len(ds); i++ {
		if k, ok := periods(ds[i-1], ds[i]); ok && k == 1 {
			regular++
		}
	}
	if regular < need {
		return nil, ""
	}
	var out []time.Time
	for i := 1; i < len(ds); i++ {
		k, ok := periods(ds[i-1], ds[i])
		if !ok {
			continue
		}
		for j := 1; j < k && len(out) < maxHoles; j++ {
			out = append(out, step(ds[i-1], j))
		}
	}
	return out, schedule
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
