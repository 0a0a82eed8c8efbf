package incident

import (
	"bufio"
	"cmp"
	"encoding/json"
	"io"
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
// starts and file times, each step of the attack path marked with its
// stage. At most max lines are kept, chosen as SelectTimeline does (the
// attack path, the suspicious ones and their context first); the stored
// scans' findings (source "scan") are left out unless they show a stage.
// dropped counts the lines left out, bad the lines that are not timeline
// entries (skipped, never fatal).
func ReadTimeline(r io.Reader, max int) (lines []Entry, dropped, bad int, err error) {
	tl := &timeline.Timeline{First: -1}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxTimelineLine)
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var te timeline.Entry
		if json.Unmarshal([]byte(text), &te) != nil || te.Time.IsZero() {
			var path struct {
				Kind string          `json:"kind"`
				Path []timeline.Step `json:"attack_path"`
			}
			if json.Unmarshal([]byte(text), &path) == nil && path.Kind == "attack_path" {
				tl.Path = path.Path
			} else {
				bad++
			}
			continue
		}
		tl.Entries = append(tl.Entries, te)
	}
	if err := sc.Err(); err != nil {
		return nil, 0, bad, err
	}
	lines, run := SelectTimeline(tl, max)
	for _, n := range run.Left {
		dropped += n
	}
	return lines, dropped, bad, nil
}

// fromTimeline is one timeline entry as a report line.
func fromTimeline(te timeline.Entry) Entry {
	e := Entry{At: te.Time.UTC(), Kind: KindLog, Text: te.Message, By: te.Actor, Ref: te.Path}
	if te.Line > 0 {
		e.Ref += ":" + strconv.Itoa(te.Line)
	}
	switch {
	case te.Source == "finding" || te.Source == "scan":
		e.Kind, e.Severity = "finding", te.Severity
	case te.Source == "process":
		e.Kind = KindProcess
	case te.Source == "file":
		e.Kind = KindFile
	}
	e.Text = cmp.Or(e.Text, te.Desc)
	return e
}
