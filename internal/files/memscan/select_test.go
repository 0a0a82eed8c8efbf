package memscan

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/vigil-ir/vigil/internal/target"
)

// TestSelectPIDs: --memory=suspicious scans the pids the newest stored
// scan flagged that still run, merged with the processes judged now by
// their program (deleted, memfd, temporary or hidden place), each once.
func TestSelectPIDs(t *testing.T) {
	root := t.TempDir()
	for pid, exe := range map[int]string{
		100: "/usr/sbin/sshd",             // fine on its own: only the store flags it
		200: "/tmp/.x/kworker",            // oddly placed
		300: "/usr/bin/python3 (deleted)", // deleted program
		301: "/memfd:x (deleted)",         // run from memory
		500: "/usr/bin/bash",              // neither
	} {
		dir := filepath.Join(root, "proc", strconv.Itoa(pid))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(exe, filepath.Join(dir, "exe")); err != nil {
			t.Fatal(err)
		}
	}
	tg := target.NewUnchecked(root, false)
	for _, c := range []struct {
		name    string
		flagged []int
		want    []int
	}{
		{"nothing stored", nil, []int{200, 301, 300}},
		{"stored pids merged", []int{100, 200}, []int{100, 200, 300, 301}},
		{"ended, invalid and repeated pids", []int{400, 100, 0, -1, 100, 300}, []int{100, 200, 300, 301}},
	} {
		got := SelectPIDs(tg, c.flagged)
		want := slices.Sorted(slices.Values(c.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", c.name, got, want)
		}
	}
}
