package history

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// shape is the language of a history's lines.
type shape int

const (
	shShell  shape = iota
	shPython       // REPL lines: graded as python -c '<line>'
	shNode         // graded as node -e '<line>'
	shMySQL        // SQL plus "system"/"\!" shell escapes
	shPsql         // SQL plus "\!" shell escapes
	shRedis        // redis-cli commands
)

// hit is one thing a history line does.
type hit struct {
	id       string
	sev      model.Severity
	conf     model.Confidence
	fragment string
}

// Indicators this package adds (rules/indicators.yaml).
const (
	indSQLFileWrite = "sql.file-write"
	indSQLUDF       = "sql.udf"
	indSQLProgram   = "sql.program"
	indRedisWrite   = "redis.config-write"
	indRedisModule  = "redis.module-load"
	indInstaller    = "known-installer"
)

var (
	// SELECT ... INTO OUTFILE/DUMPFILE aimed at a web root, a script, a
	// key file or cron; plain CSV exports are ordinary DBA work.
	reSQLOutfile  = lazyre.New(`(?i)\binto\s+(?:out|dump)file\s+['"]?([^'"\s;]+)`)
	reSQLWebshell = lazyre.New(`(?i)(?:\.(?:php\d?|phtml|jsp|jspx|asp|aspx|sh|so|py|pl)$|/(?:www|html|htdocs|public_html|webapps)/|authorized_keys|/cron|/etc/|/plugin/)`)
	reSQLPayload  = lazyre.New(`(?i)<\?php|<%|\beval\s*\(|\bsystem\s*\(|\bexec\s*\(|0x7f454c46`)
	reSQLLogFile  = lazyre.New(`(?i)\bset\s+global\s+general_log_file\s*=\s*['"]?[^'"\s;]*\.(?:php\d?|jsp|asp)`)
	reSQLUDF      = lazyre.New(`(?i)\bcreate\s+(?:or\s+replace\s+)?(?:aggregate\s+)?function\b[^;]*\bsoname\b|\bsys_(?:exec|eval)\s*\(|\bcreate\s+(?:or\s+replace\s+)?function\b[^;]*\blanguage\s+c\b[^;]*['"][^'"]*/(?:tmp|dev/shm|var/tmp)/`)
	reSQLProgram  = lazyre.New(`(?i)\bcopy\b[^;]*\b(?:from|to)\s+program\b`)
	reShellEscape = lazyre.New(`^(?:\\!|system)\s+(.+)$`)
	reRedisDir    = lazyre.New(`(?i)\bconfig\s+set\s+(?:dir\s+\S*(?:\.ssh|cron|www|html|htdocs)|dbfilename\s+(?:authorized_keys2?|root|crontab|\S+\.(?:php\d?|jsp|sh)))\b`)
	reRedisModule = lazyre.New(`(?i)\bmodule\s+load\s+(?:/tmp/|/var/tmp/|/dev/shm/|\./|[^/\s]|\S*/\.)\S*`)
	// Download-and-run from installers that vendors publish this way.
	reInstaller = lazyre.New(`(?i)https://(?:get\.docker\.com|sh\.rustup\.rs|raw\.githubusercontent\.com/(?:nvm-sh|Homebrew|ohmyzsh|helm|pyenv)/|install\.python-poetry\.org|deb\.nodesource\.com|rpm\.nodesource\.com|get\.helm\.sh|bun\.sh/install|deno\.land/install|get\.k3s\.io|install\.k3s\.io|tailscale\.com/install|get\.acme\.sh|astral\.sh/uv|get\.rvm\.io|sdk\.cloud\.google\.com|aka\.ms/InstallAzureCLIDeb|packages\.gitlab\.com/install|downloads\.nordcdn\.com|install\.pi-hole\.net|get\.pnpm\.io|fnm\.vercel\.app|starship\.rs/install|ollama\.com/install)`)
)

// keepSeverity reports whether a cmdscan indicator keeps its grade when
// typed by hand: these have no routine administrative use.
func keepSeverity(m cmdscan.Match) bool {
	switch {
	case strings.HasPrefix(m.ID, "reverse-shell."), m.ID == "miner",
		strings.HasPrefix(m.ID, "anti-forensics."), m.ID == "account-change", m.ID == "ssh-key-inject":
		return true
	case m.ID == "ld-preload":
		return strings.Contains(m.Fragment, "ld.so.preload")
	}
	return false
}

// lower returns s one step lower, not below Low.
func lower(s model.Severity) model.Severity {
	if s > model.Low {
		return s - 1
	}
	return s
}

// grader grades lines, caching by text: histories repeat themselves.
type grader struct {
	cache map[string][]hit
}

// maxCache bounds the cache; past it lines are graded without caching.
const maxCache = 50000

func (g *grader) grade(sh shape, text string) []hit {
	key := string(rune('0'+sh)) + text
	if hs, ok := g.cache[key]; ok {
		return hs
	}
	hs := gradeLine(sh, text)
	if g.cache == nil {
		g.cache = map[string][]hit{}
	}
	if len(g.cache) < maxCache {
		g.cache[key] = hs
	}
	return hs
}

// gradeLine grades one history command.
func gradeLine(sh shape, text string) []hit {
	var out []hit
	// A command saved over several lines is graded as one line.
	text = strings.ReplaceAll(text, "\n", " ")
	cmd := text
	switch sh {
	case shPython:
		cmd = "python3 -c '" + text + "'"
	case shNode:
		cmd = "node -e '" + text + "'"
	case shMySQL, shPsql:
		out = append(out, sqlHits(text)...)
		m := reShellEscape.FindStringSubmatch(text)
		if m == nil || (sh == shPsql && !strings.HasPrefix(text, `\!`)) {
			return out
		}
		cmd = m[1]
	case shRedis:
		return redisHits(text)
	}
	if sh == shShell || sh == shMySQL || sh == shPsql {
		if h, ok := secretGrade(cmd); ok {
			out = append(out, h)
		}
	}
	for _, m := range cmdscan.Scan(cmd) {
		if m.ID == "account-change" && strings.TrimSpace(cmd) == "passwd" {
			continue // someone changing their own password
		}
		if m.ID == "exec-hidden-path" && toolDirOnly(m.Fragment) {
			continue // ~/.local/bin, a virtualenv, acme.sh: where tools live
		}
		h := hit{id: m.ID, sev: m.Severity, conf: m.Confidence, fragment: redact(m.Fragment)}
		if !keepSeverity(m) {
			h.sev = lower(h.sev)
			if (m.ID == "download-exec" || m.ID == "download-chmod-exec") && reInstaller.MatchString(cmd) {
				// A vendor's documented installer: worth a look, no more.
				h.id, h.sev, h.conf = indInstaller, model.Low, model.ConfMedium
			}
		}
		out = append(out, h)
	}
	return out
}

// toolDotDirs are hidden directories where installers and language
// toolchains put programs; running one from there is not hiding.
var toolDotDirs = map[string]bool{
	".local": true, ".cargo": true, ".rustup": true, ".nvm": true, ".pyenv": true, ".rbenv": true,
	".rvm": true, ".nodenv": true, ".goenv": true, ".tfenv": true, ".jenv": true, ".asdf": true,
	".sdkman": true, ".bun": true, ".deno": true, ".volta": true, ".dotnet": true, ".krew": true,
	".linuxbrew": true, ".npm-global": true, ".yarn": true, ".composer": true, ".config": true,
	".venv": true, ".virtualenvs": true, ".acme.sh": true, ".poetry": true, ".git": true,
	".vscode-server": true, ".cursor-server": true, ".fly": true, ".pulumi": true, ".docker": true,
}

// toolDirOnly reports whether every hidden directory of the path in a
// cmdscan fragment is a tool directory.
func toolDirOnly(frag string) bool {
	i := strings.IndexByte(frag, '/')
	if i < 0 {
		return false
	}
	p := frag[i:]
	if j := strings.IndexAny(p, " \t;&|'\"`)"); j >= 0 {
		p = p[:j]
	}
	parts := strings.Split(p, "/")
	hidden := false
	for _, c := range parts[:len(parts)-1] {
		if len(c) > 1 && c[0] == '.' && c != ".." {
			if !toolDotDirs[c] {
				return false
			}
			hidden = true
		}
	}
	return hidden
}

func sqlHits(text string) []hit {
	var out []hit
	if m := reSQLOutfile.FindStringSubmatchIndex(text); m != nil {
		target := text[m[2]:m[3]]
		if reSQLWebshell.MatchString(target) || reSQLPayload.MatchString(text) {
			out = append(out, hit{indSQLFileWrite, model.High, model.ConfHigh, textclip.Trim(text[m[0]:], 160)})
		}
	}
	if loc := reSQLLogFile.FindStringIndex(text); loc != nil {
		out = append(out, hit{indSQLFileWrite, model.High, model.ConfHigh, textclip.Trim(text[loc[0]:loc[1]], 160)})
	}
	if loc := reSQLUDF.FindStringIndex(text); loc != nil {
		out = append(out, hit{indSQLUDF, model.High, model.ConfHigh, textclip.Trim(text[loc[0]:loc[1]], 160)})
	}
	if loc := reSQLProgram.FindStringIndex(text); loc != nil {
		out = append(out, hit{indSQLProgram, model.High, model.ConfMedium, textclip.Trim(text[loc[0]:loc[1]], 160)})
	}
	return out
}

func redisHits(text string) []hit {
	var out []hit
	if loc := reRedisDir.FindStringIndex(text); loc != nil {
		out = append(out, hit{indRedisWrite, model.High, model.ConfHigh, textclip.Trim(text[loc[0]:loc[1]], 160)})
	}
	if loc := reRedisModule.FindStringIndex(text); loc != nil {
		out = append(out, hit{indRedisModule, model.High, model.ConfMedium, textclip.Trim(text[loc[0]:loc[1]], 160)})
	}
	return out
}

// ruleFor maps an indicator to the history rule that reports it.
func ruleFor(id string) string {
	switch {
	case strings.HasPrefix(id, "reverse-shell."):
		return ruleReverseShell
	case id == "download-exec", id == "download-python", id == "download-chmod-exec", id == "download-to-writable", id == indInstaller:
		return ruleDownload
	case id == "miner":
		return ruleMiner
	case strings.HasPrefix(id, "anti-forensics."):
		return ruleAntiForensics
	case id == "account-change", id == "ssh-key-inject":
		return ruleAccount
	case strings.HasPrefix(id, "sql."), strings.HasPrefix(id, "redis."):
		return ruleDatabase
	case id == indSecret:
		return ruleCredential
	}
	return ruleSuspicious
}
