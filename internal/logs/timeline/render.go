package timeline

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/vigil-ir/vigil/internal/termtext"
)

// Words renders the few words of the table and the page in the reader's
// language (message ids timeline.*; the CLI passes its catalog).
type Words func(id string, args ...any) string

func (e Entry) where() string {
	if e.Line > 0 {
		return e.Path + ":" + strconv.Itoa(e.Line)
	}
	return e.Path
}

// WriteTable writes the attack path, then the entries, one a line.
func WriteTable(w io.Writer, t *Timeline, words Words) error {
	ew := &errw{w: w}
	ew.printf("%s\n", words("timeline.attack-path"))
	if len(t.Path) == 0 {
		ew.printf("  %s\n", words("timeline.no-path"))
	} else {
		stage := func(s string) string { return words(StageMsg(s)) }
		ew.printf("  %s\n", t.VectorWith(stage))
		for i, s := range t.Path { // padded by display width: a Chinese character takes two cells
			ew.printf("  %d. %s %s  #%d  %s  %s\n", i+1, termtext.Pad(stage(s.Stage), 22), s.Time.Format(time.RFC3339), s.Entry, s.Rule, s.Where)
		}
	}
	if t.First > 0 {
		e := t.Entries[t.First-1]
		ew.printf("%s #%d %s %s\n", words("timeline.first"), e.ID, e.Time.Format(time.RFC3339), e.Message)
	}
	ew.printf("\n")
	for _, e := range t.Entries {
		mark := " "
		if e.Suspicious {
			mark = "!"
		}
		ew.printf("%s %6d  %s  %-8s %s  %s\n", mark, e.ID, e.Time.Format(time.RFC3339), e.Source, oneLine(e.Message), e.where())
	}
	ew.printf("\n%s\n", words("timeline.count", len(t.Entries), t.Dropped))
	return ew.err
}

// csvColumns are Timesketch's required columns first (message, datetime,
// timestamp_desc), then Vigil's.
var csvColumns = []string{"message", "datetime", "timestamp_desc", "timestamp", "source", "kind", "rule_id", "severity", "suspicious", "path", "line", "actor", "src_ip", "raw", "id"}

// WriteCSV writes the entries in the CSV layout Timesketch imports.
func WriteCSV(w io.Writer, t *Timeline) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return err
	}
	for _, e := range t.Entries {
		rec := []string{e.Message, e.Time.Format(time.RFC3339Nano), e.Desc, strconv.FormatInt(e.Time.UnixMicro(), 10), e.Source, e.Kind, e.Rule,
			e.Severity, strconv.FormatBool(e.Suspicious), e.Path, strconv.Itoa(e.Line), e.Actor, e.SrcIP, e.Raw, strconv.Itoa(e.ID)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSONL writes one JSON object per entry (Timesketch's JSONL: message,
// datetime, timestamp_desc and the rest as attributes), then the attack
// path as a last line of kind "attack_path".
func WriteJSONL(w io.Writer, t *Timeline) error {
	enc := json.NewEncoder(w)
	for _, e := range t.Entries {
		if err := enc.Encode(struct {
			Entry
			Timestamp int64 `json:"timestamp"`
		}{e, e.Time.UnixMicro()}); err != nil {
			return err
		}
	}
	return enc.Encode(map[string]any{"kind": "attack_path", "first_suspicious": t.First, "attack_path": t.Path, "vector": t.Vector(), "dropped": t.Dropped})
}

type errw struct {
	w   io.Writer
	err error
}

func (e *errw) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}

// oneLine makes a log line safe for a terminal line (a log line is data).
func oneLine(s string) string { return termtext.Truncate(termtext.OneLine(s), 200) }
