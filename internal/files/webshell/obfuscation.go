package webshell

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// sensitive are the function names a webshell hides behind strings: code
// and command execution and the decoders of its payload layers.
var sensitive = []string{
	"assert", "eval", "system", "exec", "shell_exec", "passthru", "popen", "proc_open", "pcntl_exec",
	"create_function", "call_user_func", "base64_decode", "gzinflate", "gzuncompress", "gzdecode",
	"str_rot13", "preg_replace", "move_uploaded_file", "file_put_contents", "fsockopen",
}

// namesSensitive reports the sensitive name a decoded string is or
// starts with ("assert", "system(" ...).
func namesSensitive(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, n := range sensitive {
		if s == n || strings.HasPrefix(s, n+"(") || strings.HasPrefix(s, "@"+n) {
			return n, true
		}
	}
	return "", false
}

// The ways PHP code spells a function name without writing it.
var (
	rot13Lit  = lazyre.New(`(?i)str_rot13\s*\(\s*['"]([\w@(]{3,40})['"]\s*\)`)
	b64Lit    = lazyre.New(`(?i)base64_decode\s*\(\s*['"]([A-Za-z0-9+/=]{4,64})['"]\s*\)`)
	revLit    = lazyre.New(`(?i)strrev\s*\(\s*['"]([\w@(]{3,40})['"]\s*\)`)
	chrChain  = lazyre.New(`(?i)(?:chr\s*\(\s*\d{1,3}\s*\)\s*\.\s*){2,40}chr\s*\(\s*\d{1,3}\s*\)`)
	chrNum    = lazyre.New(`\d{1,3}`)
	concatLit = lazyre.New(`['"][a-z_0-9]{1,12}['"](?:\s*\.\s*['"][a-z_0-9]{1,12}['"]){1,10}`)
	hexEsc    = lazyre.New(`"(?:\\x[0-9a-fA-F]{2}){3,40}"`)
)

// dynamicCalls finds function names built from strings (PHP).
func dynamicCalls(s string) []match { return dynamicCallsLow(s, lowerASCII(s)) }

// dynamicCallsLow is dynamicCalls with the lower-cased content at hand.
func dynamicCallsLow(s, low string) []match {
	var out []match
	add := func(off int, decoded string) {
		if n, ok := namesSensitive(decoded); ok {
			out = append(out, match{off: off, text: line(s, off), ind: "obfuscated-call", note: n})
		}
	}
	if strings.Contains(low, "str_rot13") {
		for _, m := range rot13Lit.FindAllStringSubmatchIndex(s, 50) {
			add(m[0], rot13(s[m[2]:m[3]]))
		}
	}
	if strings.Contains(low, "base64_decode") {
		for _, m := range b64Lit.FindAllStringSubmatchIndex(s, 50) {
			if b, err := base64.StdEncoding.DecodeString(s[m[2]:m[3]]); err == nil {
				add(m[0], string(b))
			}
		}
	}
	if strings.Contains(low, "strrev") {
		for _, m := range revLit.FindAllStringSubmatchIndex(s, 50) {
			add(m[0], reverse(s[m[2]:m[3]]))
		}
	}
	if strings.Contains(low, "chr") {
		for _, m := range chrChain.FindAllStringIndex(s, 50) {
			var b strings.Builder
			for _, n := range chrNum.FindAllString(s[m[0]:m[1]], -1) {
				if v, err := strconv.Atoi(n); err == nil && v < 256 {
					b.WriteByte(byte(v))
				}
			}
			add(m[0], b.String())
		}
	}
	if hasLitConcat(s) {
		for _, m := range concatLit.FindAllStringIndex(s, 200) {
			var b strings.Builder
			for _, part := range strings.Split(s[m[0]:m[1]], ".") {
				b.WriteString(strings.Trim(strings.TrimSpace(part), `'"`))
			}
			add(m[0], b.String())
		}
	}
	if strings.Contains(low, `\x`) {
		for _, m := range hexEsc.FindAllStringIndex(s, 50) {
			lit := strings.ReplaceAll(strings.Trim(s[m[0]:m[1]], `"`), `\x`, "")
			if b, err := hex.DecodeString(lit); err == nil {
				add(m[0], string(b))
			}
		}
	}
	if strings.Contains(low, "preg_replace") {
		for _, m := range phpPregE.FindAllStringIndex(s, 5) {
			out = append(out, match{off: m[0], text: line(s, m[0]), ind: "obfuscated-call", note: "preg_replace /e"})
		}
	}
	return dedupeMatches(s, out)
}

func rot13(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return 'a' + (r-'a'+13)%26
		case r >= 'A' && r <= 'Z':
			return 'A' + (r-'A'+13)%26
		}
		return r
	}, s)
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// encodedEval is code evaluated straight out of decoding layers: a payload
// kept unreadable on purpose (PHP eval/assert of base64/gzinflate/rot13,
// ASP Execute of a decoder, JSP classes defined from Base64).
var encodedEval = lazyre.New(`(?i)(?:^|[^\w>:$])(?:eval|assert|create_function|execute|executeglobal)\s*\(?\s*@?\s*(?:(?:gzinflate|gzuncompress|gzdecode|base64_decode|str_rot13|strrev|hex2bin|convert_uudecode|rawurldecode|urldecode|unescape|decode|strreverse)\s*\(\s*@?\s*){1,}|defineClass\s*\([^;]{0,200}(?:Base64|decodeBuffer)|(?:^|[^\w>:$])eval\s*\(\s*\$\w{1,64}\s*\(`)

// encodedEvalLow is encodedEval for lower-cased content.
var encodedEvalLow = lazyre.New(strings.ToLower(encodedEval.String()))

func encodedPayload(s, low string) []match {
	var out []match
	for _, m := range findNear(encodedEvalLow, low, evalLits, 20) {
		out = append(out, match{off: m[0], text: line(s, m[0]), ind: "encoded-payload"})
	}
	return dedupeMatches(s, out)
}

// Thresholds of a long encoded string: base64 of random bytes carries
// close to 6 bits per character, hex close to 4; prose and code much less.
const (
	longRun       = 2048
	b64MinEntropy = 5.2
	hexMinEntropy = 3.8
)

// longEncoded finds runs of base64 or hex characters of at least longRun
// bytes with the entropy of encoded random data.
func longEncoded(b []byte) []match {
	var out []match
	start := -1
	for i := 0; i <= len(b); i++ {
		if i < len(b) && isB64(b[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= longRun {
			run := b[start:min(i, start+65536)]
			e := entropy(run)
			if e >= b64MinEntropy || (isHexRun(run) && e >= hexMinEntropy) {
				out = append(out, match{off: start, text: string(b[start:min(i, start+80)]),
					ind: "encoded-blob", note: strconv.Itoa(i-start) + " bytes, entropy " + strconv.FormatFloat(e, 'f', 2, 64)})
				if len(out) >= 5 {
					return out
				}
			}
		}
		start = -1
	}
	return out
}

func isB64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}

func isHexRun(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// entropy is the Shannon entropy of b in bits per byte.
func entropy(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	var n [256]int
	for _, c := range b {
		n[c]++
	}
	var e float64
	for _, k := range n {
		if k > 0 {
			p := float64(k) / float64(len(b))
			e -= p * math.Log2(p)
		}
	}
	return e
}

// Entropy is the Shannon entropy of b in bits per byte (8 for random or
// encrypted data).
func Entropy(b []byte) float64 { return entropy(b) }
