package pkgdb

import (
	"sort"

	"github.com/vigil-ir/vigil/internal/target"
)

// altDigest is another package's digest for a path (same algorithm as the
// path's entry).
type altDigest struct {
	pkg uint32
	dig uint32
}

// builder accumulates a DB during Load.
type builder struct {
	db     *DB
	pkgIdx map[string]uint32
}

func newBuilder(t *target.Target, format string) *builder {
	db := &DB{format: format, files: map[string]uint32{}, usr: detectMergedUsr(t)}
	return &builder{db: db, pkgIdx: map[string]uint32{}}
}

// pkg adds p, or returns the index of the package it repeats. dpkg and apk
// install one version of a name (per architecture, which dpkg puts in the
// name); rpm installs several of one name side by side (kernel,
// kernel-core, gpg-pubkey, multilib i686 + x86_64): each is its own package.
func (b *builder) pkg(p Package) uint32 {
	key := p.Name
	if b.db.format == "rpm" {
		key = p.Name + "\x00" + p.Version + "\x00" + p.Arch
	}
	if i, ok := b.pkgIdx[key]; ok {
		return i
	}
	i := uint32(len(b.db.pkgs))
	b.db.pkgs = append(b.db.pkgs, p)
	b.pkgIdx[key] = i
	return i
}

// own records that package pi installed p (first owner wins, as shared
// directories have many) and returns its entry index.
func (b *builder) own(p string, pi uint32) uint32 {
	key := b.db.canon(p)
	if i, ok := b.db.files[key]; ok {
		return i
	}
	i := uint32(len(b.db.ents))
	b.db.ents = append(b.db.ents, entry{pkg: pi})
	b.db.files[key] = i
	return i
}

// setDigest records raw digest sum for p, owned by pi (adding ownership if
// the file list did not have it).
func (b *builder) setDigest(p string, pi uint32, a algo, sum []byte, flags uint8) {
	if a == algoNone || len(sum) != a.size() {
		return
	}
	i, ok := b.db.files[b.db.canon(p)]
	if !ok {
		i = b.own(p, pi)
	}
	b.setDigestAt(i, pi, a, sum, flags)
}

func (b *builder) setDigestAt(i, pi uint32, a algo, sum []byte, flags uint8) {
	e := &b.db.ents[i]
	if e.pkg != pi {
		if e.algo != algoNone {
			// Another package's record stays first; keep this one as an
			// alternative the file may match.
			if e.algo == a && string(b.db.raw(*e)) != string(sum) {
				if b.db.alt == nil {
					b.db.alt = map[uint32][]altDigest{}
				}
				b.db.alt[i] = append(b.db.alt[i], altDigest{pkg: pi, dig: uint32(len(b.db.pool))})
				b.db.pool = append(b.db.pool, sum...)
			}
			return
		}
		// The path was first seen as a directory-sharing package's: the
		// digest tells who actually shipped the file.
		e.pkg = pi
	}
	e.dig, e.algo, e.flags = uint32(len(b.db.pool)), a, e.flags|flags
	b.db.pool = append(b.db.pool, sum...)
}

func (b *builder) setFlags(p string, flags uint8) {
	if i, ok := b.db.files[b.db.canon(p)]; ok {
		b.db.ents[i].flags |= flags
	}
}

func (b *builder) markConffile(p string) { b.setFlags(p, flagConffile) }

func (b *builder) finish() *DB {
	db := b.db
	order := make([]uint32, len(db.pkgs))
	for i := range order {
		order[i] = uint32(i)
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := db.pkgs[order[i]], db.pkgs[order[j]]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.Arch < b.Arch
	})
	remap := make([]uint32, len(db.pkgs))
	sorted := make([]Package, len(db.pkgs))
	for newIdx, oldIdx := range order {
		remap[oldIdx] = uint32(newIdx)
		sorted[newIdx] = db.pkgs[oldIdx]
	}
	db.pkgs = sorted
	for i := range db.ents {
		db.ents[i].pkg = remap[db.ents[i].pkg]
	}
	return db
}
