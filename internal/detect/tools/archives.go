package tools

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
)

// archiveExts are archive and dump suffixes, longest first.
var archiveExts = []string{".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".sql.gz", ".tgz", ".tbz2", ".txz", ".tar", ".zip", ".7z", ".rar", ".sql"}

// dataWords in an archive's name say what it holds: a database, a site,
// a home or system configuration.
var dataWords = map[string]bool{
	"db": true, "database": true, "backup": true, "backups": true, "bak": true, "dump": true, "mysqldump": true,
	"www": true, "wwwroot": true, "web": true, "site": true, "html": true, "htdocs": true, "sql": true, "mysql": true,
	"pgsql": true, "postgres": true, "passwd": true, "shadow": true, "home": true, "root": true, "etc": true, "ssh": true,
	"keys": true, "config": true,
}

func archiveExt(name string) string {
	lower := strings.ToLower(name)
	for _, e := range archiveExts {
		if strings.HasSuffix(lower, e) && len(lower) > len(e) {
			return e
		}
	}
	return ""
}

// archive reports an archive staged for exfiltration: big, or named after
// the data it holds.
func (r *run) archive(p string, st fs.FileInfo, pkg string) {
	base := path.Base(p)
	e := archiveExt(base)
	if e == "" {
		return
	}
	var words []string
	stem := strings.ToLower(strings.TrimSuffix(base, base[len(base)-len(e):]))
	for _, w := range strings.FieldsFunc(stem, func(c rune) bool { return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') }) {
		if dataWords[w] {
			words = append(words, w)
		}
	}
	big := st.Size() > archiveMinBig
	if !big && len(words) == 0 {
		return
	}
	conf := model.ConfMedium
	if len(words) == 0 {
		conf = model.ConfLow
	}
	mt := st.ModTime().UTC()
	ev := model.Evidence{Path: p, MTime: &mt, Package: pkg, Text: fmt.Sprintf("%s, %d MiB", base, st.Size()>>20),
		Extra: map[string]string{"size": fmt.Sprint(st.Size())}}
	if len(words) > 0 {
		ev.Extra["named_for"] = strings.Join(words, " ")
	}
	if !places.Temporary(p) {
		ev.Extra["in_web_root"] = "yes: downloadable by anyone who guesses the name"
	}
	f := model.Finding{RuleID: ruleArchive, Subject: p, Evidence: ev, Key: p}
	r.env.Emit(f.WithSeverity(model.Medium).WithConfidence(conf))
}
