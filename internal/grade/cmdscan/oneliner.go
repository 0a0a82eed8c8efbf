package cmdscan

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// Encoded one-liners: a script interpreter given its program on the
// command line (python -c, perl -e, ruby -e, php -r, node -e) that decodes
// something (base64, hex, zlib, rot13, marshal, chr() chains, \x escapes)
// and executes what it decoded. Each part alone is ordinary (decoding a
// token for printing, evaluating a constant); together they hide a payload
// from anyone reading the line, which is what droppers do.

// indEncodedOneLiner is the indicator id (rules/indicators.yaml).
const indEncodedOneLiner = "obfuscation.encoded-oneliner"

// kwInterpreters are the prefilter keywords of interpreterCode and
// decodePipe.
var kwInterpreters = []string{"python", "perl", "ruby", "php", "node"}

// interpreterCode is an interpreter with its program on the command line;
// submatch 1 is the rest of the line, the program and what follows.
var interpreterCode = lazyre.New(`\b(?:python[0-9.]*\s+(?:-[A-Za-z]+\s+)*-[A-Za-z]*c|perl\s+(?:-\S+\s+)*-[A-Za-z]*[eE]|ruby\s+(?:-\S+\s+)*-[A-Za-z]*e|php[0-9.]*\s+(?:-\S+\s+)*-r|node(?:js)?\s+(?:-\S+\s+)*(?:-e|-p|--eval|--print))(?:\s|["'$])(.*)`)

// decodeInCode are the decoding primitives of the five languages, and a
// shell decoder feeding the program through a command substitution.
var decodeInCode = lazyre.New(`(?i)b64decode|b32decode|decodebytes|decodestring|a2b_base64|decode_base64|base64_decode|decode64|unpack1?\s*\(?\s*["']m0?["']|base64\.decode|from\s*\([^)]*["'](?:base64|hex)["']|\batob\s*\(|\.decode\s*\(\s*["'](?:base64|hex|rot_?13|zlib)["']|codecs\.decode|bytes\.fromhex|unhexlify|pack\s*\(?\s*["']H\*["']|hex2bin|zlib\.decompress|zlib::inflate|inflatesync|gunzipsync|gzinflate|gzuncompress|gzdecode|compress::zlib|str_rot13|tr\s*[/(]\s*["']?a-za-z["']?\s*[/,]\s*["']?n-za-mn-za-m|marshal\.loads?|pickle\.loads|fromcharcode|(?:\bchr\s*\(\s*\d+\s*\)\s*[+.,]\s*){3}\bchr\s*\(|map\s*\(\s*chr\b|pack\s*\(\s*["']c\*["']|(?:\\x[0-9a-f]{2}){8}|base64\s+(?:-d|--decode)|xxd\s+-r`)

// execInCode are the ways the five languages run code or commands they
// hold as data.
var execInCode = lazyre.New(`\b(?:exec|eval|system|passthru|shell_exec|popen|proc_open|pcntl_exec|assert|compile|instance_eval|class_eval|execSync|spawnSync|spawn|Function)\s*[(\s"'$\x60]|\b(?:subprocess|child_process|os\.system|Kernel\.exec|IO\.popen)\b|\x60|\bqx\s*[({/]|%x[({]`)

// okEncodedOneLiner counts an interpreter one-liner whose program both
// decodes and executes, or whose program a shell decoder produces.
func okEncodedOneLiner(text string, m []int) bool {
	if len(m) < 4 || m[2] < 0 {
		return false
	}
	code := text[m[2]:m[3]]
	if !decodeInCode.MatchString(code) {
		return false
	}
	if s := strings.TrimLeft(code, `"' `); strings.HasPrefix(s, "$(") || strings.HasPrefix(s, "`") {
		return true // python -c "$(echo ... | base64 -d)": the shell decodes, python runs it
	}
	return execInCode.MatchString(code)
}

// decodePipe is a shell decoder piped into an interpreter, which runs
// what it reads.
var decodePipe = lazyre.New(`(?i)\b(?:base(?:64|32)\s+(?:-\w+\s+)*(?:-d|--decode|-D)\b|xxd\s+(?:-\w+\s+)*-r\b|openssl\s+(?:enc\s+)?-?base64\s+-d\b)[^\n;&]*\|\s*(?:sudo\s+)?(?:(?:/usr)?(?:/local)?/bin/)?(?:python[0-9.]*|perl|ruby|php[0-9.]*|node(?:js)?)\b`)
