package integrity

import (
	"io/fs"

	"github.com/vigil-ir/vigil/internal/hashcache"
)

// digestCache adapts the scan's hash cache to pkgdb.DigestCache; hook,
// when set, is told of every file actually hashed (tests count them).
type digestCache struct {
	t    *hashcache.Table
	hook func(path string)
}

// Lookup implements pkgdb.DigestCache.
func (c digestCache) Lookup(p string, fi fs.FileInfo, algo string) ([]byte, bool) {
	if c.t == nil {
		return nil, false
	}
	m, ok := hashcache.MetaOf(fi)
	if !ok {
		return nil, false
	}
	return c.t.Lookup(p, m, algo)
}

// Put implements pkgdb.DigestCache.
func (c digestCache) Put(p string, fi fs.FileInfo, algo string, sum []byte) {
	if c.hook != nil {
		c.hook(p)
	}
	if c.t == nil {
		return
	}
	if m, ok := hashcache.MetaOf(fi); ok {
		c.t.Put(p, m, algo, sum)
	}
}
