package hashcache

import "sync"

// AlgoFacts is the "algorithm" of a facts entry: instead of a digest, the
// entry holds what a check learnt from reading the file (its own encoding,
// at most MaxFacts bytes), trusted under the same metadata rules as a
// digest.
const AlgoFacts = "facts"

// MaxFacts bounds one facts entry.
const MaxFacts = 1024

// Facts returns what the check recorded about path when the file's
// metadata is still m (Entry.Trusted); the entry is kept for the next scan.
func (t *Table) Facts(path string, m Meta) ([]byte, bool) {
	return t.Lookup(path, m, AlgoFacts)
}

// PutFacts records facts about path, read from the file with metadata m
// (taken before reading). Facts longer than MaxFacts are not kept.
func (t *Table) PutFacts(path string, m Meta, facts []byte) {
	if len(facts) == 0 || len(facts) > MaxFacts {
		return
	}
	t.Put(path, m, AlgoFacts, facts)
}

// Set holds one Table per check that keeps facts about the files it reads
// (the tools and staging checks read the same programs every scan), made
// on first use. Each table is loaded and saved on its own, so a check
// that did not finish its pass (Table.Complete) keeps the facts it had.
// A nil *Set gives nil tables: nothing is trusted or recorded.
type Set struct {
	load func(check string) *Table

	mu     sync.Mutex
	tables map[string]*Table
}

// NewSet makes a Set whose tables come from load (called once per check).
func NewSet(load func(check string) *Table) *Set {
	return &Set{load: load, tables: map[string]*Table{}}
}

// For returns check's table.
func (s *Set) For(check string) *Table {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tables[check]
	if !ok {
		t = s.load(check)
		s.tables[check] = t
	}
	return t
}

// Each calls fn for every table made, in no particular order.
func (s *Set) Each(fn func(check string, t *Table)) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for c, t := range s.tables {
		fn(c, t)
	}
}
