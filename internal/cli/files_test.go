package cli

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func TestFilesCommand(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot+
		"-- var/www/html/s.php --\n<?php @eval($_POST['c']);?>\n"+
		"-- home/ann/x.php --\n<?php system($_GET['c']);\n")
	r := vigil(t, "files", "--root", root, "--no-store", "-f", "json", "/var/www")
	if r.code != ExitFindings {
		t.Fatalf("exit %d, want %d\n%s", r.code, ExitFindings, r.err)
	}
	res := decode[model.Result](t, r)
	paths := map[string]bool{}
	for _, f := range res.Findings {
		paths[f.Subject] = true
	}
	if !paths["/var/www/html/s.php"] || paths["/home/ann/x.php"] || !paths["files"] {
		t.Errorf("findings of the given path only, with the coverage: %v", paths)
	}
	// The default places reach the home too.
	for _, args := range [][]string{{"files"}} {
		r = vigil(t, append(args, "--root", root, "--no-store", "-f", "json")...)
		found := false
		for _, f := range decode[model.Result](t, r).Findings {
			found = found || f.Subject == "/home/ann/x.php"
		}
		if !found {
			t.Errorf("%v: /home/ann/x.php not reported\n%s", args, r.err)
		}
	}
	for _, bad := range [][]string{{"--max-bytes", "lots"}, {"--content-limit", "-1"}, {"--max-files", "-2"}} {
		if r := vigil(t, append([]string{"files", "--root", root, "--no-store"}, bad...)...); r.code != ExitError {
			t.Errorf("%v: exit %d, want usage error", bad, r.code)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "512": 512, "8M": 8 << 20, "1.5G": 3 << 29, "2GiB": 2 << 30, "4k": 4096, "1T": 1 << 40} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "lots", "-1", "1X", "9999999999T"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	f.Add("8M")
	f.Add("1.5G")
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := ParseSize(s); err == nil && v < 0 {
			t.Fatalf("ParseSize(%q) = %d", s, v)
		}
	})
}
