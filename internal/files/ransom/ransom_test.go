package ransom

import "testing"

func TestUnknownExt(t *testing.T) {
	for name, want := range map[string]string{
		"a.docx.lockbit9": "lockbit9", "x.tar.gz": "", "syslog.1": "", "noext": "", ".bashrc": "",
		"f.PNG": "", "report.id-12ab.crypt": "crypt", "weird.ext with space": "",
	} {
		if got := unknownExt(name); got != want {
			t.Errorf("unknownExt(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestNoteName(t *testing.T) {
	for name, want := range map[string]bool{
		"HOW_TO_DECRYPT_FILES.txt": true, "!!!READ_ME!!!.txt": true, "_readme.txt": true, "RECOVER-FILES.html": true,
		"README.md": false, "notes.txt": false, "index.html": false,
	} {
		if got := noteName.MatchString(name); got != want {
			t.Errorf("noteName(%q) = %v", name, got)
		}
	}
}

func FuzzUnknownExt(f *testing.F) {
	f.Add("a.docx.lockbit9")
	f.Add(".x.")
	f.Fuzz(func(t *testing.T, s string) {
		if e := unknownExt(s); len(e) > 16 {
			t.Fatalf("extension %q too long", e)
		}
		noteName.MatchString(s)
	})
}
