// Package filestest helps matcher tests: a files.Reporter that keeps what
// it is given.
package filestest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vigil-ir/vigil/internal/files"
	"github.com/vigil-ir/vigil/internal/model"
)

// Reporter collects hits and gaps; safe for the walk's concurrent calls.
type Reporter struct {
	mu   sync.Mutex
	Hits []files.Hit
	Gaps []model.Gap
}

// Hit implements files.Reporter.
func (c *Reporter) Hit(h files.Hit) {
	c.mu.Lock()
	c.Hits = append(c.Hits, h)
	c.mu.Unlock()
}

// GapMsg implements files.Reporter.
func (c *Reporter) GapMsg(kind model.GapKind, p string, m model.Message) {
	c.mu.Lock()
	c.Gaps = append(c.Gaps, model.Gap{Kind: kind, Path: p, Msg: m})
	c.mu.Unlock()
}

// Put writes a file at path p (slash-separated, inside root), making its
// directories.
func Put(t testing.TB, root, p string, b []byte) {
	t.Helper()
	full := filepath.Join(root, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
