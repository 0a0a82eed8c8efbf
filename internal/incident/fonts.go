package incident

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CJKPackage is the Debian package that gives Chinese text its glyphs in
// the PDF report.
const CJKPackage = "fonts-noto-cjk"

// FontProbe finds out whether the analysing machine has a font with
// Chinese glyphs, which Chromium needs to print a Chinese report: without
// one the PDF shows empty boxes and nothing says so. It looks through the
// font directories fontconfig reads on Debian for the files of the usual
// CJK fonts. (Asking fc-list would mean running a program, which only
// containment may do: internal/archtest.)
type FontProbe struct {
	// Dirs are the font directories looked through (nil: FontDirs).
	Dirs []string
}

// FontDirs are fontconfig's usual directories on Debian.
func FontDirs() []string {
	dirs := []string{"/usr/share/fonts", "/usr/local/share/fonts"}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".local/share/fonts"), filepath.Join(home, ".fonts"))
	}
	return dirs
}

// cjkFileNames are parts of the file names of fonts that draw Simplified
// Chinese (Noto/Source Han, WenQuanYi, AR PL, Droid fallback ...).
var cjkFileNames = []string{"cjk", "sourcehan", "wqy", "wenquanyi", "droidsansfallback", "uming", "ukai", "notosanssc", "notoserifsc",
	"simsun", "simhei", "msyh", "fandol", "zhengkai"}

// maxFontFiles bounds the walk through the font directories.
const maxFontFiles = 50_000

// HasCJK reports whether a font with Chinese glyphs is installed.
func (p FontProbe) HasCJK() bool {
	dirs := p.Dirs
	if dirs == nil {
		dirs = FontDirs()
	}
	seen := 0
	found := false
	for _, d := range dirs {
		_ = filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return nil // an unreadable directory: the others may hold one
			}
			if seen++; found || seen > maxFontFiles {
				return fs.SkipAll
			}
			name := strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(e.Name()))
			if !e.IsDir() && isFontFile(name) && containsAny(name, cjkFileNames) {
				found = true
			}
			return nil
		})
	}
	return found
}

func isFontFile(name string) bool {
	for _, ext := range []string{".ttf", ".ttc", ".otf", ".otc", ".woff2"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

func containsAny(s string, parts []string) bool {
	for _, p := range parts {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
