package procs

import (
	"path"
	"strconv"
	"strings"
)

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
