package staging

import (
	"io/fs"
	"strings"
)

// digestIndex maps the recorded digests of packaged system programs to
// their paths, per digest algorithm, built on first use.
type digestIndex struct {
	byAlgo map[string]map[string]string
}

// maxCopy bounds the files hashed to compare with system programs.
const maxCopy = 32 << 20

// systemProgramDirs are the directories whose packaged files a copy is
// compared with.
var systemProgramDirs = []string{"/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/libexec/", "/usr/lib/systemd/", "/lib/systemd/", "/usr/lib/openssh/"}

func (r *run) digests() *digestIndex {
	if r.sys != nil {
		return r.sys
	}
	r.sys = &digestIndex{byAlgo: map[string]map[string]string{}}
	if !r.pk.Known() {
		return r.sys
	}
	for f := range r.pk.DB.Files() {
		if f.Algo == "" || f.Conffile || !inSystemDirs(f.Path) {
			continue
		}
		m := r.sys.byAlgo[f.Algo]
		if m == nil {
			m = map[string]string{}
			r.sys.byAlgo[f.Algo] = m
		}
		m[string(f.Digest)] = f.Path
	}
	return r.sys
}

func inSystemDirs(p string) bool {
	for _, d := range systemProgramDirs {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// systemCopy returns the packaged system program p is a byte-for-byte copy
// of, by the digests the package database records.
func (r *run) systemCopy(p string, st fs.FileInfo) (string, bool) {
	if st.Size() > maxCopy {
		return "", false
	}
	idx := r.digests()
	for algo, m := range idx.byAlgo {
		sum, err := r.digest(p, algo)
		if err != nil {
			return "", false
		}
		if orig, ok := m[string(sum)]; ok && orig != p {
			return orig, true
		}
	}
	return "", false
}
