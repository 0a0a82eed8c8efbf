package enginetest

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Hostile is the hostile-input test of one check: every file it parses is
// replaced in turn by hostile versions (invalid UTF-8, NULs, megabyte
// lines, absurd counts, symlink loops, symlinks out of the root, FIFOs, a
// directory, a huge sparse file, and the check's own recursion cases) in a
// fixture root that also holds a real trace; the check must end with
// status ok and still report the trace. An intruder with root writes these
// files: one bad input may cost the check that input (a gap), never the
// rest of what it examines.
type Hostile struct {
	Detector engine.Detector
	// Root builds a fresh fixture root holding the trace (called once per
	// variant).
	Root func(t testing.TB) string
	// Live runs the detector as on the running host.
	Live bool
	// Options are the scan's options (ChangedSince for time-aware checks).
	Options engine.Options
	// Trace is what the check must still report.
	Trace []Want
	// Files are the target paths the check parses. A path ending in "/" is
	// a directory the check reads every file of: the variants are planted
	// as a new file in it (and a directory of many files is added).
	Files []string
	// Needs are the files the trace is read from (the file holding it, the
	// package database for a changed binary): when the check records a gap
	// for one of them, a hostile version of it may cost the trace.
	Needs []string
	// Known are variants that still cost the trace, with the reason: known
	// limits, each a bug to fix. They are logged, not failed.
	Known map[string]string
	// Extra are the check's own hostile contents (include loops, recursive
	// definitions), by name, planted like the generic ones.
	Extra map[string]string
}

// variant plants one hostile version of the file at host path hp. orig is
// the fixture's content (nil when the file did not exist).
type variant struct {
	name string
	// replaces is true when the variant removes the original content (a
	// trace in that file is then gone, not hidden).
	replaces bool
	plant    func(hp string, orig []byte) error
}

// Hostile texts. They surround the original content, so a trace in the
// same file stays in it.
var (
	badUTF8  = "\xff\xfe\xfd\n\xc3\x28 [\xff]* \xed\xa0\x80 [\x80-\xff] *\xff? \\\xff\n=\xff \xff=\xff \"\xff\" '\xff'\n"
	withNULs = "\x00\x00\x00\nab\x00cd=\x00 \x00\n\"\x00\"\n"
)

func textVariant(name string, head, tail func() string) variant {
	return variant{name, false, func(hp string, orig []byte) error {
		var b bytes.Buffer
		b.WriteString(head())
		b.Write(orig)
		if len(orig) > 0 && orig[len(orig)-1] != '\n' {
			b.WriteByte('\n')
		}
		b.WriteString(tail())
		return writeFile(hp, b.Bytes())
	}}
}

func replaceWith(name string, plant func(hp string) error) variant {
	return variant{name, true, func(hp string, _ []byte) error {
		if err := os.RemoveAll(hp); err != nil {
			return err
		}
		return plant(hp)
	}}
}

func constant(s string) func() string { return func() string { return s } }

func genericVariants() []variant {
	megaLine := func() string { return strings.Repeat("A", 1<<20) + "\n" + "x=" + strings.Repeat("\"(", 1<<19) + "\n" }
	manyLines := func() string { return strings.Repeat("a\n", 100_000) + strings.Repeat("# c\n", 1000) }
	return []variant{
		textVariant("invalid-utf8", constant(badUTF8), constant(badUTF8)),
		textVariant("nul", constant(withNULs), constant(withNULs)),
		textVariant("mega-line", constant(""), megaLine),
		textVariant("many-lines", constant(""), manyLines),
		textVariant("no-final-newline", constant(""), constant("\\")),
		replaceWith("symlink-self", func(hp string) error { return os.Symlink(filepath.Base(hp), hp) }),
		replaceWith("symlink-loop", func(hp string) error {
			if err := os.Symlink(filepath.Base(hp)+".loop", hp); err != nil {
				return err
			}
			return os.Symlink(filepath.Base(hp), hp+".loop")
		}),
		replaceWith("symlink-out-of-root", func(hp string) error {
			return os.Symlink(strings.Repeat("../", 40)+"proc/self/environ", hp)
		}),
		replaceWith("symlink-absolute", func(hp string) error { return os.Symlink("/proc/self/mem", hp) }),
		replaceWith("fifo", func(hp string) error { return syscall.Mkfifo(hp, 0o644) }),
		replaceWith("directory", func(hp string) error { return os.MkdirAll(filepath.Join(hp, "sub"), 0o755) }),
		replaceWith("huge-sparse", func(hp string) error {
			f, err := os.Create(hp)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Truncate(target.DefaultReadLimit + 1<<20) // beyond the default read limit
		}),
	}
}

// Run runs each variant as a subtest: planted into every file at once (a
// variant that replaces content spares the Needs files, which get a run of
// their own where only the check's ending is asserted), then a directory of
// many files in each directory the check reads.
func (h Hostile) Run(t *testing.T) {
	t.Helper()
	if len(h.Trace) == 0 || len(h.Files) == 0 {
		t.Fatal("enginetest.Hostile: a trace and the files the check parses are needed")
	}
	vs := genericVariants()
	for _, name := range slices.Sorted(maps.Keys(h.Extra)) {
		vs = append(vs, textVariant("extra-"+name, constant(""), constant(h.Extra[name])))
	}
	var others, dirs []string
	for _, f := range h.Files {
		if !slices.Contains(h.Needs, f) {
			others = append(others, f)
		}
		if strings.HasSuffix(f, "/") {
			dirs = append(dirs, f)
		}
	}
	for _, v := range vs {
		files := h.Files
		if v.replaces {
			files = others
		}
		t.Run(v.name, func(t *testing.T) { h.runVariant(t, files, v, true) })
		if v.replaces && len(h.Needs) > 0 {
			t.Run(v.name+"-of-the-trace", func(t *testing.T) { h.runVariant(t, h.Needs, v, false) })
		}
	}
	if len(dirs) > 0 {
		t.Run("many-files", func(t *testing.T) { h.runVariant(t, dirs, manyFiles, true) })
	}
}

// manyFiles fills a directory with a thousand files.
var manyFiles = variant{"many-files", false, func(hp string, _ []byte) error {
	dir := filepath.Dir(hp)
	for i := range 1000 {
		if err := writeFile(filepath.Join(dir, fmt.Sprintf("zz-%04d", i)), []byte("a\n")); err != nil {
			return err
		}
	}
	return nil
}}

// plantPath is the target path a variant is planted at for file: a new
// file in a directory ("/etc/cron.d/" -> "/etc/cron.d/zz-hostile").
func plantPath(file string) string {
	if strings.HasSuffix(file, "/") {
		return file + "zz-hostile"
	}
	return file
}

func (h Hostile) runVariant(t *testing.T, files []string, v variant, wantTrace bool) {
	root := h.Root(t)
	for _, file := range files {
		hp := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(plantPath(file), "/")))
		if err := os.MkdirAll(filepath.Dir(hp), 0o755); err != nil {
			t.Fatal(err)
		}
		orig, _ := os.ReadFile(hp) // nil for a new or unreadable file
		if err := v.plant(hp, orig); err != nil {
			t.Fatalf("planting %s at %s: %v", v.name, file, err)
		}
	}
	res := RunTarget(t, h.Detector, target.NewUnchecked(root, h.Live), h.Options)
	if res.Status.Status != "ok" {
		t.Fatalf("check %s with %s in %v: status %s (%s)", h.Detector.Name(), v.name, files, res.Status.Status, res.Status.Reason)
	}
	if !wantTrace {
		return // the trace went with the content; the check ended
	}
	for _, w := range h.Trace {
		if _, ok, why := Match(res.Findings, w); !ok && !h.excused(res.Gaps) {
			if reason, known := h.Known[v.name]; known {
				t.Logf("known limit: with %s the trace is lost: %s", v.name, reason)
				continue
			}
			t.Errorf("with %s in %v the trace is lost: want %s: %s\ngot:\n%sgaps: %v", v.name, files, w, why, Dump(res.Findings), res.Gaps)
		}
	}
}

// excused: the trace may be lost when the check said it could not read a
// file the trace is read from (a gap for one of Needs).
func (h Hostile) excused(gaps []model.Gap) bool {
	for _, g := range gaps {
		for _, n := range h.Needs {
			if g.Path == plantPath(n) || g.Path == strings.TrimSuffix(n, "/") || strings.HasSuffix(n, "/") && strings.HasPrefix(g.Path, n) {
				return true
			}
		}
	}
	return false
}

// writeFile writes b at hp, keeping the mode and times of a regular file
// already there (a trace may depend on them).
func writeFile(hp string, b []byte) error {
	fi, statErr := os.Lstat(hp)
	if err := os.RemoveAll(hp); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if statErr == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	if err := os.WriteFile(hp, b, mode); err != nil {
		return err
	}
	if statErr == nil && fi.Mode().IsRegular() {
		return os.Chtimes(hp, fi.ModTime(), fi.ModTime())
	}
	return nil
}
