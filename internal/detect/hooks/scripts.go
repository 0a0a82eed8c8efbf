package hooks

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// scriptDir is a directory of hook scripts that some daemon runs as root.
type scriptDir struct {
	dir       string
	motd      bool // update-motd.d (else a network hook)
	when      string
	needExec  bool // run-parts and the dispatchers run executables only; dhclient sources
	recursive bool
}

var scriptDirs = []scriptDir{
	{dir: "/etc/update-motd.d", motd: true, when: "login", needExec: true},
	{dir: "/etc/NetworkManager/dispatcher.d", when: "event", needExec: true, recursive: true},
	{dir: "/usr/lib/NetworkManager/dispatcher.d", when: "event", needExec: true, recursive: true},
	{dir: "/etc/network/if-up.d", when: "event", needExec: true},
	{dir: "/etc/network/if-down.d", when: "event", needExec: true},
	{dir: "/etc/network/if-pre-up.d", when: "event", needExec: true},
	{dir: "/etc/network/if-post-down.d", when: "event", needExec: true},
	{dir: "/etc/ppp/ip-up.d", when: "event", needExec: true},
	{dir: "/etc/ppp/ip-down.d", when: "event", needExec: true},
	{dir: "/etc/ppp/ipv6-up.d", when: "event", needExec: true},
	{dir: "/etc/ppp/ipv6-down.d", when: "event", needExec: true},
	{dir: "/etc/dhcp/dhclient-enter-hooks.d", when: "event"},
	{dir: "/etc/dhcp/dhclient-exit-hooks.d", when: "event"},
	{dir: "/etc/networkd-dispatcher", when: "event", needExec: true, recursive: true},
}

// scriptFiles are single hook files.
var scriptFiles = []scriptDir{
	{dir: "/etc/ppp/ip-up.local", when: "event", needExec: true},
	{dir: "/etc/ppp/ip-down.local", when: "event", needExec: true},
	{dir: "/etc/dhcp/dhclient-enter-hooks", when: "event"},
	{dir: "/etc/dhcp/dhclient-exit-hooks", when: "event"},
}

// backupName reports names run-parts and the dispatchers skip.
func backupName(name string) bool {
	if strings.HasSuffix(name, "~") || strings.HasPrefix(name, ".") {
		return true
	}
	for _, s := range []string{".dpkg-old", ".dpkg-dist", ".dpkg-new", ".dpkg-tmp", ".dpkg-bak", ".ucf-old", ".ucf-dist", ".ucf-new", ".rpmsave", ".rpmnew", ".rpmorig", ".bak", ".swp", ".disabled", ".orig"} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

func (r *run) motd() {
	for _, sd := range scriptDirs {
		if sd.motd {
			r.scriptDir(sd, sd.dir, 0)
		}
	}
}

func (r *run) netScripts() {
	for _, sd := range scriptDirs {
		if !sd.motd {
			r.scriptDir(sd, sd.dir, 0)
		}
	}
	for _, sf := range scriptFiles {
		if _, err := r.t.Lstat(sf.dir); err == nil {
			r.hookScript(sf.dir, sf)
		}
	}
}

func (r *run) recordDir(p string, err error) { target.Record(r.env, p, err) }

func (r *run) scriptDir(sd scriptDir, dir string, depth int) {
	ents, err := r.t.ReadDir(dir)
	if err != nil {
		r.recordDir(dir, err)
		return
	}
	for _, e := range ents {
		p := path.Join(dir, e.Name())
		if backupName(e.Name()) {
			continue
		}
		if e.IsDir() {
			if sd.recursive && depth < 3 {
				r.scriptDir(sd, p, depth+1)
			}
			continue
		}
		r.hookScript(p, sd)
	}
}

// hookScript grades one hook script.
func (r *run) hookScript(p string, sd scriptDir) {
	st, err := r.t.Stat(p)
	if err != nil {
		r.recordDir(p, err)
		return
	}
	if !st.Mode().IsRegular() || (sd.needExec && st.Mode().Perm()&0o111 == 0) {
		return // not run
	}
	pkg, pristine := r.ownership(p)
	if pristine {
		return
	}
	b, ok := r.read(p)
	if !ok {
		return
	}
	cmdRule, unownedRule, unownedSev := ruleNetCommand, ruleNetUnowned, model.Medium
	if sd.motd {
		cmdRule, unownedRule = ruleMotdCommand, ruleMotdUnowned
	}
	base := model.Evidence{Path: p, Package: pkg, When: sd.when, MTime: mtime(st)}
	if isELF(b) {
		if pkg == model.NoPackage {
			ev := base
			ev.SHA256 = sha(b)
			ev.Note = model.Msg("hooks.note.elf")
			r.emit(unownedRule, p, ev, []string{indCompiled, indNotPackaged}, model.High, model.ConfMedium)
		}
		return
	}
	unowned := pkg == model.NoPackage
	flagged := false
	for _, l := range shscript.Lines(b) {
		var v cmdVerdict
		if unowned && !l.Heredoc {
			v = r.judgeCommand(l.Text, "", 0)
		} else {
			for _, h := range shscript.Scan([]byte(l.Text)) {
				for _, m := range h.Matches {
					v.raise(m.Severity, m.Confidence, m.ID)
				}
			}
		}
		if !v.suspicious {
			continue
		}
		flagged = true
		ev := base
		ev.Line, ev.Text = l.N, textclip.Trim(l.Raw, 400)
		r.emit(cmdRule, p, ev, v.ind, v.sev, v.conf)
	}
	if unowned && !flagged {
		ev := base
		ev.SHA256 = sha(b)
		ev.Text = firstCommand(b)
		r.emit(unownedRule, p, ev, []string{indNotPackaged}, unownedSev, model.ConfMedium)
	}
}

// firstCommand returns the first line that is not a comment, to show what
// the script does.
func firstCommand(b []byte) string {
	for _, l := range shscript.Lines(b) {
		if !l.Heredoc {
			return textclip.Trim(l.Raw, 400)
		}
	}
	return ""
}

func mtime(st fs.FileInfo) *time.Time {
	t := st.ModTime().UTC()
	return &t
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// ifaceVerbs are the /etc/network/interfaces options that run a shell
// command when the interface changes state.
var ifaceVerbs = map[string]bool{"up": true, "down": true, "pre-up": true, "post-up": true, "pre-down": true, "post-down": true}

// IfaceCommand is one command of an interfaces(5) file.
type IfaceCommand struct {
	Line          int
	Text          string
	Verb, Command string
}

// ParseInterfaces reads the commands of an /etc/network/interfaces file.
func ParseInterfaces(b []byte) []IfaceCommand {
	var out []IfaceCommand
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines) && i < 100000; i++ {
		start := i
		t := strings.TrimSuffix(lines[i], "\r")
		for strings.HasSuffix(t, "\\") && i+1 < len(lines) && i-start < 64 {
			i++
			t = strings.TrimSuffix(t, "\\") + " " + strings.TrimSuffix(lines[i], "\r")
		}
		t = strings.TrimSpace(t)
		if t == "" || t[0] == '#' {
			continue
		}
		verb, rest, _ := strings.Cut(t, " ")
		if !ifaceVerbs[verb] {
			verb, rest, _ = strings.Cut(t, "\t")
			if !ifaceVerbs[verb] {
				continue
			}
		}
		out = append(out, IfaceCommand{Line: start + 1, Text: t, Verb: verb, Command: strings.TrimSpace(rest)})
	}
	return out
}

func (r *run) interfaces() {
	files := append([]string{"/etc/network/interfaces"}, r.t.Glob("/etc/network/interfaces.d/*")...)
	for _, p := range files {
		pkg, pristine := r.ownership(p)
		if pristine {
			continue
		}
		b, ok := r.read(p)
		if !ok {
			continue
		}
		for _, c := range ParseInterfaces(b) {
			v := r.judgeCommand(c.Command, "", 0)
			if !v.suspicious {
				continue // ip route add ...: ordinary
			}
			ev := model.Evidence{Path: p, Line: c.Line, Text: textclip.Trim(c.Text, 400), Package: pkg, When: "event",
				Extra: map[string]string{"option": c.Verb, "command": c.Command}}
			r.emit(ruleNetCommand, p+" ("+c.Verb+")", ev, v.ind, v.sev, v.conf)
		}
	}
}
