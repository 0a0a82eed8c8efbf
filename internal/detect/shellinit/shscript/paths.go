package shscript

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/detect/cmdscan"
)

// writableDirs are directories any local user can write to: what runs or
// loads from there can be replaced by anyone.
var writableDirs = []string{"/tmp", "/var/tmp", "/dev/shm", "/run/shm", "/var/run/shm", "/dev/mqueue", "/run/lock", "/var/lock", "/var/crash"}

// InWritableDir reports whether the target path p lies in a directory that
// every local user can write to.
func InWritableDir(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	p = path.Clean(p)
	for _, d := range writableDirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// HiddenComponent returns the first path component that starts with a dot
// (".x" in /usr/lib/.x/y), ignoring "." and "..".
func HiddenComponent(p string) (string, bool) {
	for _, c := range strings.Split(p, "/") {
		if len(c) > 1 && c[0] == '.' && c != ".." {
			return c, true
		}
	}
	return "", false
}

// homeToolDirs are hidden directories in a home that language toolchains
// and package managers create and put on PATH or source from. A user's own
// rc file using them is ordinary.
var homeToolDirs = map[string]bool{
	".local": true, ".cargo": true, ".nvm": true, ".pyenv": true, ".rbenv": true,
	".nodenv": true, ".goenv": true, ".jenv": true, ".sdkman": true, ".asdf": true,
	".volta": true, ".bun": true, ".deno": true, ".yarn": true, ".npm-global": true,
	".npm": true, ".poetry": true, ".krew": true, ".dotnet": true, ".composer": true,
	".config": true, ".fzf": true, ".linuxbrew": true, ".nix-profile": true,
	".rvm": true, ".gem": true, ".pub-cache": true, ".tfenv": true, ".fnm": true,
	".rd": true, ".foundry": true, ".istioctl": true, ".kube": true, ".bash_it": true,
	".oh-my-zsh": true, ".zplug": true, ".zinit": true, ".bin": true, ".rye": true,
	".pixi": true, ".juliaup": true, ".ghcup": true, ".opam": true, ".elan": true,
	".wasmtime": true, ".wasmer": true, ".acme.sh": true, ".travis": true,
	".iterm2_shell_integration.bash": true, ".iterm2_shell_integration.zsh": true,
	".fig": true, ".docker": true, ".miniconda3": true, ".anaconda3": true,
	".conda": true, ".pulumi": true, ".serverless": true, ".tmux": true,
	".autojump": true, ".zoxide": true, ".atuin": true, ".starship": true,
	".bash_aliases": true, ".bash_functions": true, ".aliases": true, ".functions": true,
	".bash_completion": true, ".git-prompt.sh": true, ".git-completion.bash": true,
	".fzf.bash": true, ".fzf.zsh": true, ".env": true,
}

// HomeToolPath reports whether p is inside home under a well-known
// toolchain directory (~/.local/bin, ~/.cargo/bin, ~/.nvm/nvm.sh ...), or
// is a well-known dot file of the home itself.
func HomeToolPath(p, home string) bool {
	if home == "" || home == "/" {
		return false
	}
	rest, ok := strings.CutPrefix(path.Clean(p), strings.TrimSuffix(home, "/")+"/")
	if !ok {
		return false
	}
	first, _, _ := strings.Cut(rest, "/")
	return homeToolDirs[first]
}

// ExpandHome replaces $HOME, ${HOME} and a leading ~ with home. It leaves
// the string alone when home is "".
func ExpandHome(s, home string) string {
	if home == "" {
		return s
	}
	home = strings.TrimSuffix(home, "/")
	s = strings.ReplaceAll(s, "${HOME}", home)
	s = strings.ReplaceAll(s, "$HOME", home)
	if s == "~" {
		return home
	}
	if strings.HasPrefix(s, "~/") {
		s = home + s[1:]
	}
	return s
}

// Hit is one logical line of a script that cmdscan flags.
type Hit struct {
	Line    Line
	Matches []cmdscan.Match
}

// Scan grades every logical line of a script with cmdscan, here-document
// bodies included (a script may pipe them to a shell).
func Scan(src []byte) []Hit {
	var out []Hit
	for _, l := range Lines(src) {
		if ms := cmdscan.Scan(l.Text); len(ms) > 0 {
			out = append(out, Hit{Line: l, Matches: ms})
		}
	}
	return out
}
