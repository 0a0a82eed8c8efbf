package ssh

import (
	"os"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func baselineRoot(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return testutil.RootFromString(t, string(b))
}

func TestBaselineFires(t *testing.T) {
	r := enginetest.Run(t, NewBaseline(), baselineRoot(t, "testdata/baseline-weak.txtar"), false)
	enginetest.Expect(t, r.Findings, []enginetest.Want{
		{Rule: ruleBaseRootLogin, Subject: "PermitRootLogin prohibit-password", Severity: model.Low},
		{Rule: ruleBasePasswordAuth, Subject: "PasswordAuthentication yes", Severity: model.Low},
		{Rule: ruleBaseMaxAuthTries, Subject: "MaxAuthTries 10", Severity: model.Low},
		{Rule: ruleBaseX11, Severity: model.Low},
		{Rule: ruleBaseWeakCrypto, Subject: "Ciphers aes128-cbc,3des-cbc", Severity: model.Medium},
		{Rule: ruleBaseWeakCrypto, Subject: "MACs hmac-sha1", Severity: model.Medium},
	})
}

func TestBaselineHardenedIsQuiet(t *testing.T) {
	r := enginetest.Run(t, NewBaseline(), baselineRoot(t, "testdata/baseline-hardened.txtar"), false)
	enginetest.Quiet(t, r.Findings, model.Info)
}

func TestWeakIn(t *testing.T) {
	for _, tt := range []struct{ key, val, want string }{
		{"ciphers", "-3des-cbc", ""},
		{"ciphers", "^aes128-cbc", "aes128-cbc"},
		{"ciphers", "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com", ""},
		{"kexalgorithms", "curve25519-sha256,gss-group14-sha1-toWM5Slw5Ew8Mqkay+al2g==", "gss-group14-sha1-towm5slw5ew8mqkay+al2g=="},
		{"macs", "HMAC-MD5", "hmac-md5"},
	} {
		if got := strings.Join(weakIn(tt.key, tt.val), ","); got != tt.want {
			t.Errorf("%s %q: %q, want %q", tt.key, tt.val, got, tt.want)
		}
	}
}
