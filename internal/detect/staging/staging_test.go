package staging

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

var root = &dpkgfixture.Root{Clean: "testdata/clean.txtar", Owners: "testdata/owners.json"}

func fires(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/fires.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := root.Make(t, "\n"+string(b))
	// Names txtar cannot spell: a directory named " " in /var/tmp and one
	// named ". " in /usr/lib.
	for _, d := range []string{"var/tmp/ ", "usr/lib/. "} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCleanLivedInIsQuiet(t *testing.T) {
	r := enginetest.Run(t, New(), root.Make(t, ""), false)
	enginetest.Quiet(t, r.Findings, model.Medium)
	for _, f := range r.Findings {
		if f.RuleID == ruleHidden || f.RuleID == ruleCredCopy {
			t.Errorf("clean root: %s on %s", f.RuleID, f.Evidence.Path)
		}
	}
}

func TestFires(t *testing.T) {
	r := enginetest.Run(t, New(), fires(t), false)
	for _, w := range []struct {
		rule, path string
		sev        model.Severity
		ind        string
	}{
		{ruleMasqName, "/tmp/...", model.High, indMasqName},
		{ruleMasqName, "/var/tmp/ ", model.High, indMasqName},
		{ruleMasqName, "/usr/lib/. ", model.High, indMasqName},
		{ruleExecutable, "/tmp/build/tool", model.Low, indCompiled},
		{ruleExecutable, "/var/tmp/.cache-x/update", model.Medium, indScript},
		{ruleExecutable, "/dev/shm/kworker", model.High, indDaemonName},
		{ruleExecutable, "/tmp/.x/lsx", model.High, indSystemCopy},
		{ruleExecutable, "/home/ops/.local/share/crond", model.High, indDaemonName},
		{ruleMasqExt, "/opt/app/static/logo.png", model.High, indExtension},
		{ruleMasqExt, "/home/ops/notes.log", model.Medium, indScript},
		{ruleHidden, "/tmp/.notes", model.Low, "hidden-location"},
		{ruleHidden, "/var/tmp/.cache-x", model.Low, "hidden-location"},
		{ruleCredCopy, "/tmp/s.txt", model.High, "credential-shadow-hashes"},
		{ruleCredCopy, "/srv/backup/passwd.old", model.High, "credential-passwd"},
		{ruleCredCopy, "/home/ops/keys.bak", model.High, "credential-private-keys"},
	} {
		found := false
		for _, f := range r.Find(w.rule) {
			if f.Evidence.Path == w.path {
				found = true
				if f.Severity != w.sev || !strings.Contains(strings.Join(f.Indicators, " "), w.ind) {
					t.Errorf("%s %s: got %s %v, want %s with %s", w.rule, w.path, f.Severity, f.Indicators, w.sev, w.ind)
				}
			}
		}
		if !found {
			t.Errorf("missing %s on %q", w.rule, w.path)
		}
	}
	if t.Failed() {
		for _, f := range r.Findings {
			t.Logf("%s %s %q %v", f.Severity, f.RuleID, f.Evidence.Path, f.Indicators)
		}
	}
}

const indMasqName = "dot-space-name"

func TestCredentialFormat(t *testing.T) {
	for _, c := range []struct {
		in, want string
	}{
		{"root:$6$abcdefgh$0123456789abcdef:19000:0:99999:7:::\n", FormatShadowHashes},
		{"root:$y$j9T$abcdefghijkl$xyz:0:0:root:/root:/bin/bash\nx:x:1:1::/:/bin/sh\n", FormatShadowHashes},
		{"a:*:1:0:99999:7:::\nb:!:1:0:99999:7:::\nc:*:1:0:99999:7:::\n", FormatShadow},
		{"a:x:1:1::/:/bin/sh\nb:x:2:2::/:/bin/sh\nc:x:3:3::/:/bin/sh\n", FormatPasswd},
		{"a:x:1:1::/:/bin/sh\nb:x:2:2::/:/bin/sh\n", ""},
		{"key: value\nother: thing\nroot:$6$abcdefgh$0123456789abcdef:19000:0:99999:7:::\nmore text\nand more\n", ""},
		{"-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n", ""},
		{"-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\ny\n-----END CERTIFICATE-----\n", ""},
		{"", ""},
		{"http://a:b@c:80/x\n", ""},
		{"admin:$2y$05$abcdefghijklmnopqrstuv0123456789ABCDEFGHIJKLMNOPQRSTU\nops:$6$saltsalt$0123456789abcdef\n", ""}, // htpasswd
		{"root:$6$abcdefgh$0123456789abcdef\n", ""},
	} {
		if got, _ := CredentialFormat([]byte(c.in)); got != c.want {
			t.Errorf("CredentialFormat(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestProgramKind(t *testing.T) {
	core := []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x3e\x00")
	exe := []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00")
	for _, c := range []struct {
		b    []byte
		want string
	}{{core, ""}, {exe, indCompiled}, {[]byte("#!/bin/sh\n"), indScript}, {[]byte("#!! not a script"), ""}, {[]byte("GIF89a"), ""}} {
		if got := programKind(c.b); got != c.want {
			t.Errorf("programKind(%q) = %q, want %q", c.b, got, c.want)
		}
	}
}

func TestDaemonLike(t *testing.T) {
	for name, want := range map[string]bool{"kworker": true, "kworker/0:1": true, "[kswapd0]": true, "crond": true,
		"systemd-journald": true, "sshd": true, "main": false, "tool": false, "kubectl": false, "xmrig": false} {
		if got := daemonLike(name); got != want {
			t.Errorf("daemonLike(%q) = %v, want %v", name, got, want)
		}
	}
}

func FuzzCredentialFormat(f *testing.F) {
	f.Add([]byte("root:$6$abcdefgh$0123456789abcdef:19000:0:99999:7:::\n"))
	f.Add([]byte("a:x:1:1::/:/bin/sh\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if format, n := CredentialFormat(b); (format == "") != (n == 0) {
			t.Fatalf("format %q with %d entries", format, n)
		}
	})
}

func BenchmarkStaging(b *testing.B) {
	dir := fires(b)
	for b.Loop() {
		enginetest.Run(b, New(), dir, false)
	}
}
