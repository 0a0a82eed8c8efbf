package vulntest

import (
	"os"
	"testing"
	"time"
)

// TestWrite writes the fixtures where VULNTEST_DIR says (for trying the
// commands by hand), else into a temporary directory.
func TestWrite(t *testing.T) {
	dir := os.Getenv("VULNTEST_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	f, err := Write(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.All() {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
}
