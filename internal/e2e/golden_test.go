package e2e

import (
	"bytes"
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// The whole JSON result of the two end-to-end roots is compared with a
// golden file, so that any change of what a scan reports shows in review: a
// new low-severity false alarm on the clean Debian root, a lost or changed
// finding on the incident root. What differs between runs or builds is
// masked: times, durations, the tool's and the checks' versions, the
// root's path, the machine id, hostname and fingerprints (the Debian root is
// built on each machine), digests of the Debian root's files (package
// versions move). Findings and gaps are sorted.

// updateHint says how to accept a changed output.
const updateHint = `If the change is intended (a new check, a changed rule or text), regenerate the golden files and review their diff before committing:

    VIGIL_E2E_ROOT=/var/cache/vigil-e2e/bookworm go test ./internal/e2e/ -run Golden -update
    git diff internal/e2e/testdata/*.golden.json

A new finding on the Debian root is a false positive until proven otherwise.`

func TestGoldenDebianRoot(t *testing.T) {
	root := debianRoot(t)
	r, code, stderr := scan(t, "--root", root, "--fail-on", "none")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	compareGolden(t, "testdata/debian.golden.json", normalize(r, root, true))
}

func TestGoldenIncidentRoot(t *testing.T) {
	root, capsSet := incidentRoot(t)
	if !capsSet {
		t.Skip("the golden file holds the file-capability finding, which needs root and xattrs to plant")
	}
	r, code, stderr := scan(t, "--root", root, "--fail-on", "none")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	compareGolden(t, "testdata/incident.golden.json", normalize(r, root, false))
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *testutil.Update {
		testutil.Golden(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s: %v\n\n%s", path, err, updateHint)
	}
	if !bytes.Equal(want, got) {
		diff := gocmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n"))
		t.Errorf("the scan's JSON differs from %s (-want +got):\n%s\n%s", filepath.Base(path), diff, updateHint)
	}
}

// sinceBuild lists the rules whose firing on the Debian root depends on how
// long ago it was built (a file changed "in the last 7 days"): they are
// left out of its golden file, which must not expire a week after a build.
var sinceBuild = map[string]bool{
	"accounts.files.modified": true,
	"ssh.key.root-recent":     true,
	"accounts.recent.created": true,
}

var (
	timeRE    = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?`)
	versionRE = regexp.MustCompile(`@\d+$`)
)

// normalize masks what varies between runs and builds and sorts; debian
// also masks the digests of the root's files.
func normalize(r model.Result, root string, debian bool) []byte {
	clean := func(s string) string {
		s = strings.ReplaceAll(s, root, "<root>")
		return timeRE.ReplaceAllString(s, "<time>")
	}
	r.Meta.ID, r.Meta.Version = "<id>", "<version>"
	r.Meta.Started, r.Meta.Finished = time.Time{}, time.Time{}
	r.Meta.Target.Root = "<root>"
	if r.Meta.Operator != "" { // who runs the tests
		r.Meta.Operator = "<operator>"
	}
	if r.Meta.Target.MachineID != "" {
		r.Meta.Target.MachineID = "<machine-id>"
	}
	if r.Meta.Target.Hostname != "" {
		r.Meta.Target.Hostname = "<hostname>"
	}
	if debian {
		r.Findings = slices.DeleteFunc(r.Findings, func(f model.Finding) bool { return sinceBuild[f.RuleID] })
		r.Summary.Counts, r.Summary.Total = nil, len(r.Findings)
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Fingerprint = "<fingerprint>"
		f.Detector = versionRE.ReplaceAllString(f.Detector, "")
		f.Subject = clean(f.Subject)
		f.Evidence.Text = clean(f.Evidence.Text)
		f.Evidence.MTime = nil
		if debian && f.Evidence.SHA256 != "" {
			f.Evidence.SHA256 = "<sha256>"
		}
		for k, v := range f.Evidence.Extra {
			if strings.Contains(k, "version") || (debian && strings.Contains(k, "sha256")) {
				v = "<" + k + ">"
			}
			f.Evidence.Extra[k] = clean(v)
		}
	}
	slices.SortStableFunc(r.Findings, func(a, b model.Finding) int {
		return cmp.Or(cmp.Compare(a.RuleID, b.RuleID), cmp.Compare(a.Evidence.Path, b.Evidence.Path),
			cmp.Compare(a.Evidence.Line, b.Evidence.Line), cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Evidence.Text, b.Evidence.Text))
	})
	for i := range r.Gaps {
		r.Gaps[i].Reason = clean(r.Gaps[i].Reason)
		r.Gaps[i].Path = clean(r.Gaps[i].Path)
	}
	slices.SortStableFunc(r.Gaps, func(a, b model.Gap) int {
		return cmp.Or(cmp.Compare(a.Check, b.Check), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Reason, b.Reason))
	})
	for i := range r.Summary.Checks {
		c := &r.Summary.Checks[i]
		c.Duration, c.Version = 0, 0
		c.Reason = clean(c.Reason)
	}
	slices.SortStableFunc(r.Summary.Checks, func(a, b model.CheckStatus) int { return cmp.Compare(a.Name, b.Name) })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		panic(err) // a model.Result always encodes
	}
	return buf.Bytes()
}
