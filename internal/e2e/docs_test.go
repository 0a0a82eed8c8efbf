package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/cli"
	"github.com/vigil-ir/vigil/internal/vuln/vulntest"
)

// TestDocumentedCommands runs every `vigil ...` command line of README.md and
// docs/*.md — the lines of code blocks and the commands quoted inline — in
// document order, through cli.Run, with a temporary store ($VIGIL_STORE)
// on the incident fixture root. A command that errors (exit 2) fails the
// test. Commands the documents run on the live host, or with paths of
// the writer's machine, are adapted by the mapping below, never skipped:
//
//   - `vigil scan` without --root (the live host, best as root) scans the
//     fixture root instead; --root DIR and the placeholder R name it too;
//   - /media/ir/FILE (external media) is a file in the working directory,
//     its evidence-signing.key.pub the key beside the temporary store;
//     `vigil collect` without --root collects the fixture root too;
//     a disk (/dev/sdb) to image is a small file there;
//   - scan numbers of the examples (9, 12, 15, A, B) are the first and
//     second scans of the run; a fingerprint example (3f9a0c1d...) is a
//     prefix of a stored fingerprint; `ignore remove N` removes a
//     suppression the test adds just before;
//   - placeholders in capitals (FILE.yaml, GLOB, TEXT, DATE, ID (a rule for
//     rules show), FINGERPRINT|RULE) get values from placeholders below; an unknown one
//     fails the test, so a new example gets a mapping;
//   - an inline mention of a bare subcommand (`vigil ignore` in prose) runs
//     its --help: it names a command, it is not a command line.
func TestDocumentedCommands(t *testing.T) {
	root, _ := incidentRoot(t)
	top, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Glob(filepath.Join(top, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs = append([]string{filepath.Join(top, "README.md")}, docs...)
	work := t.TempDir()
	t.Chdir(work) // files the examples name (team.yaml) are written here
	// The advisory files the vulnerability examples import, dated now.
	if _, err := vulntest.Write(work, time.Now()); err != nil {
		t.Fatal(err)
	}
	t.Setenv(app.StoreEnv, filepath.Join(work, "state", "vigil.db"))
	run := &docRunner{t: t, root: root}
	n := 0
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range commandLines(string(b)) {
			n++
			run.run(filepath.Base(doc), c)
		}
	}
	t.Logf("%d documented commands ran", n)
	if n < 20 {
		t.Errorf("only %d documented commands found: is the extraction broken?", n)
	}
}

// docCommand is one documented command line.
type docCommand struct {
	line   int
	text   string
	inline bool // quoted in prose, not a line of a code block
}

var inlineRE = regexp.MustCompile("`(vigil [^`]+)`")

// commandLines extracts the vigil command lines of a Markdown text: lines of
// code blocks (fenced or indented) starting with "vigil ", without their
// trailing "# comment", and commands quoted inline.
func commandLines(md string) []docCommand {
	var out []docCommand
	fenced := false
	for i, line := range strings.Split(md, "\n") {
		trim := strings.TrimSpace(line)
		if strings.HasPrefix(trim, "```") {
			fenced = !fenced
			continue
		}
		block := fenced || strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t")
		trim = strings.TrimPrefix(trim, "$ ")
		if block && strings.HasPrefix(trim, "vigil ") || trim == "vigil" {
			out = append(out, docCommand{line: i + 1, text: stripComment(trim)})
			continue
		}
		if block {
			continue
		}
		for _, m := range inlineRE.FindAllStringSubmatch(line, -1) {
			out = append(out, docCommand{line: i + 1, text: m[1], inline: true})
		}
	}
	return out
}

// stripComment cuts a trailing "# ..." outside quotes.
func stripComment(s string) string {
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && i > 0 && s[i-1] == ' ':
			return strings.TrimSpace(s[:i])
		}
	}
	return s
}

// splitWords splits a shell command line into words (single and double
// quotes; no expansion).
func splitWords(s string) []string {
	var words []string
	var cur strings.Builder
	var quote rune
	in := false
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// placeholders maps the capitalised placeholders of the documents to values.
var placeholders = map[string]string{
	"FILE.yaml":        "team.yaml",
	"GLOB":             "/etc/*",
	"TEXT":             "documented example",
	"DATE":             "2027-03-01",
	"FINGERPRINT|RULE": "ssh.sshd.root-login",
	"CHECK,...":        "integrity,tools",
	"FILE":             "debug.log",
	"TITLE":            "documented incident",
	"STEP":             "harden",
	"CASE":             "IR-1",
	"PATH":             "debian-osv.zip", // written by vulntest.Write
}

type docRunner struct {
	t    *testing.T
	root string
}

// adapt turns a documented command into the arguments run here.
func (d *docRunner) adapt(c docCommand) ([]string, error) {
	words := splitWords(c.text)[1:]
	if c.inline && len(words) == 1 {
		return append(words, "--help"), nil
	}
	var args []string
	for i := 0; i < len(words); i++ {
		w := strings.Trim(words[i], "[]")
		switch {
		case w == "--root" || w == "--store":
			i++ // the path of the writer's machine
			if w == "--root" {
				args = append(args, "--root", d.root)
			}
			continue
		case w == "--baseline/--new":
			w = "--baseline"
		case w == "R" || w == "DIR":
			w = d.root
		case strings.HasPrefix(w, "/media/ir/"):
			w = mediaPath(w)
		case strings.HasPrefix(w, "/dev/sd"):
			w = diskFile(d.t)
		case w == "9" || w == "12" || w == "A":
			w = "1"
		case w == "15" || w == "B":
			w = "2"
		case strings.HasSuffix(w, "..."):
			fp, err := d.fingerprint(strings.TrimSuffix(w, "..."))
			if err != nil {
				return nil, err
			}
			w = fp
		case w == "ID" && len(args) > 0 && args[0] == "rules":
			w = placeholders["FINGERPRINT|RULE"]
		case w == "ID":
			w = "1" // a suppression: see ignore remove below
		case placeholders[w] != "":
			w = placeholders[w]
		case placeholderRE.MatchString(w):
			return nil, fmt.Errorf("placeholder %q has no mapping in docs_test.go", w)
		}
		args = append(args, w)
	}
	// Collection reads the fixture root. Containment never touches the machine running the tests: an
	// example for the live host acts on the fixture root (a temporary
	// copy), with the temporary store beside it.
	if len(args) > 0 && (args[0] == "scan" || args[0] == "collect" || onRoot(args) || args[0] == "logs" || args[0] == "timeline" || args[0] == "files") && !contains(args, "--root") && !contains(args, "--help") {
		args = append(args, "--root", d.root) // the live host: the fixture root
	}
	// vigil vuln and vuln plan on the live host examine the fixture root.
	if len(args) > 0 && args[0] == "vuln" && (len(args) == 1 || strings.HasPrefix(args[1], "-") || args[1] == "plan") &&
		!contains(args, "--root") && !contains(args, "--help") {
		args = append(args, "--root", d.root) // the live host: the fixture root
	}
	if len(args) > 2 && args[0] == "ignore" && args[1] == "remove" {
		id, err := d.addSuppression()
		if err != nil {
			return nil, err
		}
		args[2] = id
	}
	return args, nil
}

// mediaPath maps the external media of the examples (/media/ir/...) into
// the test's working directory: archives written there, and the signing
// key's public half, which lives beside the test's store.
func mediaPath(p string) string {
	base := filepath.Base(p)
	if base == "evidence-signing.key.pub" {
		return filepath.Join(filepath.Dir(os.Getenv(app.StoreEnv)), base)
	}
	return "media-ir-" + base
}

// diskFile stands for the disk of an imaging example (/dev/sdb): a small
// file in the working directory, never a device of the machine.
func diskFile(t *testing.T) string {
	const name = "disk.img"
	if _, err := os.Stat(name); err != nil {
		if err := os.WriteFile(name, bytes.Repeat([]byte("disk"), 1<<16), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return name
}

// onRoot: the containment actions that can act on a root directory act on
// the fixture root; the others (isolate, block, status) only plan or read
// on the live host in the documents.
func onRoot(args []string) bool {
	return len(args) > 1 && args[0] == "contain" && (args[1] == "quarantine" || args[1] == "disable" || args[1] == "lock-user")
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// cli runs vigil with args.
func (d *docRunner) cli(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// fingerprint is a stored fingerprint prefix as long as the example's.
func (d *docRunner) fingerprint(example string) (string, error) {
	out, errs, code := d.cli("findings", "--format", "json")
	if code == 2 {
		return "", fmt.Errorf("findings: %s", errs)
	}
	var rows []app.FindingRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) == 0 {
		return "", fmt.Errorf("no stored finding for the fingerprint example %q: %v", example, err)
	}
	return rows[0].Finding.Fingerprint[:max(len(example), 6)], nil
}

var (
	addedRE       = regexp.MustCompile(`#(\d+)`)
	placeholderRE = regexp.MustCompile(`^[A-Z][A-Z_.|,]+$`)
)

// addSuppression adds one suppression to remove and returns its id.
func (d *docRunner) addSuppression() (string, error) {
	out, errs, code := d.cli("ignore", "ssh.sshd.listen", "--reason", "to be removed by the example")
	m := addedRE.FindStringSubmatch(out)
	if code != 0 || m == nil {
		return "", fmt.Errorf("adding a suppression to remove: exit %d %s", code, errs)
	}
	return m[1], nil
}

func (d *docRunner) run(doc string, c docCommand) {
	t := d.t
	t.Helper()
	args, err := d.adapt(c)
	if err != nil {
		t.Errorf("%s:%d %s: %v", doc, c.line, c.text, err)
		return
	}
	// "> FILE": standard output goes to FILE in the work directory (a
	// saved scan that a later example reads).
	redirect := ""
	for i, a := range args {
		if a == ">" && i+1 < len(args) {
			redirect, args = args[i+1], append(args[:i:i], args[i+2:]...)
			break
		}
	}
	out, errs, code := d.cli(args...)
	if code == 2 {
		t.Errorf("%s:%d %q (run as vigil %s) failed, exit 2:\n%s%s", doc, c.line, c.text, strings.Join(args, " "), errs, out)
	}
	if redirect != "" {
		if err := os.WriteFile(redirect, []byte(out), 0o600); err != nil {
			t.Error(err)
		}
	}
}
