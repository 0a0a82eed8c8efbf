package services

import (
	"path"

	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// generatorDirs hold programs systemd runs very early at every boot and
// daemon-reload to write units.
var generatorDirs = []struct {
	dir  string
	live bool
}{
	{"/etc/systemd/system-generators", false},
	{"/run/systemd/system-generators", true},
	{"/usr/local/lib/systemd/system-generators", false},
	{"/lib/systemd/system-generators", false},
	{"/usr/lib/systemd/system-generators", false},
	{"/etc/systemd/user-generators", false},
	{"/usr/local/lib/systemd/user-generators", false},
	{"/usr/lib/systemd/user-generators", false},
	{"/etc/systemd/system-environment-generators", false},
	{"/usr/local/lib/systemd/system-environment-generators", false},
	{"/usr/lib/systemd/system-environment-generators", false},
	{"/etc/systemd/user-environment-generators", false},
	{"/usr/lib/systemd/user-environment-generators", false},
}

// generators reports generator programs no package installed unchanged.
func (r *run) generators() {
	seen := map[string]bool{}
	for _, g := range generatorDirs {
		if g.live && !r.t.IsLive() {
			continue
		}
		real, err := r.t.Resolve(g.dir)
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		r.checkWritableDir(g.dir, "boot")
		for _, e := range r.listDir(g.dir) {
			if e.IsDir() {
				continue
			}
			r.generator(path.Join(g.dir, e.Name()))
		}
	}
}

func (r *run) generator(p string) {
	real, err := r.t.Resolve(p)
	if err != nil {
		r.record(p, err)
		return
	}
	if real == "/dev/null" {
		return // masked
	}
	origin := r.x.OriginOf(real)
	r.checkWritableFile(real, origin, "boot")
	if origin.Pristine {
		return
	}
	fi, err := r.t.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return
	}
	ev := r.fileEvidence(p, origin, 0, "", "root", "boot")
	ev.Extra = map[string]string{}
	if real != p {
		ev.Extra["real_path"] = real
	}
	// Without a package database only the content can speak.
	var v jobexec.Verdict
	if origin.Package != "" {
		v = jobexec.Verdict{Suspicious: true, Severity: model.High, Confidence: model.ConfMedium}
	}
	v.Add(jobexec.IndAtBoot)
	if places.Temporary(real) {
		v.Add(jobexec.IndWritable)
	}
	if b, err := r.t.ReadFile(p, 1<<20); err == nil && !isELF(b) {
		for _, l := range shscript.Lines(b) {
			lv := r.x.Grade(l.Text, jobexec.Context{User: "root", Boot: true})
			if lv.Suspicious && (!v.Suspicious || lv.Severity > v.Severity) {
				ev.Line, ev.Text = l.N, textclip.Valid(l.Raw, 400)
			}
			v.Merge(lv)
		}
	}
	if v.Suspicious {
		r.emitVerdict(ruleSystemdGenerator, path.Base(p), "", ev, v, origin)
	}
}

func isELF(b []byte) bool { return len(b) >= 4 && string(b[:4]) == "\x7fELF" }
