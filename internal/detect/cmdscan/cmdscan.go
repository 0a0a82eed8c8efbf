package cmdscan

import (
	"regexp"
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
)

// Match is one thing a line does that matters.
type Match struct {
	ID         string           // indicator id (rules/indicators.yaml)
	Severity   model.Severity   // grade when the line runs unattended as root
	Confidence model.Confidence //
	Fragment   string           // the part of the line that matched (at most 160 bytes)
}

type pattern struct {
	id   string
	sev  model.Severity
	conf model.Confidence
	re   *regexp.Regexp
	not  *regexp.Regexp // the line is ordinary when this matches too
}

// Paths an intruder can write to without privileges, or hides in.
const writable = `(?:/tmp|/var/tmp|/dev/shm|/run/shm|/var/run/shm|/dev/mqueue)/`

// cmdStart matches where a command starts: line start, after ; & | ( `
// $(, or after a prefix that runs its argument.
const cmdStart = `(?:^|[;&|(\x60]\s*|\$\(\s*|\b(?:nohup|exec|setsid|sudo|nice|timeout\s+\d+\w?|bash|sh|dash|zsh|ksh)\s+(?:-c\s+)?["']?)`

var patterns = []pattern{
	// Download and execute.
	{"download-exec", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\b(?:curl|wget|fetch|lwp-download|busybox\s+wget)\b[^|;&\n]*\|\s*(?:sudo\s+)?(?:/usr)?(?:/bin/)?(?:ba|da|z|k|c|tc)?sh\b`), nil},
	{"download-exec", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\b(?:ba|da|z)?sh\s+(?:-c\s+)?["']?(?:<\(|\$\(|\x60)\s*(?:curl|wget)\b`), nil},
	{"download-exec", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\b(?:curl|wget)\b[^|;\n]*\|\s*(?:python[0-9.]*|perl|php|ruby)\b`), nil},
	{"download-chmod-exec", model.High, model.ConfHigh, regexp.MustCompile(`(?i)\b(?:curl|wget)\b[^\n]*(?:&&|;)\s*chmod\s+(?:[+0-7]*x|[0-7]*[1357][0-7]{0,2})\b[^\n]*(?:&&|;)`), nil},
	{"download-to-writable", model.Medium, model.ConfMedium, regexp.MustCompile(`(?i)\b(?:curl|wget)\b[^\n|;&]*\s(?:-O\s*|-o\s*|--output[= ]|--output-document[= ]|>\s*)` + writable + `\S*`), nil},
	{"download-python", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\bpython[0-9.]*\s+-c\s+.*\b(?:urllib|requests)\b.*\bexec\s*\(`), nil},

	// Reverse shells.
	{"reverse-shell.dev-tcp", model.Critical, model.ConfHigh, regexp.MustCompile(`/dev/(?:tcp|udp)/[^/\s]+/\d+`), nil},
	{"reverse-shell.nc", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\b(?:nc|ncat|netcat|nc\.traditional|nc\.openbsd)\b[^\n|;]*\s-[a-z]*[ec]\s*\S+`), nil},
	{"reverse-shell.nc", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\bmkfifo\b[^\n]*\b(?:nc|ncat|netcat|telnet|openssl\s+s_client)\b`), nil},
	{"reverse-shell.nc", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\b(?:nc|ncat|netcat|telnet)\s+\S+\s+\d+\s*(?:<|\|)[^\n]*\b(?:ba|da|z)?sh\b`), nil},
	{"reverse-shell.socat", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\bsocat\b[^\n]*\b(?:exec|system):`), nil},
	{"reverse-shell.socat", model.Critical, model.ConfMedium, regexp.MustCompile(`(?i)\bsocat\b[^\n]*\b(?:tcp4?|tcp6|openssl)(?:-connect)?:[^\s,]+[^\n]*\bpty\b`), nil},
	{"reverse-shell.script", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\bpython[0-9.]*\s+-c\s+.*\bsocket\b.*\b(?:subprocess|pty\.spawn|os\.dup2)\b`), nil},
	{"reverse-shell.script", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\bperl\s+(?:-\S+\s+)*-e\s+.*\bsocket\b.*\b(?:exec|open\s*\(\s*STDIN|system)\b`), nil},
	{"reverse-shell.script", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\bphp\s+(?:-\S+\s+)*-r\s+.*\bfsockopen\b`), nil},
	{"reverse-shell.script", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\bruby\s+-rsocket\b`), nil},
	{"reverse-shell.script", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\b(?:lua|node|nodejs)\s+-e\s+.*\b(?:socket|net\.Socket|child_process)\b`), nil},
	{"reverse-shell.script", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\b(?:ba)?sh\s+-i\s*(?:[<>]&?|&>)`), nil},

	// Encoded or evaluated payloads.
	{"obfuscation.base64-exec", model.High, model.ConfHigh, regexp.MustCompile(`(?i)\bbase(?:64|32)\s+(?:-d|--decode|-D)\b[^\n]*\|\s*(?:sudo\s+)?(?:/bin/)?(?:ba|da|z)?sh\b`), nil},
	{"obfuscation.base64-exec", model.High, model.ConfHigh, regexp.MustCompile(`(?i)\b(?:eval|exec)\b[^\n]*\bbase(?:64|32)\s+(?:-d|--decode)`), nil},
	{"obfuscation.base64-exec", model.High, model.ConfMedium, regexp.MustCompile(`(?i)\b(?:python[0-9.]*|perl|php)\b[^\n]*(?:b64decode|decode_base64|base64_decode)[^\n]*\b(?:exec|eval|system)\b`), nil},
	{"obfuscation.base64-blob", model.Medium, model.ConfMedium, regexp.MustCompile(`(?:echo|printf)\s+["']?[A-Za-z0-9+/]{60,}={0,2}["']?\s*\|\s*base64`), nil},
	{"obfuscation.hex-exec", model.High, model.ConfHigh, regexp.MustCompile(`(?i)\bxxd\s+-r\b[^\n]*\|\s*(?:ba|da|z)?sh\b`), nil},
	{"obfuscation.hex-exec", model.High, model.ConfMedium, regexp.MustCompile(`(?i)(?:\\x[0-9a-f]{2}){12,}[^\n]*\|\s*(?:ba|da|z)?sh\b`), nil},
	{"obfuscation.rev-exec", model.High, model.ConfHigh, regexp.MustCompile(`\brev\b\s*\|\s*(?:ba|da|z)?sh\b`), nil},
	{"obfuscation.eval", model.Medium, model.ConfMedium, regexp.MustCompile(`\beval\s+["']?(?:\$\(|\x60)`),
		// Shell start-up files evaluate the output of these tools by design.
		regexp.MustCompile(`\beval\s+["']?(?:\$\(|\x60)\s*(?:\S+=\S+\s+)*(?:\S*/)?(?:lesspipe|dircolors|ssh-agent|pyenv|rbenv|nodenv|direnv|starship|zoxide|thefuck|brew|conda|keychain|gpg-agent|fzf|opam|mise|rtx|fnm|luarocks|perl\s+-I\S*\s+-Mlocal::lib|/home/linuxbrew)`)},

	// Execution from places anyone can write to, or hidden places.
	{"exec-writable-path", model.High, model.ConfMedium, regexp.MustCompile(cmdStart + writable + `[^\s;&|'"]+`), nil},
	{"exec-hidden-path", model.Medium, model.ConfMedium, regexp.MustCompile(cmdStart + `(?:/[^/\s;&|'"]+)*/\.[A-Za-z0-9_][^/\s;&|'"]*/[^\s;&|'"]+`), nil},

	// Miners.
	{"miner", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)\bstratum(?:\+|2\+)?(?:tcp|ssl|tls)?://`), nil},
	{"miner", model.Critical, model.ConfHigh, regexp.MustCompile(`(?i)(?:^|[/\s"'])(?:xmrig|xmr-stak|minerd|cpuminer(?:-multi)?|nanominer|t-rex|ethminer|kdevtmpfsi|kinsing|xmrig-notls|phoenixminer|lolminer|srbminer)(?:\s|$|["';&|])`), nil},
	{"miner", model.High, model.ConfMedium, regexp.MustCompile(`(?i)--(?:donate-level|cpu-max-threads-hint|randomx-1gb-pages|coin\s+monero)\b`), nil},
	{"miner", model.High, model.ConfMedium, regexp.MustCompile(`(?i)\b(?:pool\.)?(?:minexmr|supportxmr|hashvault|nanopool|f2pool|c3pool|moneroocean|2miners|herominers|nicehash)\.(?:com|org|net|pro|stream)\b`), nil},

	// Anti-forensics.
	{"anti-forensics.history", model.Medium, model.ConfHigh, regexp.MustCompile(`(?:\bhistory\s+-c\b|\bunset\s+HISTFILE\b|\bHISTFILE=/dev/null\b|\bHISTSIZE=0\b|\bHISTFILESIZE=0\b|\bset\s+\+o\s+history\b|\bln\s+-sf?\s+/dev/null\s+\S*\.(?:bash_|zsh_|sh_)?history\b)`), nil},
	{"anti-forensics.history", model.Medium, model.ConfHigh, regexp.MustCompile(`\b(?:rm|shred|truncate)\b[^\n;&|]*\.(?:bash_|zsh_|mysql_|python_)?history\b`), nil},
	{"anti-forensics.logs", model.High, model.ConfHigh, regexp.MustCompile(`(?:\b(?:rm|shred|truncate)\b[^\n;&|]*|(?:^|[;&|]\s*|\b(?:echo|cat\s+/dev/null)\s*)>\s*)/var/log/(?:wtmp|btmp|lastlog|auth\.log|secure|messages|syslog|audit/audit\.log)\b`), nil},
	{"anti-forensics.logs", model.High, model.ConfMedium, regexp.MustCompile(`\b(?:utmpdump|wtmpclean|logtamper|mig-logcleaner)\b`), nil},
	{"anti-forensics.timestomp", model.Medium, model.ConfMedium, regexp.MustCompile(`\btouch\s+(?:-[a-z]*[rd]\b|--reference)`), nil},

	// Accounts, keys and privilege.
	{"account-change", model.Medium, model.ConfMedium, regexp.MustCompile(`(?:^|[;&|]\s*|sudo\s+)(?:useradd|adduser|usermod|chpasswd|passwd|groupadd|gpasswd)\b`), nil},
	{"account-change", model.High, model.ConfHigh, regexp.MustCompile(`(?:>>?|\btee\s+(?:-a\s+)?)\s*/etc/(?:passwd|shadow|sudoers)\b`), nil},
	{"account-change", model.Critical, model.ConfHigh, regexp.MustCompile(`\buseradd\b[^\n]*\s-o\b[^\n]*\s-u\s*0\b|\busermod\b[^\n]*\s-u\s*0\s+-o\b`), nil},
	{"ssh-key-inject", model.High, model.ConfHigh, regexp.MustCompile(`(?:>>?|\btee\s+(?:-a\s+)?)\s*\S*\.ssh/authorized_keys2?\b`), nil},
	{"immutable-attr", model.Medium, model.ConfMedium, regexp.MustCompile(`\bchattr\s+[-+=]*[aiu]*i[aiu]*\b`), nil},
	{"setuid-set", model.High, model.ConfMedium, regexp.MustCompile(`\bchmod\s+(?:[ugo]*\+s|[4-7][0-7]{3})\s`), nil},
	{"ld-preload", model.High, model.ConfHigh, regexp.MustCompile(`\bLD_PRELOAD=\S+|/etc/ld\.so\.preload\b`), nil},

	// Disabling defences.
	{"defense-evasion", model.Medium, model.ConfMedium, regexp.MustCompile(`(?i)\bsetenforce\s+0\b|\bufw\s+disable\b|\b(?:iptables|ip6tables)\s+-F\b|\bnft\s+flush\s+ruleset\b|\bsystemctl\s+(?:stop|disable|mask)\s+(?:firewalld|apparmor|auditd|rsyslog|syslog|aegis|aliyun|cloudmonitor|qcloud|yunjing|bcm-agent|hostguard|falco|wazuh-agent|ossec)\b`), nil},
	{"defense-evasion", model.High, model.ConfHigh, regexp.MustCompile(`(?i)\b(?:aegis_uninstall|uninstall\.sh\s+.*aegis|/usr/local/aegis|/usr/local/qcloud/(?:stargate|YunJing)/.*uninst)`), nil},
}

// Scan returns what text does, most severe first, one match per indicator id.
// text is a command (for a crontab line, the command part without the
// schedule and user fields) or a script; callers that know line numbers call
// it per line.
func Scan(text string) []Match {
	if text == "" {
		return nil
	}
	best := map[string]Match{}
	for _, p := range patterns {
		loc := p.re.FindStringIndex(text)
		if loc == nil || (p.not != nil && p.not.MatchString(text)) {
			continue
		}
		m := Match{ID: p.id, Severity: p.sev, Confidence: p.conf, Fragment: clip(text[loc[0]:loc[1]])}
		if prev, ok := best[p.id]; !ok || m.Severity > prev.Severity || (m.Severity == prev.Severity && m.Confidence > prev.Confidence) {
			best[p.id] = m
		}
	}
	if len(best) == 0 {
		return nil
	}
	out := make([]Match, 0, len(best))
	for _, m := range best {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Severity != out[j].Severity {
			return out[i].Severity > out[j].Severity
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Worst returns the most severe match (Scan's first), if any.
func Worst(ms []Match) (Match, bool) {
	if len(ms) == 0 {
		return Match{}, false
	}
	return ms[0], true
}

// IDs returns the indicator ids of ms, in order.
func IDs(ms []Match) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// Indicators lists every indicator id Scan can return (for catalog tests).
func Indicators() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range patterns {
		if !seen[p.id] {
			seen[p.id] = true
			out = append(out, p.id)
		}
	}
	sort.Strings(out)
	return out
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
