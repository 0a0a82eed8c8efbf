package rules

import (
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/logs"
	"github.com/vigil-ir/vigil/internal/model"
)

// Rule ids of the rules on a log's files (its rotation series).
const (
	RuleRotationMissing = "logs.tamper.rotation-missing"
	RuleRotationCut     = "logs.tamper.rotation-cut"
)

// LogFile is one file of a log as the detector read it: its path and its
// place in the rotation (logs.File.Rotation: 0 the live file, N for .N and
// .N.gz, a date number of eight digits for -YYYYMMDD siblings).
type LogFile struct {
	Path     string
	Rotation int
}

// Begin tells the rules which files make up the log name, oldest first,
// before its events are observed: the time-gap rule then carries a log's
// clock from one rotated file to the next (a hole at a rotation is a hole
// in the log), and a hole in the rotation series is reported
// (logs.RotationHoles: auth.log.2.gz missing between .1 and .3.gz, .1
// missing before .2.gz, a dated copy a weekly schedule skipped).
func (s *Set) Begin(name string, files []LogFile) {
	for _, f := range files {
		if s.capped(len(s.tamper.logOf), "log files") {
			break
		}
		s.tamper.logOf[f.Path] = name
	}
	rots := make([]int, 0, len(files))
	var kept []string
	for _, f := range files {
		if f.Rotation > 0 {
			rots = append(rots, f.Rotation)
			kept = append(kept, strconv.Itoa(f.Rotation))
		}
	}
	missing, schedule := logs.RotationHoles(name, rots)
	if len(missing) == 0 {
		return
	}
	conf := model.ConfMedium
	if schedule != "" {
		conf = model.ConfLow // a host that was off, or nothing to rotate, looks the same
	}
	e := &model.Event{File: name}
	if f := s.once(RuleRotationMissing, name, name, model.Medium, conf, e); f != nil {
		f.note = model.Msg("logs.note.rotation-missing", strings.Join(missing, ", "), strings.Join(kept, ", "))
		f.extra = map[string]string{"missing": strings.Join(missing, ", "), "rotations": strings.Join(kept, ", ")}
		if schedule != "" {
			f.extra["schedule"] = schedule
		}
	}
}

// End tells the rules that the log name was read, with the files of it
// that end early (logs.Coverage.Cut): a rotated file that stops inside a
// line or inside its compressed stream was cut (truncate, a partial copy
// back), since logging programs write whole lines.
func (s *Set) End(name string, cut []string) {
	for _, p := range cut {
		if f := s.once(RuleRotationCut, p, p, model.Medium, model.ConfMedium, &model.Event{File: p}); f != nil {
			f.note = model.Msg("logs.note.rotation-cut", p, name)
			f.extra = map[string]string{"log": name}
		}
	}
}

// clockOf returns the time-gap clock of the file of e: a new file of a
// known log starts from the clock of the log's previous file, so the
// silence between two rotated files is measured like one inside a file.
func (s *Set) clockOf(file string) *fileClock {
	if fc := s.tamper.files[file]; fc != nil {
		return fc
	}
	if s.capped(len(s.tamper.files), "log files") {
		return nil
	}
	fc := &fileClock{}
	if log, ok := s.tamper.logOf[file]; ok {
		if prev := s.tamper.lastOf[log]; prev != nil {
			*fc = *prev
		}
		s.tamper.lastOf[log] = fc
	}
	s.tamper.files[file] = fc
	return fc
}
