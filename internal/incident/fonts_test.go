package incident

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFontProbe(t *testing.T) {
	dir := func(files ...string) []string {
		d := t.TempDir()
		for _, f := range files {
			p := filepath.Join(d, f)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return []string{d}
	}
	for _, tc := range []struct {
		name string
		dirs []string
		want bool
	}{
		{"Noto CJK (fonts-noto-cjk)", dir("opentype/noto/NotoSansCJK-Regular.ttc"), true},
		{"WenQuanYi", dir("truetype/wqy/wqy-microhei.ttc"), true},
		{"AR PL UMing", dir("truetype/arphic/uming.ttc"), true},
		{"only Latin fonts and a text file", dir("truetype/dejavu/DejaVuSans.ttf", "opentype/noto/NotoSans-Regular.ttf", "cjk-notes.txt"), false},
		{"no font directory", []string{filepath.Join(t.TempDir(), "none")}, false},
	} {
		if got := (FontProbe{Dirs: tc.dirs}).HasCJK(); got != tc.want {
			t.Errorf("%s: HasCJK = %v, want %v", tc.name, got, tc.want)
		}
	}
}
