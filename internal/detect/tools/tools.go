package tools

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"syscall"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/hashcache"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids.
const (
	ruleTunnelBinary  = "tools.tunnel.binary"
	ruleTunnelConfig  = "tools.tunnel.config"
	ruleScannerBinary = "tools.scanner.binary"
	ruleMinerBinary   = "tools.miner.binary"
	ruleMinerConfig   = "tools.miner.config"
	ruleRenamed       = "tools.utility.renamed"
	ruleArchive       = "tools.archive.staged"
	ruleRootkitBinary = "tools.rootkit.binary"
)

// Indicator ids (texts in rules/indicators.yaml).
const (
	indName        = "tool-name"
	indStrings     = "tool-strings"
	indPublic      = "public-server"
	indPrivate     = "private-server"
	indCopy        = "packaged-tool-copy"
	indWritable    = "writable-location"
	indHidden      = "hidden-location"
	indNotPackaged = "not-from-package"
)

// Detector is the intruder tool check.
type Detector struct {
	readHook func(p string) // tests: called for each file whose content is read
}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "tools" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleTunnelBinary, ruleTunnelConfig, ruleScannerBinary, ruleMinerBinary, ruleMinerConfig, ruleRenamed, ruleArchive, ruleRootkitBinary}
}

// Bounds of the walk and of what is read.
const (
	maxDepth      = 10
	maxFiles      = 300000
	maxContent    = 1 << 30   // bytes of binaries scanned per scan
	maxBinary     = 128 << 20 // larger files are not content-scanned
	maxText       = 1 << 20   // configuration and script files
	maxToolConfig = 16 << 20  // a file named as a tool's configuration (frpc.ini ...): padding must not hide it
	archiveMinBig = 50 << 20
)

// walkPlaces are walked in this order: writable directories first, so that a
// scan budget exhausted by a large /opt still covered them.
var walkPlaces = []string{"/tmp", "/var/tmp", "/dev/shm", "/run/shm", "/root", "/home/*", "/usr/local/bin", "/usr/local/sbin", "/etc/cron*", "/opt"}

type run struct {
	env     *engine.Env
	t       *target.Target
	pk      pkgdb.View
	refs    *references
	files   int
	content int64
	budget  bool // content budget exhausted (gap recorded)
	sc      scanner
	head    [4]byte                // len(elfMagic)
	linked  map[fileKey]scanResult // scans of files with other hard links
	facts   *hashcache.Table       // what earlier scans read (facts.go)

	readHook func(p string)
}

// fileKey names a file's content: its inode, as it was when scanned.
type fileKey struct {
	dev, ino uint64
	size     int64
	mtime    int64
}

// linkKey returns the key of a file with more than one hard link: its
// other names need not be read again.
func linkKey(st fs.FileInfo) (fileKey, bool) {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok || sys.Nlink < 2 {
		return fileKey{}, false
	}
	return fileKey{dev: uint64(sys.Dev), ino: uint64(sys.Ino), size: st.Size(), mtime: st.ModTime().UnixNano()}, true
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, pk: inventory.Packages(env), linked: map[fileKey]scanResult{},
		facts: env.Facts(), readHook: d.readHook}
	r.refs = loadReferences(r)
	err := r.walkAll(ctx, env)
	if err == nil || errors.Is(err, errStop) {
		// The walk is deterministic: a pass cut by the file budget (a gap
		// says so) stops where the last one did.
		r.facts.Complete()
	}
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// Walks implements engine.Walker: the tool places (every regular file
// that can be a tool or its configuration), and web roots (archives
// only), from the scan's one walk.
func (d *Detector) Walks(env *engine.Env) []target.WalkSpec {
	var roots []string
	for _, g := range walkPlaces {
		roots = append(roots, env.Target.Glob(g)...)
	}
	var web []string
	for _, w := range inventory.WebRoots(env).WalkRoots() {
		if !slices.Contains(roots, w) {
			web = append(web, w)
		}
	}
	return []target.WalkSpec{
		{Roots: roots, MaxDepth: maxDepth, MaxKeep: maxFiles, Visit: visitTools},
		{Roots: web, MaxDepth: 4, MaxKeep: maxFiles, Visit: visitRegular},
	}
}

// visitTools keeps the regular files checkFile judges (staged ones, and
// elsewhere those worth opening) and keeps the walk out of caches.
func visitTools(e *target.WalkEntry) (keep, prune bool) {
	if e.IsDir() {
		return false, e.Depth > 0 && skipDirs[e.Name]
	}
	if !e.Type.IsRegular() {
		return false, false
	}
	st, err := e.Info()
	return err == nil && (places.Temporary(e.Path) || worthOpening(e.Path, st)), false
}

// visitRegular keeps every regular file and keeps the walk out of caches.
func visitRegular(e *target.WalkEntry) (keep, prune bool) {
	if e.IsDir() {
		return false, e.Depth > 0 && skipDirs[e.Name]
	}
	return e.Type.IsRegular(), false
}

// walkAll judges what the walk kept: the tool places, then the archives
// of web roots. It returns errStop when the file budget cut the walk.
func (r *run) walkAll(ctx context.Context, env *engine.Env) error {
	res, err := env.Walked(ctx)
	if err != nil {
		return err
	}
	for i, rs := range res {
		check, depth := r.checkFile, maxDepth
		if i == 1 {
			check, depth = r.checkArchiveOnly, 4
		}
		for _, e := range rs.Errors {
			target.Record(env, e.Path, e.Err)
		}
		for _, d := range rs.Deep {
			env.GapMsg(model.GapSkipped, rs.Roots[d.Root], model.Msg("tools.gap.too-deep", d.Count, depth, d.First))
		}
		for j := range rs.Kept {
			if err := ctx.Err(); err != nil {
				return err
			}
			e := &rs.Kept[j]
			if st, err := e.Info(); err == nil {
				check(e.Path, st, places.Temporary(e.Path))
			}
		}
		if rs.Dropped > 0 {
			env.GapMsg(model.GapSkipped, rs.Roots[rs.DroppedRoot], model.Msg("tools.gap.budget", maxFiles))
			return errStop
		}
	}
	return nil
}

var errStop = errors.New("file budget exhausted")

func inAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// checkFile judges one file of the tool places.
func (r *run) checkFile(p string, st fs.FileInfo, inStaging bool) {
	pkg := r.pk.Owner(p)
	if pkg != "" && pkg != model.NoPackage {
		return // packaged files are never judged by name or content here
	}
	if inStaging {
		r.archive(p, st, pkg)
	}
	// One open serves the ELF test and then the content scan or the text
	// read. A file shorter than the ELF magic cannot be a binary: it is
	// opened only to be read as text.
	if !inStaging && !worthOpening(p, st) {
		return
	}
	switch kind, res, ok := r.cachedFact(p, st); {
	case ok && kind == factELF:
		r.binary(p, st, pkg, nil, &res)
		return
	case ok && kind == factQuiet && readAsText(p, st):
		return
	}
	var f *os.File
	var openErr error
	var head []byte
	if st.Size() >= int64(len(elfMagic)) {
		f, openErr = r.t.Open(p)
		if openErr == nil {
			defer f.Close()
			n, _ := f.ReadAt(r.head[:], 0) // the offset stays at 0
			head = r.head[:n]
		}
	}
	switch {
	case bytes.Equal(head, elfMagic):
		r.binary(p, st, pkg, f, nil)
	case readAsText(p, st):
		if r.text(p, st, pkg, f, openErr) {
			r.putFact(p, st, quietFact())
		}
	default:
		if t, ok := byName(path.Base(p)); ok && !genericNames[strings.ToLower(path.Base(p))] && st.Mode().Perm()&0o111 != 0 {
			r.report(p, st, pkg, t, "", "", false)
		}
	}
}

// worthOpening says whether a file outside the staging directories can be
// a tool or a tool's configuration: executable, a configuration or script
// type, or named like a tool. Source trees, caches and virtualenvs in
// homes and /opt hold hundreds of thousands of other files; a tool an
// intruder runs must be executable (or run by an interpreter, which the
// process and persistence checks see).
func worthOpening(p string, st fs.FileInfo) bool {
	if st.Mode().Perm()&0o111 != 0 {
		return true
	}
	if readAsText(p, st) {
		return true
	}
	_, named := byName(path.Base(p))
	return named
}

// textExts are the file types configurations and scripts come in.
var textExts = map[string]bool{".ini": true, ".toml": true, ".yaml": true, ".yml": true, ".json": true,
	".conf": true, ".cfg": true, ".sh": true, ".bash": true, ".txt": true}

// textCandidate says whether a small file is worth reading as a possible
// configuration or script: source trees and documents are not.
func textCandidate(p string, st fs.FileInfo) bool {
	base := path.Base(p)
	if historyFile(base) {
		return false // shell history is the history check's; it quotes what was typed
	}
	if st.Mode().Perm()&0o111 != 0 || textExts[strings.ToLower(path.Ext(base))] || strings.HasPrefix(p, "/etc/cron") {
		return true
	}
	_, ok := byName(base)
	return ok
}

func historyFile(base string) bool {
	return strings.HasSuffix(base, "_history") || strings.HasSuffix(base, "history") && strings.HasPrefix(base, ".") ||
		base == ".viminfo" || base == ".lesshst"
}

// skipDirs are build and package caches: huge, rebuilt by tools, and full
// of compiled test binaries and logs that quote attack strings.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "go-build": true, "_cacache": true, ".npm": true, ".cargo": true, ".rustup": true}

func (r *run) checkArchiveOnly(p string, st fs.FileInfo, _ bool) {
	pkg := r.pk.Owner(p)
	if pkg != "" && pkg != model.NoPackage {
		return
	}
	r.archive(p, st, pkg)
}

var elfMagic = []byte("\x7fELF")

// binary judges an ELF file by name, content markers and hash. f is the
// file, open at offset 0; or cached is what an earlier scan's read of the
// unchanged file found (f is nil then).
func (r *run) binary(p string, st fs.FileInfo, pkg string, f *os.File, cached *scanResult) {
	base := path.Base(p)
	named, byNameOK := byName(base)
	var res scanResult
	scanned := false
	key, linked := linkKey(st)
	if linked {
		res, scanned = r.linked[key]
	}
	switch {
	case cached != nil:
		res, scanned = *cached, true
	case scanned:
		// Another name of the same file, already read.
	case st.Size() > maxBinary:
		r.env.GapMsg(model.GapSkipped, p, model.Msg("tools.gap.too-large", maxBinary>>20))
	case r.content+st.Size() > maxContent:
		if !r.budget {
			r.budget = true
			r.env.GapMsg(model.GapSkipped, p, model.Msg("tools.gap.content-budget", maxContent>>20))
		}
	default:
		var err error
		r.read(p)
		res, err = r.sc.scan(f, maxBinary)
		r.content += res.size
		if err != nil {
			target.Record(r.env, p, fmt.Errorf("read %s: %w", p, err))
			break
		}
		scanned = true
		if linked {
			r.linked[key] = res
		}
		r.putFact(p, st, encodeELF(res))
	}
	if res.self {
		return
	}
	hits := specific(res.hits)
	if len(hits) > 3 {
		return // a detection tool or signature set, not one of the tools
	}
	if copyOf, ok := r.refs.match(r, p, st, res.sha256, f); ok {
		r.renamed(p, st, pkg, copyOf, res.sha256)
		return
	}
	for _, h := range hits {
		if h.tool.kind == kindUtility {
			r.staticUtility(p, st, pkg, h, res.sha256)
			continue
		}
		r.report(p, st, pkg, h.tool, h.marker, res.sha256, byNameOK && named.name == h.tool.name)
		return
	}
	if len(hits) == 0 && byNameOK && named.kind != kindUtility && !genericNames[strings.ToLower(base)] {
		// Named like a tool, content not confirming (stripped, packed,
		// or not scanned): reported, graded lower.
		sum := res.sha256
		if !scanned {
			sum = ""
		}
		r.report(p, st, pkg, named, "", sum, false)
	}
}

// specific drops the generic miner markers when a named miner matched.
func specific(hits []contentHit) []contentHit {
	named := false
	for _, h := range hits {
		if h.tool.kind == kindMiner && h.tool.name != "miner" {
			named = true
		}
	}
	var out []contentHit
	for _, h := range hits {
		if named && h.tool.name == "miner" {
			continue
		}
		out = append(out, h)
	}
	return out
}

// report emits a tool binary (or script) finding.
func (r *run) report(p string, st fs.FileInfo, pkg string, t tool, marker, sum string, nameToo bool) {
	rule := map[kind]string{kindTunnel: ruleTunnelBinary, kindScanner: ruleScannerBinary, kindMiner: ruleMinerBinary, kindRootkit: ruleRootkitBinary}[t.kind]
	if rule == "" {
		return
	}
	sev, conf := model.High, model.ConfHigh
	var ind []string
	switch {
	case marker != "" && nameToo:
		ind = append(ind, indName, indStrings)
	case marker != "":
		ind = append(ind, indStrings)
	default:
		sev, conf = model.Medium, model.ConfLow
		ind = append(ind, indName)
	}
	ind = append(ind, r.placeIndicators(p)...)
	if marker == "" && containsStr(ind, indWritable) {
		sev = model.High // an executable named like the tool in /tmp
	}
	if t.kind == kindRootkit && marker != "" {
		sev = model.Critical // a public rootkit's own strings
	}
	mt := st.ModTime().UTC()
	ev := model.Evidence{Path: p, SHA256: sum, MTime: &mt, Package: pkg, Text: t.name + " (file name)",
		Extra: map[string]string{"tool": t.name, "size": fmt.Sprint(st.Size())}}
	if marker != "" {
		ev.Note = model.Msg("tools.note.contains", t.name, marker)
		ev.Extra["matched"] = marker
	}
	f := model.Finding{RuleID: rule, Subject: p, Indicators: ind, Evidence: ev, Key: p}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}

// placeIndicators describe where a file sits.
func (r *run) placeIndicators(p string) []string {
	var ind []string
	if places.Temporary(p) {
		ind = append(ind, indWritable)
	}
	for _, part := range strings.Split(path.Dir(p), "/") {
		if strings.HasPrefix(part, ".") && part != "." && part != ".." {
			ind = append(ind, indHidden)
			break
		}
	}
	if r.pk.Owner(p) == model.NoPackage {
		ind = append(ind, indNotPackaged)
	}
	return ind
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// read notes that p's content is read (for tests).
func (r *run) read(p string) {
	if r.readHook != nil {
		r.readHook(p)
	}
}

// readAsText says whether a file is read as a possible configuration or
// script: a text candidate of at most maxText bytes, or maxToolConfig when
// it is named as a tool's configuration (frp parses a frpc.ini padded with
// a megabyte of blank lines as well as the plain one).
func readAsText(p string, st fs.FileInfo) bool {
	return textCandidate(p, st) && (st.Size() <= maxText || st.Size() <= maxToolConfig && toolConfigName(path.Base(p)))
}

// toolConfigName reports the file names tools read their configuration
// from: frpc.ini, frps.toml, npc.conf, ngrok.yml, xmrig's config.json ...
func toolConfigName(base string) bool {
	b := strings.ToLower(base)
	ext := path.Ext(b)
	if !textExts[ext] {
		return false
	}
	stem := strings.TrimSuffix(b, ext)
	if stem == "config" || stem == "config_background" {
		return ext == ".json" // XMRig's names
	}
	_, named := byName(stem)
	return named || strings.HasPrefix(stem, "frp") || strings.HasPrefix(stem, "ngrok")
}
