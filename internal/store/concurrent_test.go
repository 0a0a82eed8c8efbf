package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store/storetest"
	"github.com/vigil-ir/vigil/internal/suppress"
)

// writeMany saves n scans of 500 findings and adds n suppressions through
// s, as a scan plus an "ignore" would, and reports the first error.
func writeMany(s Store, writer, n int) error {
	ctx := context.Background()
	for i := 0; i < n; i++ {
		start := t0.Add(time.Duration(writer*1000+i) * time.Second)
		if _, err := s.SaveScan(ctx, storetest.Result(start, storetest.Many(500, fmt.Sprint(writer, "-", i)), "check"), SaveOptions{}); err != nil {
			return fmt.Errorf("writer %d scan %d: %w", writer, i, err)
		}
		if _, err := s.AddSuppression(ctx, suppress.Suppression{Rule: fmt.Sprintf("w%d.r%d", writer, i), Reason: "r"}, Actor{User: "root"}); err != nil {
			return fmt.Errorf("writer %d suppression %d: %w", writer, i, err)
		}
		if _, err := s.Scans(ctx, ScanQuery{Limit: 3}); err != nil {
			return fmt.Errorf("writer %d read %d: %w", writer, i, err)
		}
	}
	return nil
}

func checkStore(t *testing.T, path string, scans int) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ok string
	if err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	var nScans, nFindings, nAudit int
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM scans), (SELECT count(*) FROM findings), (SELECT count(*) FROM audit)`).
		Scan(&nScans, &nFindings, &nAudit); err != nil {
		t.Fatal(err)
	}
	if nScans != scans || nFindings != scans*500 || nAudit != scans {
		t.Fatalf("store holds %d scans, %d findings, %d audit lines; want %d, %d, %d", nScans, nFindings, nAudit, scans, scans*500, scans)
	}
}

// Two goroutines sharing one store handle.
func TestConcurrentWritersOneHandle(t *testing.T) {
	s, path := openTemp(t)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			errs <- writeMany(s, w, 8)
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkStore(t, path, 16)
}

// Two *sql.DB handles on the same file, as two vigil processes have: each
// opens the store itself, the first open of a new file racing too.
func TestConcurrentWritersTwoHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	start := make(chan struct{})
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			<-start
			s, err := Open(context.Background(), path, Options{})
			if err != nil {
				errs <- fmt.Errorf("open %d: %w", w, err)
				return
			}
			defer s.Close()
			errs <- writeMany(s, w, 8)
		}(w)
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkStore(t, path, 16)
	s, _ := Open(context.Background(), path, Options{})
	defer s.Close()
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != LatestSchema() {
		t.Fatalf("migrations applied %d times: %v", n, err)
	}
	_ = model.Info
}
