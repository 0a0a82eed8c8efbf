package ssh

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseKeyLine(t *testing.T) {
	tests := []struct {
		line    string
		ok      bool
		typ     string
		comment string
		opts    []keyOption
	}{
		{"ssh-ed25519 " + keyAlice + " alice@laptop", true, "ssh-ed25519", "alice@laptop", nil},
		{"ssh-ed25519 " + keyAlice, true, "ssh-ed25519", "", nil},
		{"ssh-ed25519\t" + keyAlice + "  two words ", true, "ssh-ed25519", "two words", nil},
		{`no-pty,command="echo \"hi\"; exit" ssh-ed25519 ` + keyAlice + " c", true, "ssh-ed25519", "c",
			[]keyOption{{"no-pty", "", false}, {"command", `echo "hi"; exit`, true}}},
		{`from="10.0.0.0/8,!10.1.0.0/16",environment="A=b c" ssh-ed25519 ` + keyAlice, true, "ssh-ed25519", "",
			[]keyOption{{"from", "10.0.0.0/8,!10.1.0.0/16", true}, {"environment", "A=b c", true}}},
		{`Command="x y",RESTRICT ssh-ed25519 ` + keyAlice, true, "ssh-ed25519", "",
			[]keyOption{{"command", "x y", true}, {"restrict", "", false}}},
		{`command="a\b" ssh-ed25519 ` + keyAlice, true, "ssh-ed25519", "", []keyOption{{"command", `a\b`, true}}},
		{`permitopen="host:22",tunnel="0",principals="a,b",expiry-time="20300101" ssh-ed25519 ` + keyAlice, true, "ssh-ed25519", "",
			[]keyOption{{"permitopen", "host:22", true}, {"tunnel", "0", true}, {"principals", "a,b", true}, {"expiry-time", "20300101", true}}},
		{`command="unterminated ssh-ed25519 ` + keyAlice, false, "", "", nil},
		{`bogus ssh-ed25519 ` + keyAlice, false, "", "", nil},
		{`no-pty=yes ssh-ed25519 ` + keyAlice, false, "", "", nil},
		{`command=unquoted ssh-ed25519 ` + keyAlice, false, "", "", nil},
		{"ssh-rsa " + keyAlice, false, "", "", nil}, // blob says ed25519
		{"ssh-ed25519 !!!notbase64", false, "", "", nil},
		{"ssh-ed25519", false, "", "", nil},
		{"1024 35 1234567 ssh1-key", false, "", "", nil},
	}
	for _, tc := range tests {
		k, err := parseKeyLine(tc.line)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err = %v, want ok=%v", tc.line, err, tc.ok)
			continue
		}
		if !tc.ok {
			continue
		}
		if k.keyType != tc.typ || k.comment != tc.comment || !reflect.DeepEqual(k.options, tc.opts) {
			t.Errorf("%q: got type %q comment %q opts %+v", tc.line, k.keyType, k.comment, k.options)
		}
	}
}

func TestFingerprintMatchesSSHKeygen(t *testing.T) {
	k, err := parseKeyLine("ssh-ed25519 " + keyAlice + " alice@laptop")
	if err != nil {
		t.Fatal(err)
	}
	if k.fingerprint != fpAlice {
		t.Errorf("fingerprint %s, want %s", k.fingerprint, fpAlice)
	}
}

func TestParseAuthorizedKeysFile(t *testing.T) {
	data := "# comment\n\n   \nssh-ed25519 " + keyAlice + " a\r\nnot a key\n  ssh-ed25519 " + keyAttacker + " b\n"
	keys, bad := parseAuthorizedKeys([]byte(data))
	if len(keys) != 2 || keys[0].line != 4 || keys[1].line != 6 || keys[0].comment != "a" {
		t.Errorf("keys = %+v", keys)
	}
	if len(bad) != 1 || bad[0].line != 5 {
		t.Errorf("bad = %+v", bad)
	}
}

func TestParseConfig(t *testing.T) {
	data := "# c\nPort 22\nPermitRootLogin=yes\nAcceptEnv LANG LC_*   # trailing comment\nSubsystem\tsftp\t/usr/lib/openssh/sftp-server\nForceCommand \"/usr/bin/x\" 'a b' c\\ d\nMatch User bob\n  X11Forwarding no\nBanner \"unterminated\n"
	dirs, bad := parseConfig([]byte(data), "/etc/ssh/sshd_config")
	got := map[string][]string{}
	for _, d := range dirs {
		got[d.key] = d.args
	}
	want := map[string][]string{
		"port":            {"22"},
		"permitrootlogin": {"yes"},
		"acceptenv":       {"LANG", "LC_*"},
		"subsystem":       {"sftp", "/usr/lib/openssh/sftp-server"},
		"forcecommand":    {"/usr/bin/x", "a b", "c d"},
		"match":           {"User", "bob"},
		"x11forwarding":   {"no"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsed %v\nwant   %v", got, want)
	}
	if len(bad) != 1 || bad[0] != 9 {
		t.Errorf("bad lines %v, want [9]", bad)
	}
}

func TestKeysFileRisk(t *testing.T) {
	tests := []struct {
		pat  string
		fine bool
	}{
		{".ssh/authorized_keys", true},
		{"%h/.ssh/authorized_keys", true},
		{".ssh/authorized_keys2", true},
		{".config/.k", false},
		{"/tmp/%u", false},
		{"/etc/ssh/authorized_keys/%u", false}, // info, reported
		{"/etc/ssh/keys", false},
	}
	for _, tc := range tests {
		sev, _, _, _ := keysFileRisk(tc.pat)
		if (sev < 0) != tc.fine {
			t.Errorf("%s: sev %d, fine=%v", tc.pat, sev, tc.fine)
		}
	}
}

func TestExpandKeysPattern(t *testing.T) {
	a := account{name: "alice", uid: 1000, home: "/home/alice"}
	for pat, want := range map[string]string{
		".ssh/authorized_keys":        "/home/alice/.ssh/authorized_keys",
		"%h/.ssh/k":                   "/home/alice/.ssh/k",
		"/etc/ssh/authorized_keys/%u": "/etc/ssh/authorized_keys/alice",
		"/var/keys/%U%%":              "/var/keys/1000%",
		"/x/%z":                       "/x/%z",
		"../../etc/k":                 "/etc/k",
	} {
		if got := expandKeysPattern(pat, a); got != want {
			t.Errorf("%s -> %s, want %s", pat, got, want)
		}
	}
}

func TestRefusalAndBenignCommands(t *testing.T) {
	if !refusalCommand(`echo 'Please login as the user "ubuntu" rather than the user "root".';echo;sleep 10;exit 142`) {
		t.Error("cloud-init refusal not recognised")
	}
	for _, c := range []string{"echo hi; bash -i", "echo $(id)", "echo x | sh", "sleep 1 && /tmp/x"} {
		if refusalCommand(c) {
			t.Errorf("%q taken for a refusal", c)
		}
	}
	if !benignKeyCommand("rsync --server -logDtpre.iLsfx . /srv", "rsync") || benignKeyCommand("rsync -a /etc host:", "rsync") {
		t.Error("rsync --server detection")
	}
}

func TestOpensshCipher(t *testing.T) {
	if c := opensshCipher([]byte(privPlain)); c != "none" {
		t.Errorf("plain key cipher %q", c)
	}
	if c := opensshCipher([]byte(privEnc)); c != "aes256-ctr" {
		t.Errorf("encrypted key cipher %q", c)
	}
	if _, ok := privKeyKind([]byte("  \n-----BEGIN EC PRIVATE KEY-----\n")); !ok {
		t.Error("EC key not recognised")
	}
	if _, ok := privKeyKind([]byte("x = '-----BEGIN RSA PRIVATE KEY-----'")); ok {
		t.Error("key text embedded in code taken for a key file")
	}
}

func FuzzParseAuthorizedKeys(f *testing.F) {
	f.Add("ssh-ed25519 " + keyAlice + " a")
	f.Add(`command="echo \"x\"",no-pty ssh-ed25519 ` + keyAlice)
	f.Add(`environment="LD_PRELOAD=/tmp/x",from="*" ssh-rsa AAAA`)
	f.Add(`command="\`)
	f.Add(strings.Repeat("a,", 1000))
	f.Fuzz(func(t *testing.T, s string) {
		keys, _ := parseAuthorizedKeys([]byte(s))
		for _, k := range keys {
			if !strings.HasPrefix(k.fingerprint, "SHA256:") || k.line < 1 {
				t.Fatalf("bad key %+v", k)
			}
			_ = k.short()
		}
		_, _, _ = parseOptions(s)
	})
}

func FuzzParseConfig(f *testing.F) {
	f.Add("Port 22\nMatch User x\n  ForceCommand \"a b\"\n")
	f.Add("Include=\"/etc/ssh/*.conf\" # c\n")
	f.Add("Banner 'x\\'y'\n\\")
	f.Add("=\n = \nKey\t\t=\t\"\"")
	f.Fuzz(func(t *testing.T, s string) {
		dirs, _ := parseConfig([]byte(s), "/f")
		for _, d := range dirs {
			if d.key == "" || d.line < 1 {
				t.Fatalf("bad directive %+v", d)
			}
			_ = d.keyword()
		}
	})
}
