package incident

import (
	"bufio"
	"cmp"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/logs/timeline"
)

// Kinds of timeline lines that come from `vigil timeline` (Input.Extra).
const (
	KindLog     = "log"     // a notable log event: a login, a web request, sudo ...
	KindProcess = "process" // a running process's start (live host)
	KindFile    = "file"    // a time of a file a finding points at
)

// MaxExtra bounds the lines a timeline adds to a report: the suspicious
// ones first, then the earliest others.
const MaxExtra = 2000

// maxTimelineLine bounds one JSONL line (a raw log line is in it).
const maxTimelineLine = 1 << 20

// ReadTimeline reads the JSONL that `vigil timeline --format jsonl` writes
// (Timesketch's format, one entry a line, an attack-path line last) and
// returns its entries as report timeline lines: log events as KindLog,
// findings of the log rules as findings with their severity, process
// starts and file times. The stored scans' findings (source "scan") are
// left out: the report has them from the case's scans. At most max lines
// are kept (suspicious first); dropped counts the rest, bad counts lines
// that are not timeline entries (skipped, never fatal).
func ReadTimeline(r io.Reader, max int) (lines []Entry, dropped, bad int, err error) {
	type scored struct {
		e          Entry
		suspicious bool
	}
	var all []scored
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxTimelineLine)
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var te timeline.Entry
		if json.Unmarshal([]byte(text), &te) != nil || te.Time.IsZero() {
			if !strings.Contains(text, `"attack_path"`) {
				bad++
			}
			continue
		}
		if te.Source == "scan" {
			continue
		}
		all = append(all, scored{fromTimeline(te), te.Suspicious})
	}
	if err := sc.Err(); err != nil {
		return nil, 0, bad, err
	}
	if len(all) > max {
		slices.SortStableFunc(all, func(a, b scored) int {
			if a.suspicious != b.suspicious {
				if a.suspicious {
					return -1
				}
				return 1
			}
			return a.e.At.Compare(b.e.At)
		})
		dropped = len(all) - max
		all = all[:max]
	}
	for _, s := range all {
		lines = append(lines, s.e)
	}
	slices.SortStableFunc(lines, func(a, b Entry) int { return a.At.Compare(b.At) })
	return lines, dropped, bad, nil
}

// fromTimeline is one timeline entry as a report line.
func fromTimeline(te timeline.Entry) Entry {
	e := Entry{At: te.Time.UTC(), Kind: KindLog, Text: te.Message, By: te.Actor, Ref: te.Path}
	if te.Line > 0 {
		e.Ref += ":" + strconv.Itoa(te.Line)
	}
	switch {
	case te.Source == "finding":
		e.Kind, e.Severity = "finding", te.Severity
	case te.Source == "process":
		e.Kind = KindProcess
	case te.Source == "file":
		e.Kind = KindFile
	}
	e.Text = cmp.Or(e.Text, te.Desc)
	return e
}
