package procs

import (
	"path"
	"strconv"
	"strings"
)

// writableDirs are directories every local user can write to: a program
// run from there was dropped by someone, not installed.
var writableDirs = []string{"/tmp/", "/var/tmp/", "/dev/shm/", "/run/shm/", "/var/run/shm/", "/dev/mqueue/", "/run/lock/", "/var/lock/"}

// Writable reports whether target path p lies in a world-writable directory.
func Writable(p string) bool {
	for _, d := range writableDirs {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// toolDirs are dot-directories where well-known developer tools and
// language managers install the programs they run (VS Code's remote server,
// rustup, nvm, pyenv ...): hidden by convention, not to hide.
var toolDirs = map[string]bool{
	".vscode-server": true, ".vscode-server-insiders": true, ".cursor-server": true, ".windsurf-server": true,
	".vscode-remote": true, ".local": true, ".cargo": true, ".rustup": true, ".nvm": true, ".pyenv": true,
	".rbenv": true, ".sdkman": true, ".bun": true, ".deno": true, ".npm": true, ".volta": true, ".asdf": true,
	".goenv": true, ".jenv": true, ".conda": true, ".gradle": true, ".m2": true, ".linuxbrew": true, ".fnm": true,
	".nodenv": true, ".plenv": true, ".phpenv": true, ".juliaup": true, ".julia": true, ".ghcup": true,
	".cabal": true, ".opam": true, ".elan": true, ".wasmtime": true, ".dotnet": true, ".krew": true, ".pulumi": true,
	".tfenv": true, ".venv": true, ".virtualenvs": true, ".tox": true, ".nix-profile": true, ".guix-profile": true,
}

// HiddenDir returns the first hidden (dot) directory component of p that
// is not a well-known tool directory, or "".
func HiddenDir(p string) string {
	parts := strings.Split(strings.Trim(path.Dir(p), "/"), "/")
	for i, c := range parts {
		if len(c) < 2 || c[0] != '.' || c == ".." || toolDirs[c] {
			continue
		}
		// JetBrains' remote development backend unpacks under ~/.cache.
		if c == ".cache" && i+1 < len(parts) && parts[i+1] == "JetBrains" {
			continue
		}
		return c
	}
	return ""
}

// OddPlace reports whether a program at p was dropped rather than
// installed: a world-writable directory or a hidden one.
func OddPlace(p string) bool { return p != "" && (Writable(p) || HiddenDir(p) != "") }

// interpreters run a script named by their first non-option argument.
var interpreters = map[string]bool{
	"sh": true, "bash": true, "dash": true, "zsh": true, "ksh": true, "ash": true, "busybox": true,
	"perl": true, "ruby": true, "php": true, "node": true, "nodejs": true, "lua": true, "tclsh": true,
}

// Interpreter reports whether the program named base (a file name) runs
// scripts: shells, perl, python, ruby, php, node ...
func Interpreter(base string) bool {
	if interpreters[base] {
		return true
	}
	for _, p := range []string{"python", "perl5", "php", "lua", "ruby"} {
		if strings.HasPrefix(base, p) && strings.Trim(base[len(p):], "0123456789.") == "" {
			return true
		}
	}
	return false
}

// Script returns the script an interpreter process runs: its first
// argument that is not an option, when the interpreter was not given code
// inline (-c, -e). It returns "" for other programs.
func Script(exe string, argv []string) string {
	if len(argv) < 2 || !Interpreter(path.Base(exe)) {
		return ""
	}
	for _, a := range argv[1:] {
		switch {
		case a == "-c", a == "-e", a == "-r", a == "-E", a == "-m":
			return "" // inline code or a module, graded as a command line
		case strings.HasPrefix(a, "-"):
			continue
		default:
			return a
		}
	}
	return ""
}

// ResolveIn returns p made absolute against dir (a process's cwd).
func ResolveIn(dir, p string) string {
	if p == "" || strings.HasPrefix(p, "/") || dir == "" {
		return p
	}
	return path.Join(dir, p)
}

// ExePath is where the process's executable can be looked at from the
// host: its own path, or through /proc/PID/root for a process in a
// container (whose paths are relative to the container's root).
func ExePath(p *Process) string {
	if p.Container != "" {
		return "/proc/" + strconv.Itoa(p.PID) + "/root" + p.Exe
	}
	return p.Exe
}
