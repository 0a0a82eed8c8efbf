package target

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mkroot builds a small root with hostile entries.
func mkroot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"etc", "usr/bin", "var/lib/dpkg", "tmp", "loop"} {
		must(os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	must(os.WriteFile(filepath.Join(dir, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/bash\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "etc/os-release"), []byte("PRETTY_NAME=\"Test\"\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "var/lib/dpkg/status"), nil, 0o644))
	must(os.WriteFile(filepath.Join(dir, "usr/bin/real"), []byte("inside"), 0o755))
	// Absolute symlink: must resolve inside the root, never on the host.
	must(os.Symlink("/usr/bin/real", filepath.Join(dir, "etc/abs-link")))
	// Escaping relative symlink: clamps at the root.
	must(os.Symlink("../../../../../../etc/hostname", filepath.Join(dir, "etc/escape")))
	// Loop.
	must(os.Symlink("b", filepath.Join(dir, "loop/a")))
	must(os.Symlink("a", filepath.Join(dir, "loop/b")))
	must(syscall.Mkfifo(filepath.Join(dir, "tmp/fifo"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "tmp/big"), make([]byte, 2048), 0o644))
	must(os.WriteFile(filepath.Join(dir, "tmp/\xff\xfename"), []byte("x"), 0o644))
	return dir
}

func TestOpenRootRefusesNonRoot(t *testing.T) {
	if _, err := OpenRoot(t.TempDir()); !errors.Is(err, ErrNotRoot) {
		t.Fatalf("empty dir: err = %v, want ErrNotRoot", err)
	}
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o644)
	if _, err := OpenRoot(f); !errors.Is(err, ErrNotRoot) {
		t.Fatalf("file: err = %v, want ErrNotRoot", err)
	}
	if _, err := OpenRoot(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("missing dir accepted")
	}
	tg, err := OpenRoot(mkroot(t))
	if err != nil {
		t.Fatal(err)
	}
	if tg.IsLive() {
		t.Fatal("--root target must not be live")
	}
}

func TestSymlinksStayInsideRoot(t *testing.T) {
	tg := NewUnchecked(mkroot(t), false)
	b, err := tg.ReadFile("/etc/abs-link", 0)
	if err != nil || string(b) != "inside" {
		t.Fatalf("absolute link: %q, %v", b, err)
	}
	// /etc/hostname does not exist inside the root; the host's must not be read.
	if _, err := tg.ReadFile("/etc/escape", 0); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("escaping link: err = %v, want not-exist inside the root", err)
	}
	if _, err := tg.ReadFile("/../../../etc/hostname", 0); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("dot-dot path: err = %v", err)
	}
	if _, err := tg.ReadFile("/loop/a", 0); err == nil {
		t.Fatal("symlink loop read without error")
	}
	fi, err := tg.Lstat("/etc/abs-link")
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("Lstat must not follow: %v %v", fi, err)
	}
	if l, _ := tg.Readlink("/etc/abs-link"); l != "/usr/bin/real" {
		t.Fatalf("Readlink = %q", l)
	}
	if r, err := tg.Resolve("/etc/abs-link"); err != nil || r != "/usr/bin/real" {
		t.Fatalf("Resolve = %q, %v", r, err)
	}
}

func TestHostileFiles(t *testing.T) {
	tg := NewUnchecked(mkroot(t), false)
	done := make(chan error, 1)
	go func() { _, err := tg.ReadFile("/tmp/fifo", 0); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) {
			t.Fatalf("fifo: err = %v, want ErrNotRegular", err)
		}
		if k, ok := ClassifyErr(err); !ok || k != "skipped" {
			t.Fatalf("fifo classified %v %v", k, ok)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO blocked")
	}
	if _, err := tg.ReadFile("/tmp/big", 1024); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("big: err = %v, want ErrTooLarge", err)
	}
	if _, err := tg.ReadFile("/etc", 0); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("dir: err = %v", err)
	}
	if b, err := tg.ReadFile("/tmp/\xff\xfename", 0); err != nil || string(b) != "x" {
		t.Fatalf("non-UTF-8 name: %q %v", b, err)
	}
	if _, ok := ClassifyErr(fs.ErrNotExist); ok {
		t.Fatal("not-exist must not be a gap")
	}
}

func TestGlobAndWalk(t *testing.T) {
	tg := NewUnchecked(mkroot(t), false)
	got := tg.Glob("/etc/*")
	if strings.Join(got, ",") != "/etc/abs-link,/etc/escape,/etc/os-release,/etc/passwd" {
		t.Fatalf("Glob = %v", got)
	}
	if g := tg.Glob("/nope/*"); g != nil {
		t.Fatalf("Glob of missing = %v", g)
	}
	var seen []string
	err := tg.Walk("/", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		seen = append(seen, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(seen, "\n")
	for _, want := range []string{"/etc/passwd", "/tmp/fifo", "/loop/a", "/usr/bin/real"} {
		if !strings.Contains(joined, want) {
			t.Errorf("walk missed %s", want)
		}
	}
	for _, p := range seen {
		if strings.HasPrefix(p, tg.Root()) && tg.Root() != "/" {
			t.Errorf("walk leaked a host path: %s", p)
		}
	}
}

func TestWalkSkipsProc(t *testing.T) {
	if _, err := os.Stat("/proc/self"); err != nil {
		t.Skip("no /proc")
	}
	tg := Live()
	var procErr error
	_ = tg.Walk("/proc", func(p string, d fs.DirEntry, err error) error {
		if p != "/proc" {
			t.Fatalf("walk entered /proc: %s", p)
		}
		procErr = err
		return nil
	})
	if !errors.Is(procErr, ErrPseudoFS) {
		t.Fatalf("walk of /proc: err = %v, want ErrPseudoFS", procErr)
	}
	if name, ok := PseudoFS("/proc"); !ok || name != "proc" {
		t.Fatalf("PseudoFS(/proc) = %q %v", name, ok)
	}
}

func TestTargetPath(t *testing.T) {
	tg := NewUnchecked("/mnt/img", false)
	if got := tg.TargetPath("/mnt/img/etc/passwd"); got != "/etc/passwd" {
		t.Fatalf("TargetPath = %q", got)
	}
	if got := Live().TargetPath("/etc/passwd"); got != "/etc/passwd" {
		t.Fatalf("live TargetPath = %q", got)
	}
}
