package loader

import (
	"bytes"
	"errors"
	"io"
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/rootkits"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// strayRoots are where module files have no business: an intruder drops a
// rootkit's .ko there before insmod.
var strayRoots = []string{"/tmp", "/var/tmp", "/dev/shm", "/root", "/home", "/opt", "/usr/local", "/etc", "/srv", "/boot", "/usr/share", "/var/www", "/var/spool"}

// strayHigh are roots where a module file is high on its own.
var strayHigh = []string{"/tmp", "/var/tmp", "/dev/shm", "/etc", "/var/spool", "/var/www", "/usr/share", "/boot"}

// skipDirs are big trees that never hold a dropped module and would eat
// the walk budget.
var skipDirs = map[string]bool{"node_modules": true, ".git": true, "__pycache__": true, "site-packages": true, ".npm": true, ".cache/pip": true}

const (
	maxStrayEntries = 300000 // module files judged
	maxStrayDepth   = 16
)

// strayModules walks the places where a module file is foreign.
func (r *run) strayModules() {
	rs := r.walked(0)
	if rs == nil {
		return
	}
	for _, e := range rs.Errors {
		if !errors.Is(e.Err, target.ErrPseudoFS) {
			target.Record(r.env, e.Path, e.Err)
		}
	}
	for _, e := range rs.Kept {
		r.strayFile(e.Path)
	}
	if rs.Dropped > 0 {
		r.env.GapMsg(model.GapSkipped, rs.Roots[rs.DroppedRoot], model.Msg("loader.gap.walk-stopped", maxStrayEntries))
	}
}

// moduleMagic reports whether the file starts like a kernel module: ELF,
// or xz/zstd/gzip for the compressed forms.
func (r *run) moduleMagic(p string) (bool, string) {
	f, err := r.t.Open(p)
	if err != nil {
		target.Record(r.env, p, err)
		return false, ""
	}
	defer f.Close()
	head := make([]byte, 2<<20)
	k, _ := io.ReadFull(f, head)
	head = head[:k]
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
	case bytes.HasPrefix(head, []byte("\xfd7zXZ\x00")), bytes.HasPrefix(head, []byte("\x28\xb5\x2f\xfd")), bytes.HasPrefix(head, []byte("\x1f\x8b")):
		return true, ""
	default:
		return false, ""
	}
	vm := ""
	if i := bytes.Index(head, []byte("vermagic=")); i >= 0 {
		end := bytes.IndexByte(head[i:], 0)
		if end > 0 && end < 200 {
			vm = string(head[i+len("vermagic=") : i+end])
		}
	}
	return true, vm
}

func (r *run) strayFile(p string) {
	own := r.pk.Owner(p)
	if own != "" && own != model.NoPackage {
		return
	}
	ok, vermagic := r.moduleMagic(p)
	if !ok {
		return
	}
	sev, conf := model.Medium, model.ConfMedium
	var ind []string
	for _, h := range strayHigh {
		if p == h || strings.HasPrefix(p, h+"/") {
			sev, conf = model.High, model.ConfHigh
		}
	}
	if places.Temporary(p) {
		ind = append(ind, indWritable)
	}
	if hid := places.Hidden(p) != ""; hid {
		sev, conf = model.High, model.ConfHigh
		ind = append(ind, indHidden)
	}
	extra := map[string]string{"module": ModuleName(p)}
	if rk, ok := rootkits.ByModule(ModuleName(p)); ok {
		sev, conf = model.Critical, model.ConfHigh
		ind = append(ind, indKnownRootkit)
		extra["rootkit"], extra["source"] = rk.Name, rk.Source
	}
	if vermagic != "" {
		extra["vermagic"] = vermagic
	}
	ev := model.Evidence{Path: p, Package: own, User: "root", MTime: r.mtime(p), Extra: extra}
	if h, ok := r.hash(p); ok {
		ev.SHA256 = h
	}
	f := model.Finding{RuleID: ruleStray, Subject: p, Indicators: ind, Evidence: ev}
	r.emit(f.WithSeverity(sev).WithConfidence(conf))
}

// unownedModules reports module files in the module trees that no package
// installed. DKMS builds are expected there and are reported as context.
func (r *run) unownedModules(ix *modIndex) {
	if len(ix.trees) == 0 {
		return // nothing to check (the autoload check reports the missing trees)
	}
	if !r.pk.Known() {
		r.env.GapMsg(model.GapSkipped, "/lib/modules", model.Msg("loader.gap.no-pkgdb"))
		return
	}
	for _, t := range ix.trees {
		names := make([]string, 0, len(t.files))
		for name := range t.files {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			p := t.files[name]
			own := r.pk.Owner(p)
			if own != model.NoPackage {
				continue
			}
			sev, conf := model.Medium, model.ConfMedium
			ind := []string{indNotPackaged}
			if r.dkms(p, name) {
				sev, conf, ind = model.Info, model.ConfHigh, []string{indDKMS}
			}
			ev := model.Evidence{Path: p, Package: own, User: "root", When: "boot", MTime: r.mtime(p),
				Extra: map[string]string{"module": name, "release": t.release}}
			if sev > model.Info {
				if h, ok := r.hash(p); ok {
					ev.SHA256 = h
				}
			}
			f := model.Finding{RuleID: ruleUnownedModule, Subject: p, Indicators: ind, Evidence: ev}
			r.emit(f.WithSeverity(sev).WithConfidence(conf))
		}
	}
}
