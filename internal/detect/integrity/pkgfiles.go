package integrity

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// aggregateOver is how many ordinary changed files of one package are
// reported one by one; beyond it the package gets one finding (a package
// manager of its own, like npm updating itself, rewrites hundreds).
const aggregateOver = 20

// maxSamples is how many paths an aggregated finding lists.
const maxSamples = 10

// outcome is one package file that did not verify clean.
type outcome struct {
	file   pkgdb.File
	status pkgdb.VerifyStatus
	actual string
	err    error
}

// verifyPackages hashes every non-conffile package file with a recorded
// digest, in parallel, and reports what changed or vanished.
func (r *run) verifyPackages(ctx context.Context) error {
	var ex *dpkgExcludes
	if r.db.Format() == "dpkg" {
		ex = loadDpkgExcludes(r.t, r.env)
	}
	var files []pkgdb.File
	for f := range r.db.Files() {
		if f.Conffile {
			continue // configuration: the admin edits it, other checks read it
		}
		files = append(files, f)
	}
	// Sorting by path keeps hashing order close to disk order and makes
	// the output stable.
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })

	// The walk stats every file: its lstat of the package files is used
	// (a file it did not meet is stat-ed here).
	if _, err := r.env.Walked(ctx); err != nil {
		return err
	}
	stats := walkStats(r.env)
	var mu sync.Mutex
	var bad []outcome
	jobs := make(chan int, 256)
	var wg sync.WaitGroup
	cache := digestCache{t: r.env.Options.Hashes, hook: r.hashHook}
	for range r.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 256<<10)
			for i := range jobs {
				f := files[i]
				st, actual, err := r.db.VerifyCachedInfo(r.t, f.Path, stats.info(f.Path), buf, cache)
				if st == pkgdb.Match || (st == pkgdb.NoDigest && err == nil) {
					continue
				}
				mu.Lock()
				bad = append(bad, outcome{file: f, status: st, actual: actual, err: err})
				mu.Unlock()
			}
		}()
	}
	var cancelled error
	for i := range files {
		if i%512 == 0 {
			if cancelled = ctx.Err(); cancelled != nil {
				break
			}
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if cancelled != nil {
		return cancelled
	}
	cache.t.Complete()
	sort.Slice(bad, func(i, j int) bool { return bad[i].file.Path < bad[j].file.Path })

	buf := make([]byte, 256<<10)
	missing := map[string][]string{}
	ordinary := map[string][]outcome{}
	for _, o := range bad {
		switch {
		case o.err != nil:
			target.Record(r.env, o.file.Path, o.err)
		case o.status == pkgdb.Missing:
			if ex == nil || !ex.excluded(o.file.Path) {
				missing[o.file.Package] = append(missing[o.file.Package], o.file.Path)
			}
		case o.status == pkgdb.Modified && r.prelinked(o.file.Path):
			r.env.GapMsg(model.GapSkipped, o.file.Path, model.Msg("integrity.gap.prelinked"))
		case o.status == pkgdb.Modified:
			if !r.modified(o, buf) {
				ordinary[o.file.Package] = append(ordinary[o.file.Package], o)
			}
		}
	}
	for _, pkg := range sortedKeys(ordinary) {
		outs := ordinary[pkg]
		if len(outs) > aggregateOver {
			r.emitAggregated(pkg, outs)
			continue
		}
		for _, o := range outs {
			r.emitOrdinary(o, buf)
		}
	}
	for _, pkg := range sortedKeys(missing) {
		r.emitMissing(pkg, missing[pkg])
	}
	return nil
}

// modified grades one changed file and emits it when it is a system
// binary, a PAM module, a core library, a setuid file or a wrapper script;
// it returns false for an ordinary change, left to the caller (which
// aggregates them per package).
func (r *run) modified(o outcome, buf []byte) bool {
	p := o.file.Path
	var inds []string
	fi, err := r.t.Lstat(p)
	if err == nil && fi.Mode()&(os.ModeSetuid|os.ModeSetgid) != 0 {
		inds = append(inds, indSetuid)
	}
	if isRootkitTarget(p) {
		inds = append(inds, indSystemCommand)
	}
	if isPAMModule(p) {
		inds = append(inds, indPAMModule)
	}
	if isCoreLib(p) {
		inds = append(inds, indCoreLib)
	}
	var ff fileFacts
	haveFacts := false
	if len(inds) == 0 && (inBinDir(p) || underLib(p)) && err == nil && fi.Mode().IsRegular() {
		// A command turned into a script that runs a moved copy of itself
		// is the classic trojan wrapper (sshd -> sh + sshd.orig).
		ff, haveFacts = r.facts(p, buf), true
		if isScript(ff.kind) && isWrapper(p, ff.head) {
			inds = append(inds, indScriptReplaced)
		}
	}
	if len(inds) == 0 {
		return false
	}
	if !haveFacts {
		ff = r.facts(p, buf)
	}
	if isScript(ff.kind) && !contains(inds, indScriptReplaced) && !knownScripts[path.Base(p)] && (inBinDir(p) || isPAMModule(p) || isCoreLib(p)) {
		// ps, sshd, libc are ELF everywhere: a script there replaced one.
		inds = append(inds, indScriptReplaced)
	}
	inds = append([]string{indModified}, inds...)
	ev := r.modEvidence(o, ff)
	r.env.Emit(model.Finding{
		RuleID:     ruleSystemBinary,
		Subject:    p,
		Indicators: inds,
		Evidence:   ev,
		Key:        p,
	}.WithSeverity(model.Critical).WithConfidence(model.ConfHigh))
	return true
}

// emitOrdinary reports a changed package file that is not a system binary.
func (r *run) emitOrdinary(o outcome, buf []byte) {
	p := o.file.Path
	ff := r.facts(p, buf)
	sev, conf := model.Medium, model.ConfMedium
	inds := []string{indModified}
	var fragment string
	switch {
	case isDocPath(p):
		sev, conf = model.Low, model.ConfLow
	case !isCodePath(p, uint32(ff.mode.Perm())) && !isScript(ff.kind) && ff.kind != "ELF":
		sev = model.Low
	}
	// Changed scripts and interpreter modules: grade what their lines run.
	if isScript(ff.kind) || (ff.kind == "data" && isCodePath(p, 0)) {
		if m, ok := cmdscan.Worst(scanScript(r.t, p)); ok {
			inds = append(inds, m.ID)
			fragment = m.Fragment
			if m.Severity > sev {
				sev, conf = m.Severity, m.Confidence
			}
		}
	}
	ev := r.modEvidence(o, ff)
	ev.Text = fragment
	r.env.Emit(model.Finding{
		RuleID:     ruleFileModified,
		Subject:    p,
		Indicators: inds,
		Evidence:   ev,
		Key:        p,
	}.WithSeverity(sev).WithConfidence(conf))
}

func (r *run) modEvidence(o outcome, ff fileFacts) model.Evidence {
	ev := ff.evidence(o.file.Path, o.file.Package)
	ev.Extra["recorded_"+o.file.Algo] = hexString(o.file.Digest)
	if o.actual != "" {
		ev.Extra["actual_"+o.file.Algo] = o.actual
	}
	if o.file.Diverted {
		ev.Extra["diverted"] = "yes"
	}
	return ev
}

// emitAggregated reports many ordinary changes of one package at once.
func (r *run) emitAggregated(pkg string, outs []outcome) {
	samples := make([]string, 0, maxSamples)
	code := 0
	for _, o := range outs {
		if isCodePath(o.file.Path, 0) {
			code++
		}
		if len(samples) < maxSamples {
			samples = append(samples, o.file.Path)
		}
	}
	sev := model.Low
	if code > 0 {
		sev = model.Medium
	}
	r.env.Emit(model.Finding{
		RuleID:     ruleFileModified,
		Subject:    fmt.Sprintf("package %s: %d files differ from the package", pkg, len(outs)),
		Indicators: []string{indModified},
		Evidence: model.Evidence{
			Path:    commonDir(samples),
			Package: pkg,
			Extra: map[string]string{
				"files":   strconv.Itoa(len(outs)),
				"samples": strings.Join(samples, "\n"),
			},
		},
		Key: "package:" + pkg,
	}.WithSeverity(sev).WithConfidence(model.ConfLow))
}

// emitMissing reports, per package, files the package installed that are
// gone.
func (r *run) emitMissing(pkg string, paths []string) {
	samples := paths
	if len(samples) > maxSamples {
		samples = samples[:maxSamples]
	}
	var sys []string
	for _, p := range paths {
		if isRootkitTarget(p) || isPAMModule(p) || isCoreLib(p) {
			sys = append(sys, p)
		}
	}
	where := commonDir(paths)
	if len(paths) == 1 {
		where = paths[0]
	}
	ev := model.Evidence{
		Path:    where,
		Package: pkg,
		Extra: map[string]string{
			"files":   strconv.Itoa(len(paths)),
			"samples": strings.Join(samples, "\n"),
		},
	}
	if len(sys) > 0 {
		ev.Extra["system_files"] = strings.Join(sys, "\n")
	}
	r.env.Emit(model.Finding{
		RuleID:   ruleFilesMissing,
		Subject:  fmt.Sprintf("package %s: %d files missing", pkg, len(paths)),
		Evidence: ev,
		Key:      "package:" + pkg,
	})
}

// prelinked reports whether p is an ELF file rewritten by prelink, which
// keeps the original layout in a .gnu.prelink_undo section.
func (r *run) prelinked(p string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false // a hostile ELF header: not prelink's doing
		}
	}()
	f, err := r.t.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	ef, err := elf.NewFile(f)
	if err != nil {
		return false
	}
	return ef.Section(".gnu.prelink_undo") != nil
}

// isWrapper reports whether script head runs another copy of the command
// it replaced: a hidden copy (/usr/sbin/.sshd) or one with a suffix
// (/usr/sbin/sshd.orig, /bin/ls-real).
func isWrapper(p string, head []byte) bool {
	base := path.Base(p)
	body := string(head)
	if strings.HasPrefix(body, "#!") {
		i := strings.IndexByte(body, '\n')
		if i < 0 {
			return false
		}
		body = body[i+1:]
	}
	for i := 0; i < len(body); {
		j := strings.Index(body[i:], base)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(base)
		hidden := j > 1 && body[j-1] == '.' && body[j-2] == '/'
		pathish := j > 0 && body[j-1] == '/'
		suffixed := end+1 < len(body) && strings.IndexByte(".-_", body[end]) >= 0 && isAlnum(body[end+1])
		if hidden || (pathish && suffixed) {
			return true
		}
		i = end
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// knownScripts are system commands that distributions ship as scripts.
var knownScripts = map[string]bool{"egrep": true, "fgrep": true, "ldd": true, "zgrep": true, "which": true}

// scanScript grades each line of a (changed) script.
func scanScript(t *target.Target, p string) []cmdscan.Match {
	b, err := t.ReadFile(p, 1<<20)
	if err != nil {
		return nil
	}
	var out []cmdscan.Match
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, cmdscan.Scan(line)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity > out[j].Severity })
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// commonDir is the deepest directory shared by paths.
func commonDir(paths []string) string {
	if len(paths) == 0 {
		return ""
	}
	dir := path.Dir(paths[0])
	for _, p := range paths[1:] {
		for dir != "/" && !strings.HasPrefix(p, dir+"/") {
			dir = path.Dir(dir)
		}
	}
	return dir
}
