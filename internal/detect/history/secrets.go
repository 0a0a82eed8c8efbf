package history

import (
	"regexp"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// indSecret marks a password or token typed on a command line: anyone who
// reads the history (an intruder first of all, T1552.003) has it.
const indSecret = "secret-on-command-line"

// secretPatterns find credentials given as arguments. Group 1 is the
// secret, which evidence never shows.
var secretPatterns = []*regexp.Regexp{
	// mysql -pSecret (attached; a bare -p prompts), --password=Secret
	regexp.MustCompile(`\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^|;&\n]*?\s-p([^\s'"-][^\s'"]*|'[^']+'|"[^"]+")`),
	regexp.MustCompile(`\s--password=([^\s'"]+|'[^']+'|"[^"]+")`),
	regexp.MustCompile(`\bsshpass\s+-p\s*([^\s'"]+|'[^']+'|"[^"]+")`),
	regexp.MustCompile(`\b(?:PGPASSWORD|MYSQL_PWD|REDISCLI_AUTH|SSHPASS)=([^\s'"]+|'[^']+'|"[^"]+")`),
	regexp.MustCompile(`\b(?:curl|wget)\b[^|;&\n]*?\s(?:-u|--user)\s*['"]?[^\s:'"]+:([^\s@'"]+)`),
	regexp.MustCompile(`\b(?:wget)\b[^|;&\n]*?\s--(?:http-|ftp-)?password[= ]([^\s'"]+|'[^']+'|"[^"]+")`),
	regexp.MustCompile(`[a-z][a-z0-9+.-]*://[^\s/:@'"]+:([^\s/@'"]+)@`),
	regexp.MustCompile(`\bredis-cli\b[^|;&\n]*?\s-a\s+([^\s'"]+|'[^']+'|"[^"]+")`),
	regexp.MustCompile(`\bhtpasswd\s+(?:-\w+\s+)*-\w*b\w*\s+(?:-\w+\s+)*\S+\s+\S+\s+([^\s'"]+|'[^']+'|"[^"]+")`),
	regexp.MustCompile(`\bopenssl\b[^|;&\n]*?\s-pass(?:in|out)?\s+pass:([^\s'"]+)`),
	regexp.MustCompile(`\b(?:docker|podman|helm)\s+(?:registry\s+)?login\b[^|;&\n]*?\s(?:-p|--password)[= ]([^\s'"]+|'[^']+'|"[^"]+")`),
	regexp.MustCompile(`\becho\s+['"]?[^\s:'"|]+:([^\s'"|]+)['"]?\s*\|\s*(?:sudo\s+)?chpasswd\b`),
	regexp.MustCompile(`\becho\s+['"]?([^\s'"|]+)['"]?\s*\|\s*(?:sudo\s+)?passwd\s+--stdin\b`),
	regexp.MustCompile(`\bexport\s+[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|SECRET_ACCESS_KEY)[A-Z0-9_]*=([^\s'"]+|'[^']+'|"[^"]+")`),
}

// secretHit reports whether text carries a credential, and the text with
// every secret replaced by ****.
func secretHit(text string) (redacted string, ok bool) {
	redacted = text
	for _, re := range secretPatterns {
		ms := re.FindAllStringSubmatchIndex(redacted, -1)
		for i := len(ms) - 1; i >= 0; i-- { // from the end: indexes stay valid
			m := ms[i]
			if m[2] < 0 {
				continue
			}
			secret := strings.Trim(redacted[m[2]:m[3]], `'"`)
			if secret == "" || secret == "****" || strings.HasPrefix(secret, "$") {
				continue // empty, already redacted, or a variable: nothing leaked
			}
			redacted = redacted[:m[2]] + "****" + redacted[m[3]:]
			ok = true
		}
	}
	return redacted, ok
}

// redact hides credentials in evidence text.
func redact(s string) string {
	r, _ := secretHit(s)
	return r
}

// secretGrade is the grade of a credential in history: the exposure needs
// a rotation, it is not itself a sign of intrusion.
func secretGrade(text string) (hit, bool) {
	red, ok := secretHit(text)
	if !ok {
		return hit{}, false
	}
	return hit{id: indSecret, sev: model.Low, conf: model.ConfMedium, fragment: textclip.Trim(red, 160)}, true
}
