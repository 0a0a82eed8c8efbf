package ssh

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// keyOption is one authorized_keys option: a flag (no-pty) or name="value".
type keyOption struct {
	name     string // lower-cased
	value    string // unescaped
	hasValue bool
}

// authKey is one parsed authorized_keys line.
type authKey struct {
	line        int
	options     []keyOption
	keyType     string
	blob        []byte
	comment     string
	fingerprint string // SHA256:... as ssh-keygen -lf prints it
	text        string // the line as written
}

// option returns the values of every option called name.
func (k *authKey) option(name string) []string {
	var out []string
	for _, o := range k.options {
		if o.name == name {
			out = append(out, o.value)
		}
	}
	return out
}

// has reports whether option name is present.
func (k *authKey) has(name string) bool {
	for _, o := range k.options {
		if o.name == name {
			return true
		}
	}
	return false
}

// optionsText is the options as one string, for evidence.
func (k *authKey) optionsText() string {
	parts := make([]string, 0, len(k.options))
	for _, o := range k.options {
		if o.hasValue {
			parts = append(parts, o.name+`="`+strings.ReplaceAll(o.value, `"`, `\"`)+`"`)
		} else {
			parts = append(parts, o.name)
		}
	}
	return strings.Join(parts, ",")
}

// short is the line with the key blob abbreviated, for evidence text.
func (k *authKey) short() string {
	b64 := base64.StdEncoding.EncodeToString(k.blob)
	if len(b64) > 24 {
		b64 = b64[:12] + "..." + b64[len(b64)-8:]
	}
	s := k.keyType + " " + b64
	if o := k.optionsText(); o != "" {
		s = o + " " + s
	}
	if k.comment != "" {
		s += " " + k.comment
	}
	return textclip.Clip(s, 400)
}

// keyTypes are the public key algorithms sshd accepts in authorized_keys.
var keyTypes = map[string]bool{
	"ssh-rsa": true, "ssh-dss": true, "ssh-ed25519": true, "ssh-ed448": true,
	"ecdsa-sha2-nistp256": true, "ecdsa-sha2-nistp384": true, "ecdsa-sha2-nistp521": true,
	"sk-ecdsa-sha2-nistp256@openssh.com": true, "sk-ssh-ed25519@openssh.com": true,
	"ssh-xmss@openssh.com":         true,
	"ssh-rsa-cert-v01@openssh.com": true, "ssh-dss-cert-v01@openssh.com": true,
	"ssh-ed25519-cert-v01@openssh.com": true, "ecdsa-sha2-nistp256-cert-v01@openssh.com": true,
	"ecdsa-sha2-nistp384-cert-v01@openssh.com": true, "ecdsa-sha2-nistp521-cert-v01@openssh.com": true,
	"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com": true, "sk-ssh-ed25519-cert-v01@openssh.com": true,
}

// flagOptions and valueOptions are the options sshd knows; any other name
// makes sshd reject the line.
var (
	flagOptions = map[string]bool{
		"agent-forwarding": true, "cert-authority": true, "no-agent-forwarding": true,
		"no-port-forwarding": true, "no-pty": true, "no-user-rc": true, "no-x11-forwarding": true,
		"port-forwarding": true, "pty": true, "restrict": true, "user-rc": true,
		"x11-forwarding": true, "no-touch-required": true, "touch-required": true, "verify-required": true,
	}
	valueOptions = map[string]bool{
		"command": true, "environment": true, "expiry-time": true, "from": true,
		"permitopen": true, "permitlisten": true, "principals": true, "tunnel": true,
	}
)

// badLine is an authorized_keys line sshd would not use.
type badLine struct {
	line   int
	reason string        // in English, kept as data in the finding
	why    model.Message // the gap's message: the reason in the reader's language
	text   string        // the line as written ("" when it was too long to read)
}

// keyLineError is why sshd would reject a key line: the English text and
// the message id (rules/messages/detect.yaml, ssh.gap.authkeys-*) that
// says it in the reader's language.
type keyLineError struct {
	en  string
	msg model.Message
}

func (e *keyLineError) Error() string { return e.en }

// lineErr makes a keyLineError with message id (ssh.gap.authkeys-*).
func lineErr(id, format string, args ...any) error {
	return &keyLineError{en: fmt.Sprintf(format, args...), msg: model.Msg(id, args...)}
}

// newBadLine records line n that err says sshd would reject.
func newBadLine(n int, err error, text string) badLine {
	bl := badLine{line: n, reason: err.Error(), text: text}
	var ke *keyLineError
	if errors.As(err, &ke) {
		bl.why = ke.msg
	} else {
		bl.why = model.Msg("ssh.gap.authkeys-line", err)
	}
	return bl
}

// maxKeyLine bounds one authorized_keys line (a 16384-bit RSA key with a
// long forced command is still far below).
const maxKeyLine = 64 << 10

// parseAuthorizedKeys reads an authorized_keys file. Comments and blank
// lines are skipped; lines sshd would reject are returned in bad.
func parseAuthorizedKeys(data []byte) (keys []authKey, bad []badLine) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 8192), maxKeyLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		k, err := parseKeyLine(line)
		if err != nil {
			bad = append(bad, newBadLine(n, err, line))
			continue
		}
		k.line = n
		keys = append(keys, k)
	}
	if sc.Err() != nil {
		bad = append(bad, newBadLine(n+1, lineErr("ssh.gap.authkeys-too-long", "line longer than 64 KiB; rest of the file not read"), ""))
	}
	return keys, bad
}

// parseKeyLine reads "[options] keytype base64 [comment]" the way sshd
// does: a line whose first word is a key type has no options.
func parseKeyLine(line string) (authKey, error) {
	var k authKey
	k.text = line
	rest := line
	first, _, _ := strings.Cut(rest, " ")
	first, _, _ = strings.Cut(first, "\t")
	if !keyTypes[first] {
		opts, r, err := parseOptions(rest)
		if err != nil {
			return k, err
		}
		k.options, rest = opts, strings.TrimLeft(r, " \t")
	}
	fields := strings.Fields(rest)
	if len(fields) < 2 {
		return k, lineErr("ssh.gap.authkeys-no-key", "no key after the options")
	}
	if !keyTypes[fields[0]] {
		return k, lineErr("ssh.gap.authkeys-key-type", "unknown key type %q", textclip.Clip(fields[0], 40))
	}
	blob, err := decodeBlob(fields[1])
	if err != nil {
		return k, err
	}
	if inner, ok := blobType(blob); !ok || inner != fields[0] {
		return k, lineErr("ssh.gap.authkeys-blob-type", "key blob is not a %s key", fields[0])
	}
	k.keyType, k.blob = fields[0], blob
	// The comment is everything after the blob, spaces kept.
	i := strings.Index(rest, fields[1]) + len(fields[1])
	k.comment = strings.TrimSpace(rest[i:])
	sum := sha256.Sum256(blob)
	k.fingerprint = "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
	return k, nil
}

func decodeBlob(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, lineErr("ssh.gap.authkeys-base64", "key is not valid base64")
	}
	return b, nil
}

// blobType reads the algorithm name every SSH public key blob starts with.
func blobType(b []byte) (string, bool) {
	if len(b) < 4 {
		return "", false
	}
	n := binary.BigEndian.Uint32(b)
	if n == 0 || n > 64 || int(n) > len(b)-4 {
		return "", false
	}
	return string(b[4 : 4+n]), true
}

// parseOptions reads the comma-separated option list at the start of s up
// to the first unquoted blank and returns the rest. Values are in double
// quotes; \" inside stands for a quote, as in sshd.
func parseOptions(s string) ([]keyOption, string, error) {
	var opts []keyOption
	i := 0
	for {
		j := i
		for j < len(s) && (isAlnum(s[j]) || s[j] == '-') {
			j++
		}
		if j == i {
			return nil, "", lineErr("ssh.gap.authkeys-option-syntax", "bad option syntax at column %d", i+1)
		}
		name := strings.ToLower(s[i:j])
		o := keyOption{name: name}
		if j < len(s) && s[j] == '=' {
			if !valueOptions[name] {
				return nil, "", lineErr("ssh.gap.authkeys-option-unknown", "unknown option %q", textclip.Clip(name, 40))
			}
			j++
			if j >= len(s) || s[j] != '"' {
				return nil, "", lineErr("ssh.gap.authkeys-option-unquoted", "option %s: value not in double quotes", name)
			}
			j++
			var v strings.Builder
			closed := false
			for ; j < len(s); j++ {
				if s[j] == '\\' && j+1 < len(s) && s[j+1] == '"' {
					v.WriteByte('"')
					j++
					continue
				}
				if s[j] == '"' {
					closed = true
					j++
					break
				}
				v.WriteByte(s[j])
			}
			if !closed {
				return nil, "", lineErr("ssh.gap.authkeys-option-unclosed", "option %s: missing closing quote", name)
			}
			o.value, o.hasValue = v.String(), true
		} else if !flagOptions[name] {
			return nil, "", lineErr("ssh.gap.authkeys-option-unknown", "unknown option %q", textclip.Clip(name, 40))
		}
		opts = append(opts, o)
		switch {
		case j >= len(s):
			return opts, "", nil
		case s[j] == ',':
			i = j + 1
		case s[j] == ' ' || s[j] == '\t':
			return opts, s[j:], nil
		default:
			return nil, "", lineErr("ssh.gap.authkeys-option-syntax", "bad option syntax at column %d", j+1)
		}
	}
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
