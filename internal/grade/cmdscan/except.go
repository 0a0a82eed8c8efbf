package cmdscan

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// Exceptions: what an expression matches but is ordinary. Each ok function
// looks at one match; Scan tries the next match of the same expression when
// it says no, so an ordinary eval does not hide a hostile one on the same
// line.

// ---- eval "$(tool ...)" ----

// evalTools print shell code meant to be evaluated by the shell that runs
// them: start-up files and maintainer scripts eval their output by design.
var evalTools = map[string]bool{
	// rc files
	"lesspipe": true, "lesspipe.sh": true, "dircolors": true, "ssh-agent": true, "gpg-agent": true,
	"keychain": true, "pyenv": true, "rbenv": true, "nodenv": true, "goenv": true, "jenv": true,
	"plenv": true, "direnv": true, "starship": true, "zoxide": true, "thefuck": true, "brew": true,
	"conda": true, "micromamba": true, "mamba": true, "fzf": true, "opam": true, "mise": true,
	"rtx": true, "fnm": true, "luarocks": true, "oh-my-posh": true, "atuin": true, "mcfly": true,
	"hub": true, "scmpuff": true, "resize": true, "dbus-launch": true, "gnome-keyring-daemon": true,
	"register-python-argcomplete": true, "register-python-argcomplete3": true,
	"command-not-found": true,
	// Debian maintainer scripts and cron.daily
	"apt-config": true, "dpkg-architecture": true, "dpkg-buildflags": true, "locale": true,
}

// evalCompletionWords are subcommands that print a completion script
// (kubectl completion bash, rustup completions bash, uv
// generate-shell-completion bash).
var evalCompletionWords = map[string]bool{
	"completion": true, "completions": true, "generate-shell-completion": true, "shell-completion": true,
	"--completion": true, "--completions": true,
}

// notEvalTools fetch, decode or run a payload: their output is never a
// tool's own shell set-up, whatever their arguments.
var notEvalTools = map[string]bool{
	"curl": true, "wget": true, "fetch": true, "nc": true, "ncat": true, "netcat": true, "socat": true,
	"openssl": true, "echo": true, "printf": true, "cat": true, "base64": true, "base32": true,
	"xxd": true, "rev": true, "tr": true, "sed": true, "awk": true, "gzip": true, "zcat": true,
	"gunzip": true, "python": true, "python2": true, "python3": true, "perl": true, "php": true,
	"ruby": true, "node": true, "nodejs": true, "bash": true, "sh": true, "dash": true, "zsh": true,
	"ksh": true, "busybox": true, "eval": true, "exec": true, "env": true, "dig": true, "host": true,
	"nslookup": true,
}

// reClickComplete is the environment variable click-based tools read to
// print their completion (_PIPENV_COMPLETE=bash_source pipenv).
var reClickComplete = lazyre.New(`^_[A-Z0-9_]+_COMPLETE=`)

var reAssign = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*=`)

// okEval reports whether eval $(...) at m runs something other than a
// known tool's shell set-up.
func okEval(text string, m []int) bool {
	rest := text[m[1]:]
	closer := byte(')')
	if text[m[1]-1] == '`' {
		closer = '`'
	}
	end := strings.IndexByte(rest, closer)
	if end < 0 {
		return true
	}
	words, ok := simpleCommand(rest[:end])
	if !ok || len(words) == 0 {
		return true
	}
	click := false
	for len(words) > 0 && reAssign.MatchString(words[0]) {
		click = click || reClickComplete.MatchString(words[0])
		words = words[1:]
	}
	if len(words) == 0 {
		return true
	}
	prog := unquote(words[0])
	if inWritable(prog) {
		return true
	}
	name := path.Base(prog)
	switch {
	case evalTools[name]:
		return false
	case name == "perl" && len(words) > 1 && hasPrefixWord(words[1:], "-Mlocal::lib"):
		return false // local::lib prints its environment
	case notEvalTools[name] || strings.HasPrefix(name, "python"):
		return true
	case click:
		return false
	}
	for _, w := range words[1:] {
		if evalCompletionWords[unquote(w)] {
			return false
		}
	}
	return true
}

func hasPrefixWord(words []string, prefix string) bool {
	for _, w := range words {
		if strings.HasPrefix(unquote(w), prefix) {
			return true
		}
	}
	return false
}

// simpleCommand splits s into words when it is one simple command: no
// pipe, list, substitution or redirection other than to /dev/null or
// between descriptors.
func simpleCommand(s string) ([]string, bool) {
	fields := strings.Fields(s)
	var out []string
	for i := 0; i < len(fields); i++ {
		w := fields[i]
		switch {
		case reDiscard.MatchString(w):
			continue
		case reRedirect.MatchString(w) && i+1 < len(fields) && fields[i+1] == "/dev/null":
			i++
			continue
		}
		if strings.ContainsAny(w, "|;&<>`") || strings.Contains(w, "$(") {
			return nil, false
		}
		out = append(out, w)
	}
	return out, true
}

var (
	reDiscard  = lazyre.New(`^(?:[0-9]?>>?/dev/null|&>>?/dev/null|[0-9]?>&[0-9]-?)$`)
	reRedirect = lazyre.New(`^(?:[0-9]?>>?|&>>?)$`)
)

var unquoter = strings.NewReplacer(`"`, "", `'`, "")

func unquote(s string) string { return unquoter.Replace(s) }

func inWritable(p string) bool {
	return strings.Contains(p, "/tmp/") || strings.Contains(p, "/shm/") || strings.Contains(p, "/dev/mqueue/")
}

// ---- hidden paths ----

// N is one path component that does not hide (does not start with a dot).
const nc = `[^/.][^/]*`

// toolLayouts are how toolchains and package managers lay out programs
// under their own hidden directory, from that directory on. A hidden
// directory is ordinary only when the path goes on this way: ~/.local/bin/x
// is, ~/.local/share/.x/run and ~/.config/.cache/kworker are not.
var toolLayouts = lazyre.New(`^(?:` + strings.Join([]string{
	`\.local/bin/` + nc,
	`\.local/(?:share/)?pipx/venvs/` + nc + `/bin/` + nc,
	`\.local/share/virtualenvs/` + nc + `/bin/` + nc, // pipenv
	`\.local/share/(?:pnpm|fnm|mise|rtx)(?:/` + nc + `)+`,
	`\.local/state/fnm_multishells/` + nc + `/bin/` + nc,
	`\.cargo/(?:bin/` + nc + `|env)`,
	`\.rustup/toolchains/` + nc + `/bin/` + nc,
	`\.acme\.sh/acme\.sh`,
	`\.nvm/nvm-exec`,
	`\.nvm/versions/(?:node|io\.js)(?:/` + nc + `)+`,
	`\.(?:pyenv|rbenv|nodenv|goenv|jenv|plenv|phpenv|tfenv)/(?:bin|shims)/` + nc,
	`\.(?:pyenv|rbenv|nodenv|goenv|jenv|plenv|phpenv|tfenv)/versions(?:/` + nc + `)+`,
	`\.sdkman/candidates/` + nc + `/` + nc + `/bin/` + nc,
	`\.venv/bin/` + nc,
	`\.(?:virtualenvs|tox|nox)/` + nc + `/bin/` + nc,
	`\.cache/pypoetry/virtualenvs/` + nc + `/bin/` + nc,
	`\.poetry/bin/` + nc,
	`\.dotnet/(?:dotnet|tools/` + nc + `)`,
	`\.pm2/modules(?:/` + nc + `)+`,
	`\.(?:bun|deno|volta|krew|npm-global|yarn|fly|pixi|foundry|juliaup|ghcup|elan|wasmtime|wasmer|pulumi|nix-profile|fzf|istioctl|serverless)/bin/` + nc,
	`\.volta/tools/image(?:/` + nc + `)+`,
	`\.fzf/install`,
	`\.linuxbrew/s?bin/` + nc,
	`\.(?:config/)?composer/vendor/bin/` + nc,
	`\.config/yarn/global/node_modules/\.bin/` + nc,
	`\.rvm/(?:bin|rubies|gems|wrappers)(?:/` + nc + `)+`,
	`\.gem/ruby/` + nc + `/bin/` + nc,
	`\.asdf/(?:bin|shims)/` + nc,
	`\.asdf/installs(?:/` + nc + `)+`,
	`\.rye/shims/` + nc,
	`\.opam/` + nc + `/bin/` + nc,
	`\.docker/cli-plugins/` + nc,
	`\.(?:miniconda3|anaconda3|miniforge3|mambaforge|conda)/(?:bin|condabin)/` + nc,
	`\.(?:miniconda3|anaconda3|miniforge3|mambaforge|conda)/envs/` + nc + `/bin/` + nc,
	`\.(?:vscode-server|vscode-server-insiders|cursor-server)/(?:bin|cli/servers)(?:/` + nc + `)+`,
}, "|") + `)$`)

// systemTop are top directories where no toolchain puts a hidden directory
// of its own.
var systemTop = map[string]bool{
	"usr": true, "lib": true, "lib32": true, "lib64": true, "libx32": true, "bin": true, "sbin": true,
	"etc": true, "boot": true, "dev": true, "proc": true, "sys": true, "tmp": true, "run": true, "home": true,
}

// systemVar are directories under /var where the same holds.
var systemVar = map[string]bool{
	"tmp": true, "run": true, "lock": true, "log": true, "cache": true, "spool": true, "crash": true, "mail": true,
	"lib": true, "www": true, "backups": true, "opt": true, "local": true,
}

// okHiddenPath reports whether the path in submatch 1 runs something from
// a hidden place. A path whose first hidden component is in a system or
// world-writable directory always does (/usr/lib/.sshd, /tmp/.x/y). In a
// home or a project directory, a hidden directory is ordinary when the path
// goes on the way a toolchain lays out its files (~/.cargo/bin/x,
// /opt/app/.venv/bin/python) or is one of its directories (PATH entries
// such as ~/.local/bin); a hidden file or directory named on its own
// there (~/.nvm, $HOME/.kshrc, /srv/app/.env: values that name
// configuration) is not a program from a hidden place; anything else is, a
// hidden component inside a hidden directory above all
// (~/.config/.cache/kworker).
func okHiddenPath(text string, m []int) bool {
	p := unquote(text[m[2]:m[3]])
	home := false
	switch {
	case strings.HasPrefix(p, "~"):
		home = true
		p = p[strings.IndexByte(p+"/", '/'):]
	case strings.HasPrefix(p, "${HOME}"):
		home, p = true, p[len("${HOME}"):]
	case strings.HasPrefix(p, "$HOME"):
		home, p = true, p[len("$HOME"):]
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	var hidden []int
	for i, c := range parts {
		if isHidden(c) {
			hidden = append(hidden, i)
		}
	}
	if len(hidden) == 0 {
		return false // only ., .. and the like
	}
	first := hidden[0]
	if !home && !toolParent(parts[:first]) {
		return true
	}
	rest := strings.Join(parts[first:], "/")
	switch {
	case toolLayouts.MatchString(rest), toolLayouts.MatchString(rest + "/x"):
		return false
	case len(hidden) > 1:
		return true
	}
	return first < len(parts)-1
}

// isHidden reports whether a path component hides: it starts with a dot
// and is not . or .. (... is hidden) nor a glob or a regular expression.
func isHidden(c string) bool {
	return len(c) > 1 && c[0] == '.' && c != ".." && !strings.ContainsRune("*?[]{}$\\", rune(c[1]))
}

// toolParent reports whether a directory (its components) can hold a
// toolchain's or a project's hidden directory: a home, a project
// directory, not a system directory.
func toolParent(dir []string) bool {
	for _, c := range dir {
		if c == "" || c == "." || c == ".." {
			return false // //x, /a/./b: not how a home is written
		}
	}
	switch {
	case len(dir) == 0:
		return false
	case systemTop[dir[0]]:
		return dir[0] == "home" && len(dir) >= 2
	case dir[0] == "var":
		return len(dir) >= 3 || (len(dir) == 2 && !systemVar[dir[1]])
	}
	return true
}

// ---- account tools ----

type accountGrade int

const (
	accountSilent accountGrade = iota // ordinary: own password, status
	accountLock                       // containment: lock, expire, nologin
	accountChange                     // creates, changes or unlocks
)

func okAccountChange(text string, m []int) bool { return gradeAccount(text, m) == accountChange }
func okAccountLock(text string, m []int) bool   { return gradeAccount(text, m) == accountLock }

// gradeAccount grades the account tool of accountCmd at m from its
// arguments.
func gradeAccount(text string, m []int) accountGrade {
	tool := text[m[2]:m[3]]
	rest := text[m[1]:]
	if i := strings.IndexAny(rest, ";&|\n)`#"); i >= 0 {
		rest = rest[:i]
	}
	args := strings.Fields(rest)
	sudo := strings.HasPrefix(text[m[0]:m[2]], "sudo")
	switch tool {
	case "passwd":
		return gradePasswd(args, sudo)
	case "usermod":
		return gradeUsermod(args)
	}
	return accountChange
}

// gradePasswd: passwd alone changes one's own password; -S shows status;
// -l and -e lock and expire. Anything else (another user's password, -d,
// -u, ageing) is a change.
func gradePasswd(args []string, sudo bool) accountGrade {
	lock, status, users := false, false, 0
	for _, a := range args {
		switch {
		case isRedirect(a):
		case a == "--lock" || a == "--expire":
			lock = true
		case a == "--status" || a == "--all" || a == "--help":
			status = true
		case strings.HasPrefix(a, "--"):
			return accountChange
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for _, c := range a[1:] {
				switch c {
				case 'l', 'e':
					lock = true
				case 'S', 'a', 'h':
					status = true
				default:
					return accountChange
				}
			}
		default:
			users++
		}
	}
	switch {
	case lock:
		return accountLock
	case status:
		return accountSilent // passwd -S [user]
	case users > 0 || sudo:
		return accountChange // someone else's password, or root's
	}
	return accountSilent // one's own password
}

var nologinShells = map[string]bool{
	"/sbin/nologin": true, "/usr/sbin/nologin": true, "/bin/false": true, "/usr/bin/false": true,
}

// gradeUsermod: usermod -L, -e DATE and -s nologin lock an account out;
// every other option changes it.
func gradeUsermod(args []string) accountGrade {
	lock := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		val := ""
		opt := a
		switch {
		case isRedirect(a) || !strings.HasPrefix(a, "-"):
			continue
		case a == "-L" || a == "--lock":
			lock = true
			continue
		case strings.HasPrefix(a, "--") && strings.Contains(a, "="):
			opt, val, _ = strings.Cut(a, "=")
		case len(a) > 2 && !strings.HasPrefix(a, "--"):
			opt, val = a[:2], a[2:]
		case i+1 < len(args):
			val = args[i+1]
			i++
		}
		val = unquote(val)
		switch opt {
		case "-e", "--expiredate":
			if val == "" || val == "-1" {
				return accountChange // clears the expiry
			}
			lock = true
		case "-s", "--shell":
			if !nologinShells[val] {
				return accountChange
			}
			lock = true
		default:
			return accountChange
		}
	}
	if lock {
		return accountLock
	}
	return accountChange
}

func isRedirect(a string) bool {
	return strings.HasPrefix(a, ">") || strings.HasPrefix(a, "<") || strings.HasPrefix(a, "2>") || strings.HasPrefix(a, "&>") || a == "/dev/null"
}

// ---- download, then run ----

// okRunDownloaded reports whether the script a shell or an interpreter
// runs after a download (submatch 3) is the file downloaded: its name
// appears in the download command (submatch 1), and the shell is not given
// a command string instead (-c).
func okRunDownloaded(text string, m []int) bool {
	for _, o := range strings.Fields(text[m[4]:m[5]]) {
		if !strings.HasPrefix(o, "--") && strings.ContainsAny(o, "cCeEmr") {
			return false // sh -c '...', perl -e '...', python -m mod
		}
	}
	script := path.Base(unquote(text[m[6]:m[7]]))
	if len(script) < 2 || script == ".." || strings.HasPrefix(script, "-") {
		return false
	}
	return containsName(text[m[2]:m[3]], script)
}

// containsName reports whether name appears in s as a file name: at the
// end of a path or URL path, or as a word.
func containsName(s, name string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], name)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(name)
		before := j == 0 || strings.IndexByte(" \t/\"'=", s[j-1]) >= 0
		after := end == len(s) || strings.IndexByte(" \t\"'?#", s[end]) >= 0
		if before && after {
			return true
		}
		i = j + 1
	}
}
