package pkgdb

import (
	"bytes"
	"encoding/base64"
	"path"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// apkInstalled are the places of apk's installed database (usr-merged
// Alpine moved it under /usr).
var apkInstalled = []string{"/lib/apk/db/installed", "/usr/lib/apk/db/installed"}

// ApkFile is one file or directory of an apk package.
type ApkFile struct {
	Path string
	Algo string // "sha1" (Q1), "sha256" (Q2) or "" (directories)
	Sum  []byte
}

// ApkPackage is one stanza of the apk installed database.
type ApkPackage struct {
	Name, Version, Arch string
	Origin              string // the source package (o:), which Alpine's advisories name
	Files               []ApkFile
}

// ParseApk parses /lib/apk/db/installed. Lines it does not understand
// (malformed checksums, R: before any F:) are counted in bad and skipped.
func ParseApk(b []byte) (pkgs []ApkPackage, bad int) {
	var cur ApkPackage
	dir := ""
	last := -1 // index in cur.Files of the last R: line
	flush := func() {
		if cur.Name != "" {
			pkgs = append(pkgs, cur)
		} else if len(cur.Files) > 0 {
			bad++
		}
		cur, dir, last = ApkPackage{}, "", -1
	}
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		if len(line) == 0 {
			flush()
			continue
		}
		if len(line) < 2 || line[1] != ':' {
			bad++
			continue
		}
		val := string(line[2:])
		switch line[0] {
		case 'P':
			cur.Name = val
		case 'V':
			cur.Version = val
		case 'A':
			cur.Arch = val
		case 'o':
			cur.Origin = val
		case 'F':
			dir = path.Join("/", val)
			cur.Files = append(cur.Files, ApkFile{Path: dir})
			last = -1
		case 'R':
			if dir == "" || val == "" {
				bad++
				last = -1
				continue
			}
			cur.Files = append(cur.Files, ApkFile{Path: path.Join(dir, val)})
			last = len(cur.Files) - 1
		case 'Z':
			if last < 0 {
				continue // a directory's or package's checksum
			}
			a, sum, ok := parseApkSum(val)
			if !ok {
				bad++
				continue
			}
			cur.Files[last].Algo, cur.Files[last].Sum = a.String(), sum
		}
	}
	flush()
	return pkgs, bad
}

// parseApkSum decodes "Q1<base64 sha1>" or "Q2<base64 sha256>".
func parseApkSum(s string) (algo, []byte, bool) {
	if len(s) < 3 || s[0] != 'Q' {
		return algoNone, nil, false
	}
	a := algoNone
	switch s[1] {
	case '1':
		a = algoSHA1
	case '2':
		a = algoSHA256
	default:
		return algoNone, nil, false
	}
	sum, err := base64.StdEncoding.DecodeString(s[2:])
	if err != nil || len(sum) != a.size() {
		return algoNone, nil, false
	}
	return a, sum, true
}

func loadApk(t *target.Target, rec target.Recorder, probs *[]Problem) (*DB, bool) {
	for _, p := range apkInstalled {
		raw, err := t.ReadFile(p, dpkgStatusLimit)
		if err != nil {
			if _, gap := target.ClassifyErr(err); gap {
				rec.GapMsg(model.GapError, p, model.Msg("pkgdb.gap.apk-unreadable", err))
			}
			continue
		}
		pkgs, bad := ParseApk(raw)
		if bad > 0 {
			rec.GapMsg(model.GapError, p, model.Msg("pkgdb.gap.apk-malformed", bad))
		}
		if len(pkgs) == 0 {
			*probs = append(*probs, Problem{Path: p, Format: "apk", Whole: true, Empty: len(bytes.TrimSpace(raw)) == 0,
				Note: model.Msg("pkgdb.problem.nothing-parsed", len(raw), bad)})
			continue
		}
		if bad > 0 {
			*probs = append(*probs, Problem{Path: p, Format: "apk", Bad: bad, Note: model.Msg("pkgdb.problem.malformed", bad)})
		}
		b := newBuilder(t, "apk")
		for _, ap := range pkgs {
			pi := b.pkg(Package{Name: ap.Name, Version: ap.Version, Arch: ap.Arch, Source: ap.Origin})
			for _, f := range ap.Files {
				b.own(f.Path, pi)
				if f.Algo != "" {
					b.setDigest(f.Path, pi, algoByName(f.Algo), f.Sum, 0)
				}
			}
		}
		return b.finish(), true
	}
	return nil, false
}

func algoByName(n string) algo {
	for i, s := range algoNames {
		if i > 0 && s == n {
			return algo(i)
		}
	}
	return algoNone
}
