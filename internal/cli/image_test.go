package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/evidence"
)

func TestImageCommand(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "disk.img")
	data := []byte(strings.Repeat("sector--", 70_000))
	os.WriteFile(src, data, 0o600)
	out := filepath.Join(dir, "copy.img")

	r := vigil(t, "image", src, out, "--md5", "--progress", "never")
	if r.code != 0 {
		t.Fatalf("image: exit %d: %s", r.code, r.err)
	}
	got, _ := os.ReadFile(out)
	sum := sha256.Sum256(data)
	if string(got) != string(data) || !strings.Contains(r.err, hex.EncodeToString(sum[:])) {
		t.Fatalf("copy or digest wrong:\n%s", r.err)
	}
	var rec evidence.ImageRecord
	b, err := os.ReadFile(out + app.RecordSuffix)
	if err != nil || json.Unmarshal(b, &rec) != nil || rec.Result.SHA256 != hex.EncodeToString(sum[:]) || rec.Result.MD5 == "" {
		t.Fatalf("record: %v %s", err, b)
	}
	for _, args := range [][]string{
		{"image", src, src}, // onto itself
		{"image", src, out}, // exists
		{"image", filepath.Join(dir, "none"), out + "2"}, // no source
		{"image", dir, filepath.Join(dir, "dir.img")},    // not a file or block device
	} {
		if r := vigil(t, args...); r.code != ExitError {
			t.Errorf("%v: exit %d, want 2 (%s)", args, r.code, r.err)
		}
	}
	if r := vigil(t, "image", src, "-", "--lang", "zh-CN"); r.code != 0 || r.out != string(data) || !strings.Contains(r.err, "字节") {
		t.Errorf("image to stdout: exit %d, %d bytes: %s", r.code, len(r.out), r.err)
	}
}
