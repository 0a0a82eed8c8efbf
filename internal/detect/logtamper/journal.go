package logtamper

import (
	"path"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// journalFiles counts the journal files under /var/log/journal/*/.
func (r *run) journalFiles() int {
	n := 0
	for _, dir := range r.t.Glob("/var/log/journal/*") {
		if st, err := r.t.Lstat(dir); err != nil || !st.IsDir() {
			continue
		}
		ents, err := r.t.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".journal") || strings.HasSuffix(e.Name(), ".journal~") {
				n++
			}
		}
	}
	return n
}

// journal flags journald told to keep nothing, and a persistent journal
// directory whose files are gone.
func (r *run) journal() {
	storage, where, line := r.journaldStorage()
	if strings.EqualFold(storage, "none") {
		r.emit(ruleJournalOff, where, model.Evidence{Line: line, Text: "Storage=" + storage}, model.Medium, model.ConfMedium)
	}
	st, err := r.t.Lstat("/var/log/journal")
	if err != nil || !st.IsDir() || r.journalFiles() > 0 {
		return
	}
	var machineDirs []string
	for _, d := range r.t.Glob("/var/log/journal/*") {
		if fi, err := r.t.Lstat(d); err == nil && fi.IsDir() && len(path.Base(d)) == 32 {
			machineDirs = append(machineDirs, d)
		}
	}
	if len(machineDirs) == 0 {
		return // journald never flushed here: not evidence of deletion
	}
	if r.judgeWiped(machineDirs[0], model.Msg("logtamper.note.journal-empty", machineDirs[0]), time.Time{}) {
		return
	}
	by, ok := r.bootedOtherThan("/var/log/journal")
	if !ok {
		return
	}
	r.emit(ruleJournalGone, machineDirs[0], model.Evidence{
		Note:  model.Msg("logs.note.journal-empty", machineDirs[0]),
		Extra: map[string]string{"system_ran": by},
	}, model.Medium, model.ConfMedium)
}

// journaldStorage returns journald's effective Storage= setting and where
// it is set: the main file, then drop-ins in name order (later wins).
func (r *run) journaldStorage() (value, file string, line int) {
	files := []string{"/etc/systemd/journald.conf"}
	var dropins []string
	seen := map[string]bool{}
	for _, dir := range []string{"/etc/systemd/journald.conf.d", "/run/systemd/journald.conf.d", "/usr/lib/systemd/journald.conf.d"} {
		for _, f := range r.t.Glob(dir + "/*.conf") {
			if !seen[path.Base(f)] { // /etc masks /run masks /usr/lib
				seen[path.Base(f)] = true
				dropins = append(dropins, f)
			}
		}
	}
	sortByBase(dropins)
	files = append(files, dropins...)
	for _, f := range files {
		b, ok := r.t.ReadFileRec(r.env, f, textReadLimit)
		if !ok {
			continue
		}
		section := ""
		for i, l := range strings.Split(string(b), "\n") {
			l = strings.TrimSpace(l)
			if l == "" || l[0] == '#' || l[0] == ';' {
				continue
			}
			if strings.HasPrefix(l, "[") {
				section = l
				continue
			}
			k, v, ok := strings.Cut(l, "=")
			if ok && section == "[Journal]" && strings.TrimSpace(k) == "Storage" {
				value, file, line = strings.TrimSpace(v), f, i+1
			}
		}
	}
	return value, file, line
}

func sortByBase(list []string) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && path.Base(list[j]) < path.Base(list[j-1]); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}
