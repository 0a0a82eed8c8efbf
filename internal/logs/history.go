package logs

import (
	"path"
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/logs/shellhist"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// FormatHistory is a shell or REPL history file (~/.bash_history ...).
const FormatHistory = "history"

// historyLimit bounds the bytes of one history file read (its newest part).
const historyLimit = 32 << 20

// historyNames are the history files of a home and their encodings.
var historyNames = map[string]shellhist.Format{
	".bash_history": shellhist.Bash, ".zsh_history": shellhist.Zsh, ".zhistory": shellhist.Zsh,
	".sh_history": shellhist.Plain, ".ash_history": shellhist.Plain, "fish_history": shellhist.Fish,
	".mysql_history": shellhist.Editline, ".mariadb_history": shellhist.Editline, ".psql_history": shellhist.Editline,
	".python_history": shellhist.Plain, ".node_repl_history": shellhist.Plain, ".rediscli_history": shellhist.Plain,
}

// historyPlaces are where Discover looks for history files.
func historyPlaces() []place {
	names := make([]string, 0, len(historyNames))
	for name := range historyNames {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []place
	for _, home := range []string{"/root", "/home/*"} {
		for _, name := range names {
			p := home + "/" + name
			if name == "fish_history" {
				p = home + "/.local/share/fish/fish_history"
			}
			out = append(out, place{p, FormatHistory})
		}
	}
	return out
}

// historyParser reads one history file: one history.command event per
// command, Actor the file's owner, Object the command.
func historyParser(r *reader) error {
	if r.t == nil || r.file.Path == "-" {
		return nil
	}
	if r.file.Disabled != "" {
		return disabledHistory(r)
	}
	enc, ok := historyNames[path.Base(r.file.Path)]
	if !ok {
		enc = shellhist.Plain
	}
	f, st, ok := r.openFile()
	if !ok {
		return nil
	}
	defer f.Close()
	off := max(st.Size()-historyLimit, 0)
	b := make([]byte, st.Size()-off)
	n, err := f.ReadAt(b, off)
	if err != nil && n < len(b) {
		r.readErr(err, 1)
	}
	b = b[:n]
	if off > 0 {
		// Start at a whole line; line numbers count from the part read.
		if i := strings.IndexByte(string(b[:min(len(b), 1<<16)]), '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	owner := fileOwner(r, st)
	shell := strings.TrimPrefix(strings.TrimSuffix(path.Base(r.file.Path), "_history"), ".")
	for _, e := range shellhist.Read(enc, b, 0) {
		r.cov.Lines++
		r.cov.Parsed++
		ev := &r.ev
		*ev = model.Event{Source: FormatHistory, File: r.file.Path, Line: e.Line, Host: r.opts.Host,
			Kind: "history.command", Actor: owner, Object: textclip.Clip(e.Text, rawLen),
			Fields: map[string]string{"shell": shell, "command": textclip.Clip(e.Text, rawLen)}}
		ev.Time = e.When.UTC()
		if e.When.IsZero() {
			ev.Time = st.ModTime().UTC()
			ev.Fields["time_from"] = "mtime"
		}
		if err := r.emit(ev, []byte(e.Text)); err != nil {
			return err
		}
	}
	return nil
}
