package files

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// marker is a test matcher: it wants every file, content and MD5, and hits
// on each line that holds "EVIL".
type marker struct {
	mu       sync.Mutex
	seen     []string
	finished bool
}

func (*marker) Name() string    { return "marker" }
func (*marker) Rules() []string { return []string{"test.marker"} }
func (m *marker) Wants(meta *Meta) Want {
	return Want{Content: true, Hashes: MD5}
}
func (m *marker) Match(f *File, r Reporter) {
	m.mu.Lock()
	m.seen = append(m.seen, f.Path)
	m.mu.Unlock()
	for i, line := range bytes.Split(f.Content, []byte("\n")) {
		if bytes.Contains(line, []byte("EVIL")) {
			r.Hit(Hit{Rule: "test.marker", Line: i + 1, Text: string(line), Extra: map[string]string{"md5": f.MD5}})
		}
	}
}
func (m *marker) Finish(r Reporter) { m.finished = true }

type collect struct {
	hits []Hit
	gaps []model.Gap
}

func (c *collect) Hit(h Hit) { c.hits = append(c.hits, h) }
func (c *collect) GapMsg(kind model.GapKind, p string, m model.Message) {
	c.gaps = append(c.gaps, model.Gap{Kind: kind, Path: p, Msg: m})
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// hostileTree builds a root holding every kind of entry a walk must survive.
func hostileTree(t *testing.T) string {
	dir := t.TempDir()
	write(t, dir+"/srv/www/shell.php", "<?php\nEVIL($_GET['c']);\n")
	write(t, dir+"/srv/www/clean.php", "<?php echo 'hello';\n")
	write(t, dir+"/srv/www/big.txt", "EVIL at the start\n"+strings.Repeat("x", 8192))
	write(t, dir+"/srv/www/bad-\xff\xfe-name.php", "EVIL\n")
	must(t, os.Symlink("loop-b", dir+"/srv/www/loop-a"))
	must(t, os.Symlink("loop-a", dir+"/srv/www/loop-b"))
	must(t, os.Symlink("..", dir+"/srv/www/up"))
	must(t, os.Symlink("/", dir+"/srv/www/escape"))
	must(t, unix.Mkfifo(dir+"/srv/www/fifo", 0o644))
	if os.Geteuid() == 0 {
		must(t, unix.Mknod(dir+"/srv/www/null", unix.S_IFCHR|0o644, int(unix.Mkdev(1, 3))))
	}
	write(t, dir+"/srv/www/secret.php", "EVIL but unreadable\n")
	must(t, os.Chmod(dir+"/srv/www/secret.php", 0))
	must(t, os.MkdirAll(dir+"/srv/www/locked", 0o755))
	write(t, dir+"/srv/www/locked/inner.php", "EVIL\n")
	must(t, os.Chmod(dir+"/srv/www/locked", 0))
	t.Cleanup(func() { os.Chmod(dir+"/srv/www/locked", 0o755) })
	f, err := os.Create(dir + "/srv/www/sparse.img")
	must(t, err)
	_, err = f.WriteString("EVIL header\n")
	must(t, err)
	must(t, f.Truncate(64<<30))
	f.Close()
	write(t, dir+"/srv/www/vigil-out/report.json", "EVIL in our own output\n")
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWalkHostileTree(t *testing.T) {
	dir := hostileTree(t)
	tg := target.NewUnchecked(dir, false)
	m := &marker{}
	c := &collect{}
	cov := Walk(context.Background(), tg, []Matcher{m}, c, Options{
		Roots: []string{"/srv/www", "/srv/www/up", "/absent"}, ContentCap: 4096, Exclude: []string{"/srv/www/vigil-out"},
	})
	var paths []string
	for _, h := range c.hits {
		paths = append(paths, h.Path)
		if h.SHA256 == "" && h.Path != "/srv/www/sparse.img" {
			t.Errorf("hit %s without sha256", h.Path)
		}
	}
	sort.Strings(paths)
	want := []string{"/srv/www/bad-\xff\xfe-name.php", "/srv/www/big.txt", "/srv/www/shell.php", "/srv/www/sparse.img"}
	if os.Geteuid() == 0 { // root reads what mode 0 forbids
		want = append(want, "/srv/www/locked/inner.php", "/srv/www/secret.php")
		sort.Strings(want)
	}
	if strings.Join(paths, "|") != strings.Join(want, "|") {
		t.Errorf("hits %q, want %q", paths, want)
	}
	if !m.finished {
		t.Error("Finish was not called")
	}
	if cov.Skipped[SkipSymlink] != 4 || cov.Skipped[SkipSpecial] < 1 || cov.Skipped[SkipSparse] != 1 ||
		cov.Skipped[SkipContentCap] < 2 || cov.Skipped[SkipExcluded] != 1 || cov.OddNames != 1 {
		t.Errorf("coverage %+v", cov)
	}
	if os.Geteuid() != 0 && cov.Skipped[SkipPermission] != 2 {
		t.Errorf("unreadable not counted: %+v", cov)
	}
	if cov.Stopped != "" {
		t.Errorf("stopped %q", cov.Stopped)
	}
	reasons := map[string]bool{}
	for _, g := range c.gaps {
		reasons[g.Msg.ID] = true
	}
	for _, id := range []string{"files.gap.skip.special", "files.gap.skip.sparse", "files.gap.skip.content-cap", "files.gap.skip.excluded"} {
		if !reasons[id] {
			t.Errorf("no gap %s in %v", id, reasons)
		}
	}
}

func TestWalkHashesOnceAndWhole(t *testing.T) {
	dir := t.TempDir()
	body := "EVIL\n" + strings.Repeat("0123456789", 100000)
	write(t, dir+"/data/x.bin", body)
	c := &collect{}
	cov := Walk(context.Background(), target.NewUnchecked(dir, false), []Matcher{&marker{}}, c, Options{ContentCap: 100, Workers: 2})
	if len(c.hits) != 1 {
		t.Fatalf("hits %+v", c.hits)
	}
	sum := sha256.Sum256([]byte(body))
	m5 := md5.Sum([]byte(body)) //nolint:gosec
	if c.hits[0].SHA256 != hex.EncodeToString(sum[:]) || c.hits[0].Extra["md5"] != hex.EncodeToString(m5[:]) {
		t.Errorf("digests %+v", c.hits[0])
	}
	if cov.Bytes != int64(len(body)) || cov.Hashed != 1 || cov.Content != 1 {
		t.Errorf("coverage %+v", cov)
	}
}

func TestWalkBudgets(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 50; i++ {
		write(t, filepath.Join(dir, "d", strings.Repeat("a", i+1)), "EVIL\n")
	}
	for _, tc := range []struct {
		opt  Options
		want string
	}{
		{Options{MaxFiles: 3, Workers: 1}, "files"},
		{Options{MaxBytes: 10, Workers: 1}, "bytes"},
	} {
		c := &collect{}
		cov := Walk(context.Background(), target.NewUnchecked(dir, false), []Matcher{&marker{}}, c, tc.opt)
		if cov.Stopped != tc.want {
			t.Errorf("%+v: stopped %q, want %q", tc.opt, cov.Stopped, tc.want)
		}
		found := false
		for _, g := range c.gaps {
			found = found || g.Msg.ID == "files.gap.stopped."+tc.want
		}
		if !found {
			t.Errorf("%+v: no stop gap in %+v", tc.opt, c.gaps)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cov := Walk(ctx, target.NewUnchecked(dir, false), []Matcher{&marker{}}, &collect{}, Options{})
	if cov.Stopped != "cancelled" {
		t.Errorf("cancelled walk: %+v", cov)
	}
}

func TestWalkProgress(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/a/x", "EVIL\n")
	calls := 0
	cov := Walk(context.Background(), target.NewUnchecked(dir, false), []Matcher{&marker{}}, &collect{},
		Options{ProgressEvery: 1, Progress: func(Coverage) { calls++ }})
	_ = calls // any number: the ticker may not fire before the walk ends
	if cov.Seen != 1 {
		t.Errorf("coverage %+v", cov)
	}
}

func TestStartPathsDeduplicate(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/usr/bin/x", "EVIL\n")
	must(t, os.Symlink("usr/bin", dir+"/bin"))
	c := &collect{}
	Walk(context.Background(), target.NewUnchecked(dir, false), []Matcher{&marker{}}, c, Options{Roots: []string{"/bin", "/usr/bin", "/usr"}})
	if len(c.hits) != 1 || c.hits[0].Path != "/usr/bin/x" {
		t.Errorf("hits %+v", c.hits)
	}
}

func TestParseMountinfo(t *testing.T) {
	in := "22 1 0:21 / /proc rw,nosuid - proc proc rw\n" +
		"30 1 0:45 / /mnt/with\\040space rw shared:1 - nfs4 srv:/x rw\n" +
		"garbage\n31 1 x:y / /a rw - ext4 /dev/sda rw\n"
	ms := ParseMountinfo(in)
	if len(ms) != 2 || ms[1].Point != "/mnt/with space" || ms[1].FSType != "nfs4" || ms[1].Dev != unix.Mkdev(0, 45) {
		t.Errorf("%+v", ms)
	}
}

func FuzzParseMountinfo(f *testing.F) {
	f.Add("22 1 0:21 / /proc rw,nosuid - proc proc rw\n")
	f.Add("30 1 0:45 / /mnt/a\\040b rw shared:1 - nfs4 srv:/x rw\n")
	f.Add("1 2 3:4 / /x\\ - \n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range ParseMountinfo(s) {
			if m.FSType == "" {
				t.Fatalf("empty type from %q", s)
			}
		}
	})
}
