package evidence

import (
	"bufio"
	"bytes"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/target"
)

// SectionPrograms holds copies of the programs and scripts persistence
// entries run (cron lines, systemd units' Exec lines, autostart entries,
// rc and shell start files), when not already collected in another
// section: what the entry would run is preserved, not only the entry.
const SectionPrograms = "programs"

// RunBy names a program a persistence entry runs, and the entry.
type RunBy struct {
	Program string `json:"program"` // the path named (before symlinks)
	Copied  string `json:"copied"`  // the path collected (symlinks resolved)
	Entry   string `json:"entry"`   // file:line of the entry
}

// maxPrograms bounds the programs copied; maxEntryFile the entry files read.
const (
	maxPrograms  = 500
	maxEntryFile = 1 << 20
)

// entrySource is a kind of persistence entry file and how its command
// lines are found.
type entrySource struct {
	pattern  string
	commands func(line string) string // the command of one line, "" for none
}

// cronCommand reads cron lines: times fields (5 for cron, or one
// @reboot-style word; 3 for anacron: period, delay, job id) then, in
// system crontabs, a user, then the command. Variable settings and
// comments have none.
func cronCommand(times int, system bool) func(string) string {
	return func(line string) string {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") || strings.Contains(f[0], "=") {
			return ""
		}
		skip := times
		if strings.HasPrefix(f[0], "@") && times == 5 {
			skip = 1
		}
		if system {
			skip++
		}
		if len(f) <= skip {
			return ""
		}
		return strings.Join(f[skip:], " ")
	}
}

// execCommand reads Exec*= lines of systemd units and desktop entries
// (systemd's prefixes -@:+! stripped).
func execCommand(line string) string {
	k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
	if !ok || !strings.HasPrefix(k, "Exec") && k != "TryExec" {
		return ""
	}
	return strings.TrimLeft(strings.TrimSpace(v), "-@:+!|")
}

// shellCommand takes a line of a shell start file as a command.
func shellCommand(line string) string {
	l := strings.TrimSpace(line)
	if l == "" || strings.HasPrefix(l, "#") {
		return ""
	}
	return l
}

var entrySources = []entrySource{
	{"/etc/crontab", cronCommand(5, true)},
	{"/etc/cron.d/*", cronCommand(5, true)},
	{"/var/spool/cron/crontabs/*", cronCommand(5, false)},
	{"/var/spool/cron/*", cronCommand(5, false)}, // rpm distributions: a file per user
	{"/etc/anacrontab", cronCommand(3, false)},
	{"/etc/systemd/system/*.service", execCommand},
	{"/etc/systemd/system/*/*.service", execCommand},
	{"/run/systemd/system/*.service", execCommand},
	{"/etc/systemd/user/*.service", execCommand},
	{"/etc/xdg/autostart/*.desktop", execCommand},
	{"/etc/rc.local", shellCommand},
	{"/etc/profile", shellCommand},
	{"/etc/profile.d/*.sh", shellCommand},
	{"/etc/bash.bashrc", shellCommand},
	{"/etc/environment", shellCommand},
}

// homeEntrySources are read in /root and every /home/* directory.
var homeEntrySources = []entrySource{
	{".bashrc", shellCommand}, {".bash_profile", shellCommand}, {".bash_login", shellCommand},
	{".profile", shellCommand}, {".zshrc", shellCommand}, {".zprofile", shellCommand},
	{".config/autostart/*.desktop", execCommand}, {".config/systemd/user/*.service", execCommand},
}

// persistencePrograms reads the target's persistence entries and returns
// the programs they run (absolute paths, through wrappers, shells and
// interpreters: grade/jobexec.Programs) with the entry naming each, at
// most maxPrograms, and the places that collect them.
func persistencePrograms(t *target.Target) ([]RunBy, []Place) {
	var runs []RunBy
	seen := map[string]bool{}
	read := func(file, home string, cmdOf func(string) string) {
		b, err := t.ReadFile(file, maxEntryFile)
		if err != nil || bytes.IndexByte(b, 0) >= 0 {
			return
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 64<<10), maxEntryFile)
		for n := 1; sc.Scan(); n++ {
			cmd := cmdOf(sc.Text())
			if cmd == "" {
				continue
			}
			for _, p := range jobexec.Programs(cmd, home) {
				if len(runs) >= maxPrograms || seen[p] || !path.IsAbs(p) {
					continue
				}
				seen[p] = true
				runs = append(runs, RunBy{Program: p, Entry: file + ":" + strconv.Itoa(n)})
			}
		}
	}
	for _, s := range entrySources {
		for _, f := range t.Glob(s.pattern) {
			read(f, "/root", s.commands)
		}
	}
	homes := append([]string{"/root"}, t.Glob("/home/*")...)
	for _, h := range homes {
		for _, s := range homeEntrySources {
			for _, f := range t.Glob(path.Join(h, s.pattern)) {
				read(f, h, s.commands)
			}
		}
	}
	var places []Place
	kept := runs[:0]
	for _, r := range runs {
		real, err := t.Resolve(r.Program)
		if err != nil {
			continue // names nothing on the target: nothing to copy
		}
		if fi, err := t.Stat(real); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		r.Copied = real
		kept = append(kept, r)
		if !slices.ContainsFunc(places, func(p Place) bool { return p.Pattern == real }) && !strings.ContainsAny(real, `*?[\`) {
			places = append(places, Place{Section: SectionPrograms, Pattern: real, MaxDepth: 1})
		}
	}
	return kept, places
}
