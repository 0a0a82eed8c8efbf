package places

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-ir/vigil/internal/target"
)

func TestOf(t *testing.T) {
	for _, c := range []struct {
		p          string
		temporary  bool
		hidden     string
		masquerade string
	}{
		{p: "/usr/bin/ls"},
		{p: "/tmp", temporary: true},
		{p: "/tmp/x", temporary: true},
		{p: "/tmpfoo/x"},
		{p: "/var/tmp/.x/kworker", temporary: true, hidden: ".x"},
		{p: "/dev/shm/a", temporary: true},
		{p: "/run/lock/a", temporary: true},
		{p: "/var/crash/a", temporary: true},
		{p: "relative/tmp/x"},
		{p: "/tmp/../etc/passwd"},
		{p: "/usr/lib/.x/y", hidden: ".x"},
		{p: "/root/.bashrc", hidden: ".bashrc"},
		{p: "/home/a/.local/bin/tool"},
		{p: "/home/a/.cargo/bin/rg"},
		{p: "/home/a/.ssh/authorized_keys"},
		{p: "/home/a/.vscode-server/bin/x/node"},
		{p: "/home/a/.cache/JetBrains/RemoteDev/x"},
		{p: "/home/a/.cache/x/y", hidden: ".cache"},
		{p: "/usr/lib/debug/.build-id/ab/cd.debug"},
		{p: "/var/www/html/.well-known/acme"},
		{p: "/var/www/html/.git/hooks/x"},
		{p: "/etc/.../x", hidden: "...", masquerade: "..."},
		{p: "/tmp/ /x", temporary: true, masquerade: " "},
		{p: "/tmp/. /x", temporary: true, hidden: ". ", masquerade: ". "},
		{p: "/usr/.. /bin/sh", hidden: ".. ", masquerade: ".. "},
		{p: "/usr/share/x\u200b/y", masquerade: "x\u200b"},
		{p: "/opt/vendor/lib"},
		{p: "/tmp/.X11-unix/X0", temporary: true},
		{p: "/tmp/.X0-lock", temporary: true},
		{p: "/tmp/.ICE-unix/.x/kworker", temporary: true, hidden: ".x"},
	} {
		got := Of(c.p)
		if got.Temporary != c.temporary || got.Hidden != c.hidden || got.Masquerade != c.masquerade {
			t.Errorf("Of(%q) = %+v, want temporary=%v hidden=%q masquerade=%q", c.p, got, c.temporary, c.hidden, c.masquerade)
		}
		if odd := c.temporary || c.hidden != "" || c.masquerade != ""; Odd(c.p) != odd {
			t.Errorf("Odd(%q) = %v, want %v", c.p, !odd, odd)
		}
	}
}

func TestMasquerade(t *testing.T) {
	for name, want := range map[string]bool{
		"": false, ".": false, "..": false, "...": true, " ": true, ". ": true, ".. ": true,
		"\u00a0": true, "a ": true, "a": false, ".a": false, "a.b": false, "\xff ": false,
		"x\ufeff": true,
	} {
		if got := Masquerade(name); got != want {
			t.Errorf("Masquerade(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestNonRootWritable(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"etc", "opt/vendor/lib", "opt/open", "srv/sticky"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"etc/passwd", "etc/os-release"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("root:x:0:0::/root:/bin/sh\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_ = os.Chmod(filepath.Join(dir, "opt/open"), 0o777)
	_ = os.Chmod(filepath.Join(dir, "srv/sticky"), 0o777|os.ModeSticky)
	tg := target.NewUnchecked(dir, false)
	uid := uint32(os.Getuid())
	if w, ok := NonRootWritable(tg, "/opt/vendor/lib", uid); ok {
		t.Errorf("/opt/vendor/lib: %+v", w)
	}
	if w, ok := NonRootWritable(tg, "/opt/open/x.so", uid); !ok || w.Dir != "/opt/open" || !w.World {
		t.Errorf("/opt/open/x.so = %+v %v", w, ok)
	}
	if w, ok := NonRootWritable(tg, "/srv/sticky", uid); ok {
		t.Errorf("sticky dir counted writable: %+v", w)
	}
}

// TestOddProgramPaths: where a running program, a cron job or a unit's
// command lives says "dropped" or "installed".
func TestOddProgramPaths(t *testing.T) {
	tests := []struct {
		p   string
		odd bool
	}{
		{"/tmp/x", true}, {"/dev/shm/.a/b", true}, {"/var/tmp/kdevtmpfsi", true},
		{"/root/.cache/.sys/update", true}, {"/usr/lib/.hidden/x", true}, {"/home/u/.x/y", true},
		{"/usr/bin/ls", false}, {"/home/u/.vscode-server/bin/abc/node", false}, {"/root/.cargo/bin/rg", false},
		{"/home/u/.cache/JetBrains/RemoteDev/dist/x/bin/java", false}, {"/opt/app/bin/app", false}, {"", false},
		{"/tmpfoo/x", false},
	}
	for _, tc := range tests {
		if got := Odd(tc.p); got != tc.odd {
			t.Errorf("Odd(%q) = %v", tc.p, got)
		}
	}
}

func TestHomeTool(t *testing.T) {
	if !HomeTool("/home/a/.local/bin", "/home/a") || HomeTool("/home/a/.x/bin", "/home/a") || HomeTool("/home/b/.local/bin", "/home/a") {
		t.Error("HomeTool")
	}
}
