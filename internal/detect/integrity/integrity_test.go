package integrity

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb/pkgdbtest"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func fixture(t testing.TB, name string) string {
	t.Helper()
	root := testutil.RootFromTxtar(t, filepath.Join("testdata", name))
	pkgdbtest.Fill(t, root)
	return root
}

func fromString(t testing.TB, s string) string {
	t.Helper()
	root := testutil.RootFromString(t, s)
	pkgdbtest.Fill(t, root)
	return root
}

// rootSev is the severity of a setuid shell: critical when it gives root,
// which needs the fixture file to be owned by root (tests run as root in
// CI, and as a user elsewhere).
func rootSev() model.Severity {
	if os.Geteuid() == 0 {
		return model.Critical
	}
	return model.High
}

func TestCleanServerIsSilent(t *testing.T) {
	res := enginetest.Run(t, New(), fixture(t, "clean.txtar"), false)
	for _, f := range res.Findings {
		t.Errorf("unexpected finding: %s %s %s %v %v", f.Severity, f.RuleID, f.Subject, f.Indicators, f.Evidence.Extra)
	}
	for _, g := range res.Gaps {
		t.Errorf("unexpected gap: %+v", g)
	}
}

func TestCompromisedServer(t *testing.T) {
	res := enginetest.Run(t, New(), fixture(t, "compromised.txtar"), false)
	want := []struct {
		rule, subject string
		sev           model.Severity
		indicators    []string
	}{
		{ruleSystemBinary, "/usr/bin/ps", model.Critical, []string{indModified, indSystemCommand}},
		{ruleSystemBinary, "/usr/sbin/sshd", model.Critical, []string{indSystemCommand, indScriptReplaced}},
		{ruleSystemBinary, "/usr/lib/x86_64-linux-gnu/security/pam_unix.so", model.Critical, []string{indPAMModule}},
		{ruleFileModified, "/usr/lib/python3/dist-packages/apt_listchanges/frontends.py", model.Critical, []string{indModified, "reverse-shell.dev-tcp"}},
		{ruleFileModified, "/usr/share/python-apt/notes.txt", model.Low, []string{indModified}},
		{ruleFileModified, "package npmish: 25 files differ from the package", model.Medium, []string{indModified}},
		{ruleFilesMissing, "package coreutils: 1 files missing", model.Info, nil},
		{ruleSuidShell, "/tmp/.x/bash", rootSev(), []string{indSetuid, indShellCopy, indNotPackaged, indWritable, indHidden}},
		{ruleSuidShell, "/home/admin/.cache/sh", rootSev(), []string{indShellBinary, indHome, indHidden}},
		{ruleSuidUnowned, "/usr/local/bin/helper", model.High, []string{indSetuid, indNotPackaged}},
		{ruleSuidUnowned, "/var/tmp/update", model.Critical, []string{indWritable}},
		{ruleSuidUnowned, "/srv/deploy/bin/tool", model.Critical, []string{indHome}},
		{ruleWorldWritable, "/usr/local/bin/deploy.sh", model.High, []string{indWorldWritable}},
	}
	if os.Geteuid() == 0 {
		// chmod u+s on a packaged find: only an escalation when root owns it.
		want = append(want, struct {
			rule, subject string
			sev           model.Severity
			indicators    []string
		}{ruleSuidShell, "/usr/bin/find", model.Critical, []string{indShellBinary}})
	}
	got := map[string]model.Finding{}
	for _, f := range res.Findings {
		got[f.RuleID+" "+f.Subject] = f
	}
	for _, w := range want {
		t.Run(w.subject, func(t *testing.T) {
			f, ok := got[w.rule+" "+w.subject]
			if !ok {
				t.Fatalf("no %s finding", w.rule)
			}
			delete(got, w.rule+" "+w.subject)
			if f.Severity != w.sev {
				t.Errorf("severity %s, want %s", f.Severity, w.sev)
			}
			for _, ind := range w.indicators {
				if !slices.Contains(f.Indicators, ind) {
					t.Errorf("indicators %v lack %s", f.Indicators, ind)
				}
			}
			if f.Evidence.Package == "" && f.RuleID != ruleWorldWritable {
				t.Errorf("package not looked up")
			}
		})
	}
	for k, f := range got {
		t.Errorf("unexpected finding %s (%s %v)", k, f.Severity, f.Indicators)
	}
	ps := res.Find(ruleSystemBinary)
	for _, f := range ps {
		if f.Subject != "/usr/bin/ps" {
			continue
		}
		ex := f.Evidence.Extra
		if ex["recorded_md5"] != "5e3f6a1b9c2d4e8f0a1b2c3d4e5f6a7b" || len(ex["actual_md5"]) != 32 || ex["file_type"] != "ELF" ||
			f.Evidence.Package != "procps" || f.Evidence.MTime == nil || len(f.Evidence.SHA256) != 64 {
			t.Errorf("ps evidence: %+v", f.Evidence)
		}
	}
	for _, f := range res.Find(ruleSuidShell) {
		if f.Subject == "/tmp/.x/bash" && f.Evidence.Extra["copy_of"] != "/usr/bin/bash" {
			t.Errorf("copy_of = %q", f.Evidence.Extra["copy_of"])
		}
		if f.Subject == "/tmp/.x/bash" && os.Geteuid() == 0 && f.Evidence.User != "root" {
			t.Errorf("runs as %q", f.Evidence.User)
		}
	}
	if len(res.Gaps) != 0 {
		t.Errorf("gaps: %+v", res.Gaps)
	}
}

func TestNotMergedAndDiverted(t *testing.T) {
	root := fromString(t, "-- bin/ls mode=0755 --\n\x7fELF ls (trojaned)\n"+
		"-- usr/bin/pg_config mode=0755 --\n#!/bin/sh\nexec /usr/bin/pg_config.libpq-dev \"$@\"\n"+
		"-- usr/bin/pg_config.libpq-dev mode=0755 --\n\x7fELF pg_config, changed\n"+
		"-- var/lib/dpkg/status --\n"+
		"Package: coreutils\nStatus: install ok installed\nArchitecture: amd64\nVersion: 8.32-4\n\n"+
		"Package: postgresql-common\nStatus: install ok installed\nArchitecture: all\nVersion: 248\n\n"+
		"Package: libpq-dev\nStatus: install ok installed\nArchitecture: amd64\nVersion: 15\n\n"+
		"-- var/lib/dpkg/diversions --\n/usr/bin/pg_config\n/usr/bin/pg_config.libpq-dev\npostgresql-common\n"+
		"-- var/lib/dpkg/info/coreutils.list --\n/bin/ls\n"+
		"-- var/lib/dpkg/info/coreutils.md5sums --\n00000000000000000000000000000001  bin/ls\n"+
		"-- var/lib/dpkg/info/postgresql-common.list --\n/usr/bin/pg_config\n"+
		"-- var/lib/dpkg/info/postgresql-common.md5sums --\n@md5(/usr/bin/pg_config)  usr/bin/pg_config\n"+
		"-- var/lib/dpkg/info/libpq-dev.list --\n/usr/bin/pg_config\n"+
		"-- var/lib/dpkg/info/libpq-dev.md5sums --\n00000000000000000000000000000002  usr/bin/pg_config\n")
	res := enginetest.Run(t, New(), root, false)
	if !res.Has(ruleSystemBinary, "/bin/ls") {
		t.Errorf("/bin/ls on a non-merged root: %v", res.Rules())
	}
	mod := res.Find(ruleFileModified)
	if len(mod) != 1 || mod[0].Subject != "/usr/bin/pg_config.libpq-dev" || mod[0].Evidence.Package != "libpq-dev" || mod[0].Evidence.Extra["diverted"] != "yes" {
		t.Errorf("diverted file: %+v", mod)
	}
	if len(res.Findings) != 2 {
		t.Errorf("findings: %v", res.Rules())
	}
}

func TestHostile(t *testing.T) {
	root := fromString(t, "-- bin/ls fifo --\n"+
		"-- bin/cat mode=0755 --\n\x7fELF cat\n"+
		"-- tmp/fifo fifo --\n"+
		"-- tmp/loop/a -> b --\n-- tmp/loop/b -> a --\n"+
		"-- tmp/\xff\xfe mode=4755 --\n\x7fELF x\n"+
		"-- usr/bin/sudo -> /tmp/evil --\n"+
		"-- var/lib/dpkg/status --\n"+
		"Package: coreutils\nStatus: install ok installed\nArchitecture: amd64\nVersion: 8.32-4\n\n"+
		"Package: sudo\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.9\n\n"+
		"-- var/lib/dpkg/info/coreutils.list --\n/bin/ls\n/bin/cat\n"+
		"-- var/lib/dpkg/info/coreutils.md5sums --\n00000000000000000000000000000001  bin/ls\n@md5(/bin/cat)  bin/cat\nnot a line\n"+
		"-- var/lib/dpkg/info/sudo.list --\n/usr/bin/sudo\n"+
		"-- var/lib/dpkg/info/sudo.md5sums --\n00000000000000000000000000000001  usr/bin/sudo\n")
	res := enginetest.Run(t, New(), root, false)
	// A FIFO or a symlink where a packaged command was: replaced.
	for _, p := range []string{"/bin/ls", "/usr/bin/sudo"} {
		if !res.Has(ruleSystemBinary, p) {
			t.Errorf("%s replaced by a non-file: not reported (%v)", p, res.Rules())
		}
	}
	if !res.Has(ruleSuidUnowned, "/tmp/\xff\xfe") {
		t.Errorf("non-UTF-8 setuid file: %v", res.Rules())
	}
	found := false
	for _, g := range res.Gaps {
		if strings.Contains(g.Path, "coreutils.md5sums") {
			found = true
		}
	}
	if !found {
		t.Errorf("malformed md5sums not a gap: %+v", res.Gaps)
	}
}

func TestNoPackageDatabase(t *testing.T) {
	root := testutil.RootFromString(t, "-- usr/bin/passwd mode=4755 --\nx\n-- tmp/x mode=4755 --\nx\n-- tmp/sh mode=4755 --\nx\n")
	res := enginetest.Run(t, New(), root, false)
	// Without a database only location and name speak.
	if res.Has(ruleSuidUnowned, "/usr/bin/passwd") || !res.Has(ruleSuidUnowned, "/tmp/x") || !res.Has(ruleSuidShell, "/tmp/sh") {
		t.Errorf("findings: %v", res.Rules())
	}
	if len(res.Gaps) == 0 {
		t.Error("no gap for the missing package database")
	}
	for _, f := range res.Findings {
		if f.Evidence.Package != "" {
			t.Errorf("%s: package %q without a database", f.Subject, f.Evidence.Package)
		}
	}
}

func TestUnreadablePackageFileIsGap(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads mode 000 files")
	}
	root := fixture(t, "clean.txtar")
	if err := os.Chmod(filepath.Join(root, "usr/bin/ls"), 0); err != nil {
		t.Fatal(err)
	}
	res := enginetest.Run(t, New(), root, false)
	if len(res.Findings) != 0 {
		t.Errorf("findings: %v", res.Rules())
	}
	found := false
	for _, g := range res.Gaps {
		found = found || g.Path == "/usr/bin/ls"
	}
	if !found {
		t.Errorf("gaps: %+v", res.Gaps)
	}
}

func TestIsWrapper(t *testing.T) {
	for _, tc := range []struct {
		p, script string
		want      bool
	}{
		{"/usr/sbin/sshd", "#!/bin/sh\nexec /usr/sbin/.sshd \"$@\"\n", true},
		{"/usr/sbin/sshd", "#!/bin/sh\n/usr/sbin/sshd.orig -D\n", true},
		{"/bin/ls", "#!/bin/bash\n/bin/ls-real \"$@\" | grep -v evil\n", true},
		{"/usr/bin/egrep", "#!/bin/sh\nexec grep -E \"$@\"\n", false},
		{"/usr/bin/ls", "#!/bin/sh\nexec /usr/bin/ls \"$@\"\n", false},
		{"/usr/bin/ls", "#!/usr/bin/ls.x\n", false},
	} {
		if got := isWrapper(tc.p, []byte(tc.script)); got != tc.want {
			t.Errorf("isWrapper(%s, %q) = %v", tc.p, tc.script, got)
		}
	}
}

func TestFnmatch(t *testing.T) {
	for _, tc := range []struct {
		pat, name string
		want      bool
	}{
		{"/usr/share/doc/*", "/usr/share/doc/x/y", true},
		{"/usr/share/doc/*/copyright", "/usr/share/doc/ls/copyright", true},
		{"/usr/share/doc/*/copyright", "/usr/share/doc/ls/changelog", false},
		{"/usr/share/[!a]*", "/usr/share/doc", true},
		{"/usr/share/[!a]*", "/usr/share/apt", false},
		{"/usr/share/[a-c]?", "/usr/share/bx", true},
		{"/usr/share/[]]", "/usr/share/]", true},
		{"/usr/[", "/usr/[", true},
		{"/usr/\\*", "/usr/*", true},
		{"/usr/\\*", "/usr/x", false},
		{"a\\", "a\\", true},
		{"**?", "", false},
		{"*", "", true},
		{"/usr/[\xff]*", "/usr/\xffbin", true},
		{"/usr/[\xff]*", "/usr/bin/ls", false},
		{"/usr/\xe9*", "/usr/\xe9t\xe9", true},
		{"/usr/[\x80-\xff]", "/usr/\x90", true},
		{"*a*a*a*a*a*a*b", strings.Repeat("a", 200), false},
	} {
		if got := fnmatch(tc.pat, tc.name); got != tc.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", tc.pat, tc.name, got, tc.want)
		}
	}
}

func FuzzFnmatch(f *testing.F) {
	for _, s := range []string{"/usr/share/doc/*", "/usr/share/[!a]*", "[", "a\\", "**?", "/usr/[\xff]*", "[\\]-]"} {
		f.Add(s, "/usr/share/doc/x")
	}
	f.Fuzz(func(t *testing.T, pat, name string) {
		_ = fnmatch(pat, name)
		if !strings.ContainsAny(pat, "*?[\\") && !fnmatch(pat, pat) {
			t.Errorf("literal %q does not match itself", pat)
		}
	})
}

// BenchmarkScan runs the whole check over the compromised fixture plus
// 2000 packaged files of 64 KiB (a small server's worth of hashing).
func BenchmarkScan(b *testing.B) {
	root := fixture(b, "compromised.txtar")
	var list, sums strings.Builder
	data := make([]byte, 64<<10)
	for i := range data {
		data[i] = byte(i * 7)
	}
	dir := filepath.Join(root, "usr/share/bench")
	os.MkdirAll(dir, 0o755)
	for i := range 2000 {
		name := filepath.Join(dir, "f"+strings.Repeat("x", i%7)+strconv.Itoa(i))
		os.WriteFile(name, data, 0o644)
		list.WriteString(strings.TrimPrefix(name, root) + "\n")
		sums.WriteString("@md5(" + strings.TrimPrefix(name, root) + ")  " + strings.TrimPrefix(name, root+"/") + "\n")
	}
	info := filepath.Join(root, "var/lib/dpkg/info")
	os.WriteFile(filepath.Join(info, "coreutils.list"), []byte(list.String()), 0o644)
	os.WriteFile(filepath.Join(info, "coreutils.md5sums"), []byte(sums.String()), 0o644)
	pkgdbtest.Fill(b, root)
	b.ResetTimer()
	for b.Loop() {
		enginetest.Run(b, New(), root, false)
	}
}

// A package database that exists and does not parse is a finding, and the
// check says it could not verify packages.
func TestPkgdbUnparsable(t *testing.T) {
	tests := []struct {
		name  string
		root  string
		sev   model.Severity
		whole bool
	}{
		{"dpkg status emptied", "-- etc/passwd --\nroot:x:0:0::/root:/bin/sh\n-- var/lib/dpkg/status --\n\n", model.High, true},
		{"dpkg status garbage", "-- etc/passwd --\nroot:x:0:0::/root:/bin/sh\n-- var/lib/dpkg/status --\n\x00\x13garbage\n", model.High, true},
		{"dpkg status part lost", "-- etc/passwd --\nroot:x:0:0::/root:/bin/sh\n-- var/lib/dpkg/status --\nPackage: base-files\nStatus: install ok installed\nVersion: 1\n\nStatus: install ok installed\nVersion: 2\n\n", model.Medium, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := enginetest.Run(t, New(), testutil.RootFromString(t, tc.root), false)
			fs := res.Find(rulePkgdbBroken)
			if len(fs) != 1 || fs[0].Severity != tc.sev || fs[0].Evidence.Path != "/var/lib/dpkg/status" {
				t.Fatalf("want one %s finding, got %+v", tc.sev, fs)
			}
			gapped := false
			for _, g := range res.Gaps {
				gapped = gapped || g.Path == "/var/lib/dpkg/status"
			}
			if !gapped {
				t.Errorf("no gap says ownership could not be checked: %+v", res.Gaps)
			}
		})
	}
}
