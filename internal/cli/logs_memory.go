package cli

import (
	"context"
	"sync"
	"time"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/detect/logs"
	lsrc "github.com/vigil-ir/vigil/internal/logs"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/target"
)

// logMemory is `vigil logs`' memory of the log files between runs, kept in
// the store (store.LogFiles) per target: loaded when the detector asks,
// saved after the run with the run's id.
type logMemory struct {
	ctx     context.Context
	path    string
	started time.Time

	mu     sync.Mutex
	key    string // the target's identity (model.TargetInfo.ID)
	logs   []string
	states []lsrc.FileState
	taken  bool
}

var _ logs.Memory = (*logMemory)(nil)

func newLogMemory(ctx context.Context, storePath string) *logMemory {
	return &logMemory{ctx: ctx, path: storePath, started: time.Now().UTC()}
}

// Previous implements logs.Memory.
func (m *logMemory) Previous(t *target.Target) ([]lsrc.FileState, error) {
	m.mu.Lock()
	m.key = app.Describe(t).ID()
	m.mu.Unlock()
	st, err := store.Open(m.ctx, m.path, store.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var lf store.LogFiles = st
	rows, err := lf.LogFileStates(m.ctx, m.key)
	out := make([]lsrc.FileState, len(rows))
	for i, r := range rows {
		out[i] = lsrc.FileState{Log: r.Log, Path: r.Path, Rotation: r.Rotation, Dev: r.Dev, Ino: r.Ino, Size: r.Size,
			Head: r.Head, HeadLen: r.HeadLen, ModTime: r.ModTime, Seen: r.Seen, Run: r.Run}
	}
	return out, err
}

// Remember implements logs.Memory.
func (m *logMemory) Remember(names []string, states []lsrc.FileState) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.logs, m.states, m.taken = names, states, true
}

// save records what the run saw, with the id of the run the store saved
// (the newest logs run of the target since this one started; "" when the
// run was not saved). A failure is a warning: the run's result stands.
func (m *logMemory) save() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.taken || m.key == "" {
		return nil
	}
	st, err := store.Open(m.ctx, m.path, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	var lf store.LogFiles = st
	run := ""
	if scans, err := st.Scans(m.ctx, store.ScanQuery{TargetKey: m.key, Limit: 5}); err == nil {
		for _, s := range scans {
			if s.Kind == model.KindLogs && !s.Started.Before(m.started.Add(-time.Second)) {
				run = s.UID
				break
			}
		}
	}
	rows := make([]store.LogFileState, len(m.states))
	for i, s := range m.states {
		rows[i] = store.LogFileState{Log: s.Log, Path: s.Path, Rotation: s.Rotation, Dev: s.Dev, Ino: s.Ino, Size: s.Size,
			Head: s.Head, HeadLen: s.HeadLen, ModTime: s.ModTime, Seen: s.Seen, Run: run}
	}
	return lf.RecordLogFiles(m.ctx, m.key, m.logs, rows)
}
