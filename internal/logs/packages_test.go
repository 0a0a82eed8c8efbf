package logs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/testutil"
)

func TestPackagesGolden(t *testing.T) {
	for name, format := range map[string]string{"dpkg.log": FormatDpkg, "yum.log": FormatYum, "dnf.rpm.log": FormatDnf} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata/packages", name))
			if err != nil {
				t.Fatal(err)
			}
			// yum.log has no year: the file is read as if written on 2 Jan 2027.
			tg := writeRoot(t, logFile{name: "var/log/" + name, text: string(b), mtime: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)})
			src, _ := Rotated(tg, "/var/log/"+name, format)
			evs, cov, _ := readAll(t, tg, src, Options{Location: time.FixedZone("UTC-5", -5*3600)})
			cov.Name = ""
			testutil.Golden(t, filepath.Join("testdata/packages", name+".golden"), goldenEvents(t, evs, cov))
		})
	}
}

func FuzzPackages(f *testing.F) {
	for _, p := range []string{"dpkg.log", "yum.log", "dnf.rpm.log"} {
		b, _ := os.ReadFile(filepath.Join("testdata/packages", p))
		for _, l := range strings.Split(string(b), "\n") {
			f.Add(l)
		}
	}
	f.Fuzz(func(t *testing.T, line string) {
		for _, format := range []string{FormatDpkg, FormatYum, FormatDnf} {
			evs, cov := parseText(t, Source{Format: format}, line, time.UTC)
			if cov.Parsed+cov.Unparsed != cov.Lines || int64(len(evs)) != cov.Events {
				t.Fatalf("%s: coverage %+v, %d events", format, cov, len(evs))
			}
		}
	})
}
