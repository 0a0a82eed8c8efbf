package evidence

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// faultyReader fails every read that touches a bad sector, like a disk
// with unreadable sectors.
type faultyReader struct {
	data   []byte
	bad    map[int64]bool // sector numbers
	sector int64
}

func (f *faultyReader) ReadAt(p []byte, off int64) (int, error) {
	for s := off / f.sector; s*f.sector < off+int64(len(p)); s++ {
		if f.bad[s] {
			return 0, syscall.EIO
		}
	}
	if off >= int64(len(f.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func TestImageLikeDDNoErrorSync(t *testing.T) {
	data := make([]byte, 3<<20+700) // not a multiple of the block or sector size
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for _, tc := range []struct {
		name string
		bad  []int64
		want []BadRange
	}{
		{"clean", nil, []BadRange{}},
		{"one bad sector", []int64{10}, []BadRange{{10 * 512, 512}}},
		{"a run and a single one", []int64{100, 101, 102, 5000}, []BadRange{{100 * 512, 3 * 512}, {5000 * 512, 512}}},
		{"the short last sector", []int64{int64(len(data)) / 512}, []BadRange{{int64(len(data)) / 512 * 512, int64(len(data)) % 512}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &faultyReader{data: data, bad: map[int64]bool{}, sector: 512}
			want := bytes.Clone(data)
			for _, s := range tc.bad {
				src.bad[s] = true
				clear(want[s*512 : min(s*512+512, int64(len(want)))])
			}
			var out bytes.Buffer
			res, err := Image(context.Background(), src, int64(len(data)), &out, ImageOptions{BlockSize: 1 << 20, MD5: true})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Fatal("image differs from the source with unreadable sectors zeroed")
			}
			sum, md := sha256.Sum256(want), md5.Sum(want)
			if res.SHA256 != hex.EncodeToString(sum[:]) || res.MD5 != hex.EncodeToString(md[:]) || res.Bytes != int64(len(data)) {
				t.Errorf("digests or size wrong: %+v", res)
			}
			if len(res.Bad) != len(tc.want) || res.BadSectors != len(tc.bad) {
				t.Fatalf("bad ranges %+v (%d sectors), want %+v", res.Bad, res.BadSectors, tc.want)
			}
			for i := range tc.want {
				if res.Bad[i] != tc.want[i] {
					t.Errorf("bad range %d: %+v, want %+v", i, res.Bad[i], tc.want[i])
				}
			}
		})
	}
}

func TestImageSourceShrank(t *testing.T) {
	src := &faultyReader{data: make([]byte, 1000), sector: 512}
	_, err := Image(context.Background(), src, 4096, io.Discard, ImageOptions{})
	if err == nil {
		t.Fatal("a source shorter than its size must fail")
	}
}

func TestCheckNotOntoSource(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "disk.img")
	os.WriteFile(src, []byte("x"), 0o600)
	link := filepath.Join(dir, "link.img")
	os.Symlink(src, link)
	hard := filepath.Join(dir, "hard.img")
	os.Link(src, hard)
	for _, out := range []string{src, link, hard} {
		if err := CheckNotOntoSource(src, out); !errors.Is(err, ErrOntoSource) {
			t.Errorf("%s: %v, want a refusal", out, err)
		}
	}
	if err := CheckNotOntoSource(src, filepath.Join(dir, "copy.img")); err != nil {
		t.Errorf("a new file beside the source: %v", err)
	}
}

func BenchmarkImage(b *testing.B) {
	data := make([]byte, 64<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Image(context.Background(), bytes.NewReader(data), int64(len(data)), io.Discard, ImageOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// A real block device: a loop device over a file (root only).
func TestImageLoopDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("loop devices need root")
	}
	img := filepath.Join(t.TempDir(), "disk.img")
	data := bytes.Repeat([]byte("vigil-loop-"), 200_000)
	data = data[:len(data)/512*512]
	if err := os.WriteFile(img, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "-f", "--show", "-r", img).Output()
	if err != nil {
		t.Skipf("losetup: %v", err)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("losetup", "-d", dev).Run() })
	f, err := os.Open(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	size, err := SourceSize(f)
	if err != nil || size != int64(len(data)) {
		t.Fatalf("size of %s: %d %v, want %d", dev, size, err, len(data))
	}
	var buf bytes.Buffer
	res, err := Image(context.Background(), f, size, &buf, ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if res.SHA256 != hex.EncodeToString(sum[:]) || !bytes.Equal(buf.Bytes(), data) {
		t.Error("the image of the loop device differs from its file")
	}
	if err := CheckNotOntoSource(dev, dev); !errors.Is(err, ErrOntoSource) {
		t.Errorf("writing a device onto itself: %v", err)
	}
}
