package logs

import (
	"bytes"
	"io/fs"
	"path"
	"strconv"
	"syscall"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// FormatShellRC is the shells' start-up files (/etc/profile, ~/.bashrc
// ...), read for the lines that set how the shell keeps its history.
const FormatShellRC = "shellrc"

// ShellRCName is the Source name Discover gives the start-up files (one
// source for all of them).
const ShellRCName = "shell start-up files"

// shellRCSystem and shellRCHome are the start-up files Discover reads:
// system-wide, and in /root and every /home/* (bash, sh, zsh).
var (
	shellRCSystem = []string{"/etc/profile", "/etc/profile.d/*.sh", "/etc/bash.bashrc", "/etc/bashrc",
		"/etc/zsh/zshrc", "/etc/zsh/zshenv", "/etc/zsh/zprofile", "/etc/zshrc", "/etc/zshenv", "/etc/environment"}
	shellRCHome = []string{".bashrc", ".bash_profile", ".bash_login", ".profile", ".bash_logout",
		".zshrc", ".zshenv", ".zprofile", ".zlogin"}
)

// shellRCSource is the Source of every start-up file of the target (ok
// false when there is none).
func shellRCSource(t *target.Target) (Source, bool) {
	var globs []string
	globs = append(globs, shellRCSystem...)
	for _, home := range []string{"/root", "/home/*"} {
		for _, name := range shellRCHome {
			globs = append(globs, home+"/"+name)
		}
	}
	src := Source{Name: ShellRCName, Format: FormatShellRC}
	for _, g := range globs {
		for _, p := range t.Glob(g) {
			if st, err := t.Stat(p); err == nil && st.Mode().IsRegular() {
				src.Files = append(src.Files, File{Path: p, ModTime: st.ModTime(), Size: st.Size()})
			}
		}
	}
	return src, len(src.Files) > 0
}

// historyWords are what a start-up line must hold to be about history.
var historyWords = [][]byte{[]byte("HISTFILE"), []byte("HISTSIZE"), []byte("SAVEHIST"), []byte("history")}

// shellRCParser reads one start-up file: every line is parsed (comments
// and blank lines included); a line that names a history variable
// (HISTFILE, HISTSIZE, HISTFILESIZE, SAVEHIST) or the history option is a
// shell.rc.history event: Object and Fields command = the line (trimmed),
// Actor = the file's owner, Time = the file's modification time (the
// line is at least that old: Fields time_from = "mtime"). Whether the
// setting disables the history is for the rules to judge.
func shellRCParser(r *reader) error {
	owner := ""
	mtime := r.file.ModTime.UTC()
	if r.t != nil && r.file.Path != "-" {
		if st, err := r.t.Stat(r.file.Path); err == nil {
			owner = fileOwner(r, st)
			mtime = st.ModTime().UTC()
		}
	}
	return r.eachLine(FormatShellRC, func(r *reader, line []byte, ev *model.Event) (bool, bool) {
		l := bytes.TrimSpace(line)
		if len(l) == 0 || l[0] == '#' {
			return true, false
		}
		about := false
		for _, w := range historyWords {
			if bytes.Contains(l, w) {
				about = true
				break
			}
		}
		if !about {
			return true, false
		}
		cmd := textclip.Clip(string(l), rawLen)
		ev.Kind, ev.Actor, ev.Object, ev.Time = "shell.rc.history", owner, cmd, mtime
		ev.Fields = map[string]string{"command": cmd, "time_from": "mtime"}
		return true, true
	})
}

// fileOwner is the name of st's owner (from the target's /etc/passwd), or
// "#UID"; empty when the file system does not say.
func fileOwner(r *reader, st fs.FileInfo) string {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	uid := strconv.FormatUint(uint64(sys.Uid), 10)
	if name := passwdNames(r)[uid]; name != "" {
		return name
	}
	return "#" + uid
}

// historyDisabled returns the File of a history path that cannot keep a
// history: a symlink to /dev/null, or a device node in its place. Such a
// path is read as one history.disabled event (see historyParser).
func historyDisabled(t *target.Target, p string) (File, bool) {
	lst, err := t.Lstat(p)
	if err != nil {
		return File{}, false
	}
	how := ""
	switch {
	case lst.Mode()&fs.ModeSymlink != 0:
		dest, err := t.Readlink(p)
		if err != nil {
			return File{}, false
		}
		if !path.IsAbs(dest) {
			dest = path.Join(path.Dir(p), dest)
		}
		if path.Clean(dest) == "/dev/null" {
			how = "symlink to /dev/null"
		}
	case lst.Mode()&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		how = "device file"
	}
	if how == "" {
		return File{}, false
	}
	return File{Path: p, ModTime: lst.ModTime(), Disabled: how}, true
}

// disabledHistory emits the history.disabled event of a File that
// historyDisabled made: Object the path, Fields how; Time the link's
// modification time (when it was made), Actor its owner.
func disabledHistory(r *reader) error {
	r.cov.Lines++
	r.cov.Parsed++
	owner := ""
	if r.t != nil {
		if lst, err := r.t.Lstat(r.file.Path); err == nil {
			owner = fileOwner(r, lst)
		}
	}
	ev := &r.ev
	*ev = model.Event{Source: FormatHistory, File: r.file.Path, Host: r.opts.Host, Kind: "history.disabled",
		Actor: owner, Object: r.file.Path, Time: r.file.ModTime.UTC(),
		Fields: map[string]string{"how": r.file.Disabled, "time_from": "mtime"}}
	return r.emit(ev, []byte(r.file.Path+": "+r.file.Disabled))
}
