package logs

import (
	"strconv"
	"time"

	"github.com/vigil-ir/vigil/internal/engine"
	lsrc "github.com/vigil-ir/vigil/internal/logs"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids of the judgement of a log's files against what an earlier run
// saw of them (internal/logs.Compare).
const (
	RuleShrank   = "logs.tamper.shrank"
	RuleReplaced = "logs.tamper.replaced"
)

// Memory is what earlier runs of the same target saw of its log files,
// kept by the caller (the store: `vigil logs` saves with its run). The
// detector compares each log it reads with it and hands back what it saw.
type Memory interface {
	// Previous returns the file states remembered for the target.
	Previous(t *target.Target) ([]lsrc.FileState, error)
	// Remember takes this run's states of the logs it read (every file of
	// each; logs lists them all, also those with no file to remember).
	Remember(logs []string, states []lsrc.FileState)
}

// compareMemory judges every log of srcs against the memory and hands the
// states of this run back to it.
func (d *Detector) compareMemory(env *engine.Env, srcs []lsrc.Source) {
	mem := d.opt.Memory
	if mem == nil {
		return
	}
	prev, err := mem.Previous(env.Target)
	if err != nil {
		env.GapMsg(model.GapError, "", model.Msg("logs.gap.memory", err.Error()))
	}
	byLog := map[string][]lsrc.FileState{}
	for _, p := range prev {
		byLog[p.Log] = append(byLog[p.Log], p)
	}
	now := env.Now()
	var names []string
	var all []lsrc.FileState
	for _, src := range srcs {
		cur := lsrc.States(env.Target, src, now)
		if cur == nil {
			continue
		}
		for _, ch := range lsrc.Compare(byLog[src.Name], cur) {
			env.Emit(changeFinding(ch, now))
		}
		names = append(names, src.Name)
		all = append(all, cur...)
	}
	mem.Remember(names, all)
}

// changeFinding is the finding of one change: both states as evidence.
func changeFinding(ch lsrc.Change, now time.Time) model.Finding {
	b, a := ch.Before, ch.After
	size := func(n int64) string { return strconv.FormatInt(n, 10) }
	ino := func(n uint64) string { return strconv.FormatUint(n, 10) }
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	extra := map[string]string{
		"log": ch.Log, "before_size": size(b.Size), "before_inode": ino(b.Ino), "before_path": b.Path,
		"before_seen": when(b.Seen), "before_run": b.Run, "before_mtime": when(b.ModTime),
		"after_seen": when(now), "same_inode": strconv.FormatBool(ch.SameInode),
	}
	if a.Path != "" {
		extra["after_size"], extra["after_inode"], extra["after_mtime"] = size(a.Size), ino(a.Ino), when(a.ModTime)
	}
	rule, sev, conf := RuleShrank, model.High, model.ConfHigh
	note := model.Msg("logs.note.shrank", ch.Path, size(b.Size), b.Run, when(b.Seen), size(a.Size))
	switch {
	case ch.Kind == lsrc.ChangeReplaced:
		// Emptied in place and smaller is the classic > auth.log; a copy
		// deleted while older ones are kept is plain; a new file with no
		// rotation may also be a rotation to elsewhere (olddir, a panel's
		// own script).
		rule, sev, conf = RuleReplaced, model.Low, model.ConfLow
		switch {
		case ch.SameInode && a.Size < b.Size:
			sev, conf = model.High, model.ConfMedium
		case ch.SameInode || ch.OlderKept:
			sev, conf = model.Medium, model.ConfMedium
		}
		note = model.Msg("logs.note.replaced", ch.Path, size(b.Size), b.Run, when(b.Seen), size(a.Size))
		if a.Path == "" {
			note = model.Msg("logs.note.replaced-gone", ch.Path, size(b.Size), b.Run, when(b.Seen))
		}
	case !ch.SameInode:
		conf = model.ConfMedium // rewritten: a restored older copy looks the same
	}
	ev := model.Evidence{Path: ch.Path, Note: note, MTime: timeOrNil(a.ModTime), Extra: extra}
	f := model.Finding{RuleID: rule, Subject: ch.Path, Evidence: ev, Key: rule + "\x00" + ch.Path}
	return f.WithSeverity(sev).WithConfidence(conf)
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
