package staging

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/model"
)

// checkFile judges one regular file of a walked place.
func (r *run) checkFile(p string, st fs.FileInfo) {
	if st.Size() == 0 {
		return
	}
	if pkg := r.pk.Owner(p); pkg != "" && pkg != model.NoPackage {
		return // packaged files are judged by the integrity check
	}
	temp := places.Temporary(p)
	base := path.Base(p)
	ext := strings.ToLower(path.Ext(base))
	exec := st.Mode().Perm()&0o111 != 0
	cred := st.Size() <= maxCred && !notCredExt[ext] && (temp || ext == "" || credExt[ext] || credNameHint.MatchString(base)) &&
		(temp || !inTestDir(p)) && !r.homeTool(p)
	if !temp && !exec && !cred && programExt[ext] == "" {
		return
	}
	ff, cached := r.cachedFacts(p, st)
	if !cached || (cred && !ff.credRead) {
		n := headSmall
		if cred {
			n = headCred
		}
		r.read(p)
		head := r.head(p, n)
		if head == nil {
			return
		}
		ff, cached = &fileFacts{kind: programKind(head), credRead: cred}, false
		if cred && ff.kind == "" {
			ff.format, ff.count = CredentialFormat(head)
		}
	}
	r.cur = ff
	defer func() {
		r.keepFacts(p, st, ff, !cached)
		r.cur = nil
	}()
	kind := ff.kind
	if kind != "" {
		if what := programExt[ext]; what != "" {
			r.extension(p, st, kind, what)
		} else if exec || kind == indCompiled {
			r.executable(p, st, kind, exec)
		}
		return
	}
	if cred {
		r.credentials(p, st, ff.format, ff.count)
	}
}

// head reads the first n bytes of p (nil when it cannot be read).
func (r *run) head(p string, n int) []byte {
	f, err := r.t.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(n)))
	if err != nil || len(b) == 0 {
		return nil
	}
	return b
}

// programKind says whether b starts a program: an ELF file or a script.
func programKind(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x7fELF")):
		if len(b) >= 18 && (b[16] == 4 && b[17] == 0 || b[16] == 0 && b[17] == 4) {
			return "" // ET_CORE: a core dump, not a program
		}
		return indCompiled
	case bytes.HasPrefix(b, []byte("#!")) && len(b) > 2 && (b[2] == '/' || b[2] == ' '):
		return indScript
	}
	return ""
}

// extension reports a program named like an image, a document or a log.
func (r *run) extension(p string, st fs.FileInfo, kind, what string) {
	sev, conf := model.High, model.ConfHigh
	if kind == indScript && what == "text" && st.Mode().Perm()&0o111 == 0 && !places.Odd(p) {
		sev, conf = model.Low, model.ConfMedium // a script kept as notes
	} else if kind == indScript && what == "text" {
		sev = model.Medium
	}
	ev := r.fileEvidence(p, st)
	note := "staging.note.script-named"
	if kind == indCompiled {
		note = "staging.note.elf-named"
	}
	ev.Note = model.Msg(note, path.Ext(p))
	ev.Extra = map[string]string{"content": kindWord(kind), "named_as": what}
	r.emit(ruleMasqExt, p, ev, append([]string{indExtension, kind}, places.Of(p).Indicators()...), sev, conf)
}

func kindWord(kind string) string {
	if kind == indCompiled {
		return "ELF program"
	}
	return "script"
}

// executable grades a program in a staging place.
func (r *run) executable(p string, st fs.FileInfo, kind string, exec bool) {
	pl := places.Of(p)
	base := path.Base(p)
	ind := []string{kind}
	sev, conf := model.Low, model.ConfMedium
	extra := map[string]string{"content": kindWord(kind)}
	if !exec {
		extra["executable"] = "no"
	}
	if pl.Temporary && pl.Hidden != "" {
		sev = model.Medium
	}
	if pl.Masquerade != "" {
		sev = model.High
	}
	if library.MatchString(base) && pl.Masquerade == "" {
		return // a shared object or a kernel module: loaded, not run
	}
	if (daemonLike(base) || r.sbinName(base)) && !(pl.Temporary && nestedRoot.MatchString(p)) {
		sev, conf = model.High, model.ConfMedium
		ind = append(ind, indDaemonName)
	}
	// Outside temporary and hidden places (homes, /opt, /srv) only names
	// count: hashing every program there would cost much for little.
	if orig, ok := r.copyOf(p, st, pl); ok && (path.Base(orig) != base || pl.Hidden != "") {
		sev, conf = model.High, model.ConfHigh
		ind = append(ind, indSystemCopy)
		extra["copy_of"] = orig
	}
	if !pl.Temporary && sev < model.High {
		return // homes, /opt, /srv: only programs passing for system ones
	}
	ev := r.fileEvidence(p, st)
	ev.SHA256 = r.sha256(p)
	ev.Extra = extra
	r.emit(ruleExecutable, p, ev, append(ind, pl.Indicators()...), sev, conf)
}

func (r *run) copyOf(p string, st fs.FileInfo, pl places.Place) (string, bool) {
	if !pl.Odd() {
		return "", false
	}
	return r.systemCopy(p, st)
}

// sbinName reports whether a packaged system program in an sbin directory
// has this name (a daemon's name on this system).
func (r *run) sbinName(name string) bool {
	if !r.pk.Known() || strings.ContainsAny(name, "/") {
		return false
	}
	for _, d := range []string{"/usr/sbin/", "/sbin/"} {
		if o := r.pk.Owner(d + name); o != "" && o != model.NoPackage {
			return true
		}
	}
	return false
}

// credentials reports a copy of a credential store.
func (r *run) credentials(p string, st fs.FileInfo, format string, count int) {
	if debianBackups.MatchString(p) || path.Base(path.Dir(p)) == "etc" {
		return // Debian's daily copies; a chroot's or an image's own files
	}
	if format == "" {
		return
	}
	conf := model.ConfHigh
	if format == FormatPasswd || format == FormatShadow {
		conf = model.ConfMedium
	}
	ev := r.fileEvidence(p, st)
	ev.SHA256 = r.sha256(p)
	ev.Note = model.Msg("staging.note.credential", format, count)
	ev.Extra = map[string]string{"format": format, "entries": strconv.Itoa(count),
		"mode": fmt.Sprintf("%04o", st.Mode().Perm())}
	r.emit(ruleCredCopy, p, ev, append([]string{"credential-" + format}, places.Of(p).Indicators()...), model.High, conf)
}

// homeTool reports a path under a home's toolchain directory (~/.pyenv,
// ~/.cargo ...): what a toolchain ships is not a copy someone made.
func (r *run) homeTool(p string) bool {
	for _, h := range r.homes {
		if places.HomeTool(p, h) {
			return true
		}
	}
	return false
}

func (r *run) fileEvidence(p string, st fs.FileInfo) model.Evidence {
	mt := st.ModTime().UTC()
	return model.Evidence{Path: p, MTime: &mt, Package: r.pk.Owner(p)}
}

func (r *run) sha256(p string) string {
	sum, err := r.digest(p, "sha256")
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%x", sum)
}
