package integrity

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/hashcache"
	"github.com/vigil-ir/vigil/internal/target"
)

// cachedScan runs the check over root with the hash cache of key in mem,
// as internal/app does (load, scan, save), and counts the files hashed.
// at is the scan's clock: an hour after the fixture was written, so that
// its files are not "racy" (hashcache.RacyWindow).
func cachedScan(t *testing.T, root string, mem *hashcache.Memory, key string, at time.Time, full bool) (enginetest.Result, int64) {
	t.Helper()
	ctx := context.Background()
	snap, err := mem.LoadHashes(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	tab := hashcache.New(snap, at, full)
	var hashed atomic.Int64
	d := New()
	d.hashHook = func(string) { hashed.Add(1) }
	res := enginetest.RunTarget(t, d, target.NewUnchecked(root, false), engine.Options{Hashes: tab})
	if s, ok := tab.Result(); ok {
		if err := mem.SaveHashes(ctx, key, s); err != nil {
			t.Fatal(err)
		}
	}
	return res, hashed.Load()
}

func TestHashCache(t *testing.T) {
	at := time.Now().Add(time.Hour)
	type step struct {
		name    string
		key     string
		at      time.Time
		full    bool
		foreign bool
		before  func(t *testing.T, root string)
		hashed  func(all int64) int64
		finding string // a system-binary finding expected for this path
	}
	all := func(n int64) int64 { return n }
	none := func(int64) int64 { return 0 }
	one := func(int64) int64 { return 1 }
	steps := []step{
		{name: "first scan hashes everything", key: "A", at: at, hashed: all},
		{name: "unchanged rescan hashes nothing", key: "A", at: at.Add(time.Minute), hashed: none},
		{name: "--full rehashes everything", key: "A", at: at.Add(2 * time.Minute), full: true, hashed: all},
		{name: "another target shares no entries", key: "B", at: at.Add(3 * time.Minute), hashed: all},
		{name: "content changed, mtime reset: ctime gives it away", key: "A", at: at.Add(4 * time.Minute), hashed: one,
			finding: "/usr/bin/ps", before: func(t *testing.T, root string) {
				p := filepath.Join(root, "usr/bin/ps")
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := os.ReadFile(p)
				b[0] ^= 0xff // same size, other content
				if err := os.WriteFile(p, b, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "store changed outside vigil: full pass", key: "A", at: at.Add(5 * time.Minute), foreign: true, hashed: all, finding: "/usr/bin/ps"},
		{name: "trusted again after that full pass", key: "A", at: at.Add(6 * time.Minute), hashed: none, finding: "/usr/bin/ps"},
		{name: "last full pass older than a week: full pass", key: "A", at: at.Add(8 * 24 * time.Hour), hashed: all, finding: "/usr/bin/ps"},
	}
	root := fixture(t, "clean.txtar")
	mem := &hashcache.Memory{}
	var total int64
	for i, s := range steps {
		if s.before != nil {
			s.before(t, root)
		}
		mem.Foreign = s.foreign
		res, n := cachedScan(t, root, mem, s.key, s.at, s.full)
		if i == 0 {
			total = n
			if n < 10 {
				t.Fatalf("first scan hashed %d files; the fixture has more", n)
			}
		}
		if want := s.hashed(total); n != want {
			t.Errorf("%s: hashed %d files, want %d", s.name, n, want)
		}
		if s.finding != "" && !res.Has(ruleSystemBinary, s.finding) {
			t.Errorf("%s: %s not reported (findings: %v)", s.name, s.finding, res.Rules())
		}
		if s.finding == "" && len(res.Findings) > 0 {
			t.Errorf("%s: unexpected findings %v", s.name, res.Rules())
		}
	}
}

// TestHashCacheRacyEntriesRehashed: a file changed within RacyWindow of
// being hashed could change again without its timestamps moving; such an
// entry is not trusted.
func TestHashCacheRacyEntriesRehashed(t *testing.T) {
	root := fixture(t, "clean.txtar")
	mem := &hashcache.Memory{}
	now := time.Now() // the fixture's files were written just now
	_, first := cachedScan(t, root, mem, "A", now, false)
	_, second := cachedScan(t, root, mem, "A", now.Add(time.Minute), false)
	if first == 0 || second != first {
		t.Errorf("hashed %d then %d; a racy entry must be rehashed", first, second)
	}
	_, third := cachedScan(t, root, mem, "A", now.Add(2*time.Minute), false)
	if third != 0 {
		t.Errorf("third scan hashed %d; entries hashed well after the change are trusted", third)
	}
}

// BenchmarkVerifyPackagesCached is the whole check with and without a
// filled hash cache, on the fixture and (with VIGIL_E2E_ROOT) on the
// Debian root: "cached" is a rescan with nothing changed.
func BenchmarkVerifyPackagesCached(b *testing.B) {
	roots := map[string]string{"fixture": fixture(b, "clean.txtar")}
	if dir := os.Getenv("VIGIL_E2E_ROOT"); dir != "" {
		roots["debian-root"] = dir
	}
	ctx := context.Background()
	at := time.Now().Add(time.Hour)
	for name, root := range roots {
		mem := &hashcache.Memory{}
		scan := func(b *testing.B, cached bool) {
			var tab *hashcache.Table
			if cached {
				snap, _ := mem.LoadHashes(ctx, name)
				tab = hashcache.New(snap, at, false)
			}
			enginetest.RunTarget(b, New(), target.NewUnchecked(root, false), engine.Options{Hashes: tab})
			if s, ok := tab.Result(); ok {
				_ = mem.SaveHashes(ctx, name, s)
			}
		}
		b.Run(name+"/uncached", func(b *testing.B) {
			for b.Loop() {
				scan(b, false)
			}
		})
		b.Run(name+"/cached", func(b *testing.B) {
			scan(b, true) // fill the cache
			for b.Loop() {
				scan(b, true)
			}
		})
	}
}
