package store

import (
	"context"
	"time"
)

// LogFiles is the store's part for `vigil logs`' memory of the log files
// it read: per target, what each file was (inode, size, the hash of its
// head) when a run last saw it, so that the next run notices a log that
// shrank or was rewritten in between. A small interface of its own, not a
// part of Store.
type LogFiles interface {
	// LogFileStates returns what the latest runs saw of the target's log
	// files, by path.
	LogFileStates(ctx context.Context, targetKey string) ([]LogFileState, error)
	// RecordLogFiles replaces what is remembered of the logs named in logs
	// (every file of each) by states, in one transaction. Logs not named
	// keep their rows (a run that read one file forgets nothing else).
	RecordLogFiles(ctx context.Context, targetKey string, logs []string, states []LogFileState) error
}

var _ LogFiles = (*SQLite)(nil)

// LogFileState is one file of a log as a run saw it.
type LogFileState struct {
	Log      string    `json:"log"`      // the log's name (its live file's path)
	Path     string    `json:"path"`     // this file's path in the target
	Rotation int       `json:"rotation"` // 0 live, N for .N, YYYYMMDD for dated siblings
	Dev      uint64    `json:"dev"`
	Ino      uint64    `json:"ino"`
	Size     int64     `json:"size"`
	Head     string    `json:"head"`     // SHA-256 (hex) of the first HeadLen bytes of its content
	HeadLen  int       `json:"head_len"` // bytes hashed
	ModTime  time.Time `json:"mtime"`
	Seen     time.Time `json:"seen"` // when the run looked
	Run      string    `json:"run"`  // the run's id (scan uid), "" when it was not saved
}

// LogFileStates implements LogFiles.
func (s *SQLite) LogFileStates(ctx context.Context, targetKey string) ([]LogFileState, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT log, path, rotation, dev, ino, size, head, head_len, mtime, seen, run
		FROM log_files WHERE target_key = ? ORDER BY log, path`, targetKey)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LogFileState
	for rows.Next() {
		var st LogFileState
		var dev, ino int64
		var mtime, seen string
		if err := rows.Scan(&st.Log, &st.Path, &st.Rotation, &dev, &ino, &st.Size, &st.Head, &st.HeadLen, &mtime, &seen, &st.Run); err != nil {
			return nil, err
		}
		st.Dev, st.Ino = uint64(dev), uint64(ino)
		st.ModTime, st.Seen = parseTime(mtime), parseTime(seen)
		out = append(out, st)
	}
	return out, rows.Err()
}

// RecordLogFiles implements LogFiles.
func (s *SQLite) RecordLogFiles(ctx context.Context, targetKey string, logs []string, states []LogFileState) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, l := range logs {
		if _, err := tx.ExecContext(ctx, `DELETE FROM log_files WHERE target_key = ? AND log = ?`, targetKey, l); err != nil {
			return err
		}
	}
	for _, st := range states {
		// SQLite integers are signed: inode and device numbers keep their bits.
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO log_files (target_key, log, path, rotation, dev, ino, size, head, head_len, mtime, seen, run)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, targetKey, st.Log, st.Path, st.Rotation, int64(st.Dev), int64(st.Ino), st.Size,
			st.Head, st.HeadLen, formatTime(st.ModTime), formatTime(st.Seen), st.Run); err != nil {
			return err
		}
	}
	return tx.Commit()
}
