package cmdscan

import (
	"sort"

	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
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
	// need is the prefilter: every group lists literal keywords (lower
	// case) one of which is in every text re matches. Scan runs re only
	// when each group has a keyword in the folded line; TestPrefilterProved
	// checks the claim against re's syntax tree.
	need [][]string
	re   *lazyre.Regexp
	// ok, when set, reports whether one match (submatch indices m) counts:
	// it holds the exceptions that a regular expression says badly. Scan
	// tries every match of re until one counts.
	ok func(text string, m []int) bool

	needIdx [][]int // need, as indices into keywords
}

// Paths an intruder can write to without privileges, or hides in.
const writable = `(?:/tmp|/var/tmp|/dev/shm|/run/shm|/var/run/shm|/dev/mqueue)/`

// kwWritable are the prefilter keywords of writable.
var kwWritable = []string{"/tmp/", "/shm/", "/dev/mqueue/"}

// cmdStart matches where a command starts: line start, after ; & | ( `
// $(, or after a prefix that runs its argument.
const cmdStart = `(?:^|[;&|(\x60]\s*|\$\(\s*|\b(?:nohup|exec|setsid|sudo|nice|timeout\s+\d+\w?|bash|sh|dash|zsh|ksh)\s+(?:-c\s+)?["']?)`

// pathChar is a character of a path component as written on a command line
// (quotes included: "/root/.acme.sh"/acme.sh is one path). A colon ends
// the path: callers also scan values such as PATH=$HOME/.local/bin:$PATH.
const pathChar = `[^/\s;&|<>()\x60:]`

// hiddenPath is a path at a command start with a component that starts
// with a dot (see isHidden); submatch 1 is the path, which may start with
// ~, $HOME or ${HOME}. Whether the component really hides something is
// for okHiddenPath to say.
const hiddenPath = cmdStart + `(["']?(?:~[\w.-]*|\$HOME|\$\{HOME\})?(?:/` + pathChar + `*)*?/\.` + hiddenChar + pathChar + `*(?:/` + pathChar + `*)*)`

// hiddenChar follows the dot of a hidden component: not a glob or regexp
// (/.*), not a variable.
const hiddenChar = `[^/\s;&|<>()\x60:*?\[\]{}$"'\\]`

var (
	kwDownload = []string{"curl", "wget"}
	kwShell    = []string{"sh"}
	kwPipe     = []string{"|"}
)

var patterns = []pattern{
	// Download and execute.
	{id: "download-exec", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"curl", "wget", "fetch", "lwp-download"}, kwPipe, kwShell},
		re:   lazyre.New(`(?i)\b(?:curl|wget|fetch|lwp-download|busybox\s+wget)\b[^|;&\n]*\|\s*(?:sudo\s+)?(?:/usr)?(?:/bin/)?(?:ba|da|z|k|c|tc)?sh\b`)},
	{id: "download-exec", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{kwDownload, kwShell},
		re:   lazyre.New(`(?i)\b(?:ba|da|z)?sh\s+(?:-c\s+)?["']?(?:<\(|\$\(|\x60)\s*(?:curl|wget)\b`)},
	{id: "download-exec", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{kwDownload, kwPipe, {"python", "perl", "php", "ruby"}},
		re:   lazyre.New(`(?i)\b(?:curl|wget)\b[^|;\n]*\|\s*(?:python[0-9.]*|perl|php|ruby)\b`)},
	// Saved, then run by a shell or an interpreter: the installer habit
	// (curl -o get-docker.sh URL && sh get-docker.sh). Not piped, the file
	// stays behind to read, hence below the pipe.
	{id: "download-exec", sev: model.High, conf: model.ConfMedium,
		need: [][]string{kwDownload, {"&&", ";"}, {"sh", "python", "perl", "php", "ruby", "node"}},
		re:   lazyre.New(`(?i)\b(?:curl|wget)\b([^\n]*?)(?:&&|;)\s*(?:sudo\s+(?:-\S+\s+)*)?(?:(?:/usr)?(?:/local)?/bin/)?(?:(?:ba|da|z|k)?sh|python[0-9.]*|perl|php|ruby|node)\s+((?:-\S*\s+)*)(["']?[^\s;&|<>'"]+)`),
		ok:   okRunDownloaded},
	{id: "download-chmod-exec", sev: model.High, conf: model.ConfHigh,
		need: [][]string{kwDownload, {"chmod"}},
		re:   lazyre.New(`(?i)\b(?:curl|wget)\b[^\n]*(?:&&|;)\s*chmod\s+(?:[+0-7]*x|[0-7]*[1357][0-7]{0,2})\b[^\n]*(?:&&|;)`)},
	{id: "download-to-writable", sev: model.Medium, conf: model.ConfMedium,
		need: [][]string{kwDownload, kwWritable},
		re:   lazyre.New(`(?i)\b(?:curl|wget)\b[^\n|;&]*\s(?:-O\s*|-o\s*|--output[= ]|--output-document[= ]|>\s*)` + writable + `\S*`)},
	{id: "download-python", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"python"}, {"urllib", "requests"}, {"exec"}},
		re:   lazyre.New(`(?i)\bpython[0-9.]*\s+-c\s+.*\b(?:urllib|requests)\b.*\bexec\s*\(`)},

	// Reverse shells.
	{id: "reverse-shell.dev-tcp", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"/dev/tcp/", "/dev/udp/"}},
		re:   lazyre.New(`/dev/(?:tcp|udp)/[^/\s]+/\d+`)},
	{id: "reverse-shell.nc", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"nc", "netcat"}, {"-"}},
		re:   lazyre.New(`(?i)\b(?:nc|ncat|netcat|nc\.traditional|nc\.openbsd)\b[^\n|;]*\s-[a-z]*[ec]\s*\S+`)},
	{id: "reverse-shell.nc", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"mkfifo"}, {"nc", "netcat", "telnet", "openssl"}},
		re:   lazyre.New(`(?i)\bmkfifo\b[^\n]*\b(?:nc|ncat|netcat|telnet|openssl\s+s_client)\b`)},
	{id: "reverse-shell.nc", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"nc", "netcat", "telnet"}, kwShell},
		re:   lazyre.New(`(?i)\b(?:nc|ncat|netcat|telnet)\s+\S+\s+\d+\s*(?:<|\|)[^\n]*\b(?:ba|da|z)?sh\b`)},
	{id: "reverse-shell.socat", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"socat"}, {"exec:", "system:"}},
		re:   lazyre.New(`(?i)\bsocat\b[^\n]*\b(?:exec|system):`)},
	{id: "reverse-shell.socat", sev: model.Critical, conf: model.ConfMedium,
		need: [][]string{{"socat"}, {"pty"}},
		re:   lazyre.New(`(?i)\bsocat\b[^\n]*\b(?:tcp4?|tcp6|openssl)(?:-connect)?:[^\s,]+[^\n]*\bpty\b`)},
	{id: "reverse-shell.script", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"python"}, {"socket"}},
		re:   lazyre.New(`(?i)\bpython[0-9.]*\s+-c\s+.*\bsocket\b.*\b(?:subprocess|pty\.spawn|os\.dup2)\b`)},
	{id: "reverse-shell.script", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"perl"}, {"socket"}},
		re:   lazyre.New(`(?i)\bperl\s+(?:-\S+\s+)*-e\s+.*\bsocket\b.*\b(?:exec|open\s*\(\s*STDIN|system)\b`)},
	{id: "reverse-shell.script", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"fsockopen"}},
		re:   lazyre.New(`(?i)\bphp\s+(?:-\S+\s+)*-r\s+.*\bfsockopen\b`)},
	{id: "reverse-shell.script", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"-rsocket"}},
		re:   lazyre.New(`(?i)\bruby\s+-rsocket\b`)},
	{id: "reverse-shell.script", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"lua", "node"}, {"socket", "child_process"}},
		re:   lazyre.New(`(?i)\b(?:lua|node|nodejs)\s+-e\s+.*\b(?:socket|net\.Socket|child_process)\b`)},
	{id: "reverse-shell.script", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"sh"}, {"-i"}},
		re:   lazyre.New(`(?i)\b(?:ba)?sh\s+-i\s*(?:[<>]&?|&>)`)},

	// Encoded or evaluated payloads.
	{id: "obfuscation.base64-exec", sev: model.High, conf: model.ConfHigh,
		need: [][]string{{"base64", "base32"}, kwPipe},
		re:   lazyre.New(`(?i)\bbase(?:64|32)\s+(?:-d|--decode|-D)\b[^\n]*\|\s*(?:sudo\s+)?(?:/bin/)?(?:ba|da|z)?sh\b`)},
	{id: "obfuscation.base64-exec", sev: model.High, conf: model.ConfHigh,
		need: [][]string{{"eval", "exec"}, {"base64", "base32"}},
		re:   lazyre.New(`(?i)\b(?:eval|exec)\b[^\n]*\bbase(?:64|32)\s+(?:-d|--decode)`)},
	{id: "obfuscation.base64-exec", sev: model.High, conf: model.ConfMedium,
		need: [][]string{{"b64decode", "decode_base64", "base64_decode"}},
		re:   lazyre.New(`(?i)\b(?:python[0-9.]*|perl|php)\b[^\n]*(?:b64decode|decode_base64|base64_decode)[^\n]*\b(?:exec|eval|system)\b`)},
	{id: "obfuscation.base64-blob", sev: model.Medium, conf: model.ConfMedium,
		need: [][]string{{"echo", "printf"}, {"base64"}},
		re:   lazyre.New(`(?:echo|printf)\s+["']?[A-Za-z0-9+/]{60,}={0,2}["']?\s*\|\s*base64`)},
	{id: "obfuscation.hex-exec", sev: model.High, conf: model.ConfHigh,
		need: [][]string{{"xxd"}, kwShell},
		re:   lazyre.New(`(?i)\bxxd\s+-r\b[^\n]*\|\s*(?:ba|da|z)?sh\b`)},
	{id: "obfuscation.hex-exec", sev: model.High, conf: model.ConfMedium,
		need: [][]string{{`\x`}, kwShell},
		re:   lazyre.New(`(?i)(?:\\x[0-9a-f]{2}){12,}[^\n]*\|\s*(?:ba|da|z)?sh\b`)},
	{id: "obfuscation.rev-exec", sev: model.High, conf: model.ConfHigh,
		need: [][]string{{"rev"}, kwShell},
		re:   lazyre.New(`\brev\b\s*\|\s*(?:ba|da|z)?sh\b`)},
	{id: indEncodedOneLiner, sev: model.High, conf: model.ConfHigh,
		need: [][]string{kwInterpreters},
		re:   interpreterCode,
		ok:   okEncodedOneLiner},
	{id: indEncodedOneLiner, sev: model.High, conf: model.ConfHigh,
		need: [][]string{{"base64", "base32", "xxd"}, kwPipe, kwInterpreters},
		re:   decodePipe},
	{id: "obfuscation.eval", sev: model.Medium, conf: model.ConfMedium,
		need: [][]string{{"eval"}},
		re:   lazyre.New(`\beval\s+["']?(?:\$\(|\x60)`),
		ok:   okEval},

	// Execution from places anyone can write to, or hidden places.
	{id: "exec-writable-path", sev: model.High, conf: model.ConfMedium,
		need: [][]string{kwWritable},
		re:   lazyre.New(cmdStart + writable + `[^\s;&|'"]+`)},
	{id: "exec-hidden-path", sev: model.Medium, conf: model.ConfMedium,
		need: [][]string{{"/."}},
		re:   lazyre.New(hiddenPath),
		ok:   okHiddenPath},

	// Miners.
	{id: "miner", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"stratum"}},
		re:   lazyre.New(`(?i)\bstratum(?:\+|2\+)?(?:tcp|ssl|tls)?://`)},
	{id: "miner", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"xmr", "miner", "kdevtmpfsi", "kinsing", "t-rex"}},
		re:   lazyre.New(`(?i)(?:^|[/\s"'])(?:xmrig|xmr-stak|minerd|cpuminer(?:-multi)?|nanominer|t-rex|ethminer|kdevtmpfsi|kinsing|xmrig-notls|phoenixminer|lolminer|srbminer)(?:\s|$|["';&|])`)},
	{id: "miner", sev: model.High, conf: model.ConfMedium,
		need: [][]string{{"--donate-level", "--cpu-max-threads-hint", "--randomx-1gb-pages", "--coin"}},
		re:   lazyre.New(`(?i)--(?:donate-level|cpu-max-threads-hint|randomx-1gb-pages|coin\s+monero)\b`)},
	{id: "miner", sev: model.High, conf: model.ConfMedium,
		need: [][]string{{"minexmr", "supportxmr", "hashvault", "nanopool", "f2pool", "c3pool", "moneroocean", "2miners", "herominers", "nicehash"}},
		re:   lazyre.New(`(?i)\b(?:pool\.)?(?:minexmr|supportxmr|hashvault|nanopool|f2pool|c3pool|moneroocean|2miners|herominers|nicehash)\.(?:com|org|net|pro|stream)\b`)},

	// Anti-forensics.
	{id: "anti-forensics.history", sev: model.Medium, conf: model.ConfHigh,
		need: [][]string{{"history", "histfile", "histsize"}},
		re:   lazyre.New(`(?:\bhistory\s+-c\b|\bunset\s+HISTFILE\b|\bHISTFILE=/dev/null\b|\bHISTSIZE=0\b|\bHISTFILESIZE=0\b|\bset\s+\+o\s+history\b|\bln\s+-sf?\s+/dev/null\s+\S*\.(?:bash_|zsh_|sh_)?history\b)`)},
	{id: "anti-forensics.history", sev: model.Medium, conf: model.ConfHigh,
		need: [][]string{{"rm", "shred", "truncate"}, {"history"}},
		re:   lazyre.New(`\b(?:rm|shred|truncate)\b[^\n;&|]*\.(?:bash_|zsh_|mysql_|python_)?history\b`)},
	{id: "anti-forensics.logs", sev: model.High, conf: model.ConfHigh,
		need: [][]string{{"rm", "shred", "truncate", ">"}, {"/var/log/"}},
		re:   lazyre.New(`(?:\b(?:rm|shred|truncate)\b[^\n;&|]*|(?:^|[;&|]\s*|\b(?:echo|cat\s+/dev/null)\s*)>\s*)/var/log/(?:wtmp|btmp|lastlog|auth\.log|secure|messages|syslog|audit/audit\.log)\b`)},
	{id: "anti-forensics.logs", sev: model.High, conf: model.ConfMedium,
		need: [][]string{{"utmpdump", "wtmpclean", "logtamper", "mig-logcleaner"}},
		re:   lazyre.New(`\b(?:utmpdump|wtmpclean|logtamper|mig-logcleaner)\b`)},
	{id: "anti-forensics.timestomp", sev: model.Medium, conf: model.ConfMedium,
		need: [][]string{{"touch"}},
		re:   lazyre.New(`\btouch\s+(?:-[a-z]*[rd]\b|--reference)`)},

	// Accounts, keys and privilege.
	{id: "account-change", sev: model.Medium, conf: model.ConfMedium,
		need: [][]string{{"useradd", "adduser", "usermod", "passwd", "groupadd"}},
		re:   lazyre.New(accountCmd),
		ok:   okAccountChange},
	// Locking an account (passwd -l, usermod -L): containment as a rule,
	// or an intruder locking the admins out.
	{id: "account-change", sev: model.Low, conf: model.ConfMedium,
		need: [][]string{{"passwd", "usermod"}},
		re:   lazyre.New(`(?:^|[;&|]\s*|sudo\s+)(passwd|usermod)\b`),
		ok:   okAccountLock},
	{id: "account-change", sev: model.High, conf: model.ConfHigh,
		need: [][]string{{"/etc/passwd", "/etc/shadow", "/etc/sudoers"}},
		re:   lazyre.New(`(?:>>?|\btee\s+(?:-a\s+)?)\s*/etc/(?:passwd|shadow|sudoers)\b`)},
	{id: "account-change", sev: model.Critical, conf: model.ConfHigh,
		need: [][]string{{"useradd", "usermod"}, {"-u"}},
		re:   lazyre.New(`\buseradd\b[^\n]*\s-o\b[^\n]*\s-u\s*0\b|\busermod\b[^\n]*\s-u\s*0\s+-o\b`)},
	{id: "ssh-key-inject", sev: model.High, conf: model.ConfHigh,
		need: [][]string{{".ssh/authorized_keys"}},
		re:   lazyre.New(`(?:>>?|\btee\s+(?:-a\s+)?)\s*\S*\.ssh/authorized_keys2?\b`)},
	{id: "immutable-attr", sev: model.Medium, conf: model.ConfMedium,
		need: [][]string{{"chattr"}},
		re:   lazyre.New(`\bchattr\s+[-+=]*[aiu]*i[aiu]*\b`)},
	{id: "setuid-set", sev: model.High, conf: model.ConfMedium,
		need: [][]string{{"chmod"}},
		re:   lazyre.New(`\bchmod\s+(?:[ugo]*\+s|[4-7][0-7]{3})\s`)},
	{id: "ld-preload", sev: model.High, conf: model.ConfHigh,
		need: [][]string{{"ld_preload=", "/etc/ld.so.preload"}},
		re:   lazyre.New(`\bLD_PRELOAD=\S+|/etc/ld\.so\.preload\b`)},

	// Disabling defences.
	{id: "defense-evasion", sev: model.Medium, conf: model.ConfMedium,
		need: [][]string{{"setenforce"}},
		re:   lazyre.New(`(?i)\bsetenforce\s+0\b`)},
	{id: "defense-evasion", sev: model.Medium, conf: model.ConfMedium,
		need: [][]string{{"ufw", "iptables", "ip6tables", "nft"}, {"disable", "-f", "flush"}},
		re:   lazyre.New(`(?i)\bufw\s+disable\b|\b(?:iptables|ip6tables)\s+-F\b|\bnft\s+flush\s+ruleset\b`)},
	{id: "defense-evasion", sev: model.Medium, conf: model.ConfMedium,
		need: [][]string{{"systemctl"}, {"stop", "disable", "mask"}},
		re:   lazyre.New(`(?i)\bsystemctl\s+(?:stop|disable|mask)\s+(?:firewalld|apparmor|auditd|rsyslog|syslog|aegis|aliyun|cloudmonitor|qcloud|yunjing|bcm-agent|hostguard|falco|wazuh-agent|ossec)\b`)},
	{id: "defense-evasion", sev: model.High, conf: model.ConfHigh,
		need: [][]string{{"aegis", "/usr/local/qcloud", "cloudmonitor"}},
		// Uninstalling or deleting the cloud vendors' host security agents
		// (Aliyun Aegis/CloudMonitor, Tencent YunJing): what mining worms
		// do first. The agents' own paths alone are not matched: they run
		// from there legitimately. \b before a path needs a word character
		// before the slash: the path branches go without it.
		re: lazyre.New(`(?i)\b(?:aegis_uninstall|uninstall\.sh\s+.*aegis)|\b(?:rm|shred|chattr)\s[^\n;&|]*/usr/local/(?:aegis|qcloud|cloudmonitor)\b|/usr/local/qcloud/(?:stargate|YunJing)/.*uninst`)},
}

// accountCmd is an account tool at a command start; submatch 1 is its name.
const accountCmd = `(?:^|[;&|]\s*|sudo\s+)(useradd|adduser|usermod|chpasswd|passwd|groupadd|gpasswd)\b`

// Scan returns what text does, most severe first, one match per indicator id.
// text is a command (for a crontab line, the command part without the
// schedule and user fields) or a script; callers that know line numbers call
// it per line.
func Scan(text string) []Match {
	return scan(text, true)
}

// scan is Scan; filter=false skips the prefilter (for tests that compare).
func scan(text string, filter bool) []Match {
	if text == "" {
		return nil
	}
	var buf [512]byte
	pf := newPrefilter(foldInto(buf[:0], text))
	var best map[string]Match
	for i := range patterns {
		p := &patterns[i]
		if filter && !pf.passes(p) {
			continue
		}
		loc := p.match(text)
		if loc == nil {
			continue
		}
		m := Match{ID: p.id, Severity: p.sev, Confidence: p.conf, Fragment: textclip.Trim(text[loc[0]:loc[1]], 160)}
		if best == nil {
			best = map[string]Match{}
		}
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

// match returns the location of the first match of p in text that counts.
func (p *pattern) match(text string) []int {
	if p.ok == nil {
		return p.re.FindStringIndex(text)
	}
	for _, m := range p.re.FindAllStringSubmatchIndex(text, -1) {
		if p.ok(text, m) {
			return m[:2]
		}
	}
	return nil
}
