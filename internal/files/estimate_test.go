package files

import (
	"context"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/target"
)

// TestProgressEstimate: the listing ahead of the walk counts every regular
// file and its bytes up to the content limit and tail, excluded paths left
// out; a snapshot carries it once it is complete.
func TestProgressEstimate(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 30; i++ {
		write(t, dir+"/www/d"+string(rune('a'+i%3))+"/f"+strings.Repeat("x", i+1)+".php", "<?php echo 1;\n")
	}
	write(t, dir+"/www/big.bin", strings.Repeat("z", 5000))
	write(t, dir+"/www/skip/me.php", "<?php echo 2;\n")
	w := &walker{t: target.NewUnchecked(dir, false),
		opt: Options{ContentCap: 1000, TailCap: 100, Exclude: []string{"/www/skip"}}.withDefaults()}
	e := &estimate{}
	var c Coverage
	e.fill(&c)
	if c.EstFiles != 0 {
		t.Errorf("estimate before it ran: %+v", c)
	}
	e.run(context.Background(), w, []string{"/www"})
	e.fill(&c)
	if c.EstFiles != 31 || c.EstBytes != 30*14+1100 {
		t.Errorf("estimate %d files %d bytes, want 31 and %d", c.EstFiles, c.EstBytes, 30*14+1100)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	late := &estimate{}
	late.run(ctx, w, []string{"/www"})
	if late.done.Load() {
		t.Error("a cancelled estimate is complete")
	}
	// The walk with progress: the estimate runs beside it and ends with it.
	cov := Walk(context.Background(), w.t, []Matcher{&marker{}}, &collect{}, Options{Roots: []string{"/www"}, Progress: func(Coverage) {}})
	if cov.Seen != 32 || cov.Stopped != "" {
		t.Errorf("walk with progress: %+v", cov)
	}
}

func TestETA(t *testing.T) {
	for _, c := range []struct {
		cov  Coverage
		left int64
		ok   bool
	}{
		{Coverage{Seen: 10, Duration: 10}, 0, false},
		{Coverage{Seen: 0, EstFiles: 100, Duration: 10}, 0, false},
		{Coverage{Seen: 25, EstFiles: 100, Duration: 50}, 150, true},
		{Coverage{Seen: 120, EstFiles: 100, Duration: 50}, 0, true},
	} {
		left, ok := c.cov.ETA()
		if left != c.left || ok != c.ok {
			t.Errorf("%+v: ETA %d %v, want %d %v", c.cov, left, ok, c.left, c.ok)
		}
	}
}
