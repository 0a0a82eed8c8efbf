package netfw

import (
	"bytes"
	"net"
	"sort"
	"time"

	"github.com/google/nftables"
)

// A blocked range [start, end) with its deadline (zero: none). Vigil keeps
// one effective block set however the blocks of several actions overlap
// (10.0.0.0/8 by one, 10.1.2.3 by another): the set is the union of every
// applied block action's networks, cut into disjoint pieces, each kept
// until the latest deadline of the blocks covering it (for ever when one
// of them has none). Applying or undoing a block rewrites the set from the
// journal's applied blocks in one transaction: undoing one block leaves
// exactly the effect of the others, and an expiry still lifts only what
// no other block covers.
type span struct {
	start, end []byte // end nil: up to the top of the address space
	until      time.Time
}

// spanOf is the range of a network.
func spanOf(n *net.IPNet, until time.Time) span {
	els := interval(n, 0)
	s := span{start: els[0].Key, until: until}
	if len(els) == 2 {
		s.end = els[1].Key
	}
	return s
}

// less orders keys; a nil end (the top) is greater than every key.
func less(a, b []byte) bool {
	switch {
	case b == nil:
		return a != nil
	case a == nil:
		return false
	}
	return bytes.Compare(a, b) < 0
}

// later is the later of two deadlines, zero (none) being the latest.
func later(a, b time.Time) time.Time {
	if a.IsZero() || b.IsZero() {
		return time.Time{}
	}
	if a.After(b) {
		return a
	}
	return b
}

// union cuts spans of one family into disjoint, sorted pieces, each with
// the latest deadline of the spans covering it; neighbours with the same
// deadline are joined, and pieces whose deadline passed before now are
// left out.
func union(spans []span, now time.Time) []span {
	var live []span
	for _, s := range spans {
		if s.until.IsZero() || s.until.After(now) {
			live = append(live, s)
		}
	}
	var cuts [][]byte
	for _, s := range live {
		cuts = append(cuts, s.start, s.end)
	}
	sort.SliceStable(cuts, func(i, j int) bool { return less(cuts[i], cuts[j]) })
	var out []span
	for i := 0; i+1 < len(cuts); i++ {
		lo, hi := cuts[i], cuts[i+1]
		if !less(lo, hi) {
			continue // the same cut twice
		}
		covered, until := false, time.Time{}
		for _, s := range live {
			if !less(lo, s.start) && !less(s.end, hi) { // s.start <= lo && hi <= s.end
				if !covered {
					until = s.until
				} else {
					until = later(until, s.until)
				}
				covered = true
			}
		}
		if !covered {
			continue
		}
		if k := len(out) - 1; k >= 0 && bytes.Equal(out[k].end, lo) && out[k].until.Equal(until) {
			out[k].end = hi
			continue
		}
		out = append(out, span{start: lo, end: hi, until: until})
	}
	return out
}

// setElements turns disjoint spans into the elements of an interval set:
// a start element (with the time left as its timeout) and an end element
// for each.
func setElements(spans []span, now time.Time) []nftables.SetElement {
	var out []nftables.SetElement
	for _, s := range spans {
		el := nftables.SetElement{Key: s.start}
		if !s.until.IsZero() {
			el.Timeout = s.until.Sub(now)
		}
		out = append(out, el)
		if s.end != nil {
			out = append(out, nftables.SetElement{Key: s.end, IntervalEnd: true})
		}
	}
	return out
}
