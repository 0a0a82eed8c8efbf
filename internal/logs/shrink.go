package logs

// Kinds of Change.
const (
	// ChangeShrank: the file is smaller than the previous run saw it while
	// its beginning is the same (lines cut from it, in place or by a
	// rewrite), or a rotated copy got smaller.
	ChangeShrank = "shrank"
	// ChangeReplaced: the live file's beginning changed since the previous
	// run and no rotated sibling holds the old beginning, although no
	// rotation happened or older rotated copies are still there (the log
	// was emptied or replaced, and its old content is nowhere).
	ChangeReplaced = "replaced"
)

// Change is a log file that is not what a previous run saw, with no
// rotation to explain it.
type Change struct {
	Kind      string
	Log, Path string
	Before    FileState // as the previous run saw it (Run, Seen, Size, Ino)
	After     FileState // as it is now (zero when the file is gone)
	SameInode bool      // the same file, changed in place
	// OlderKept (ChangeReplaced): rotated copies older than the lost
	// content are still there, so a copy holding it was deleted.
	OlderKept bool
}

// Compare judges one log's files now (cur, from States of this run)
// against what a previous run saw of them (prev, the same log's states).
//
// Logs only grow until logrotate moves them aside: by renaming (create;
// the old inode becomes name.1 or name-YYYYMMDD, maybe compressed later)
// or by copying then truncating (copytruncate; the old content is in the
// copy). Either way the old beginning (the head) is found again in a
// rotated sibling. So:
//
//   - a file whose head is unchanged but which is smaller (the same inode,
//     or the live file rewritten) lost lines: ChangeShrank;
//   - a live file whose head changed, when no sibling holds the old head,
//     lost its content: ChangeReplaced, but only when that content should
//     still be there: no rotation happened since (no sibling is new), or
//     a sibling older than it (one the previous run saw) is still there.
//     Otherwise the copy may have aged out of the rotation (a run long
//     ago), which is not judged.
func Compare(prev, cur []FileState) []Change {
	byIno := map[uint64]*FileState{}
	byPath := map[string]*FileState{}
	for i := range cur {
		c := &cur[i]
		if c.Ino != 0 {
			byIno[c.Ino] = c
		}
		byPath[c.Path] = c
	}
	rotated, oldKept := rotationSince(prev, cur)
	var out []Change
	for _, p := range prev {
		if p.Size == 0 || p.HeadLen == 0 {
			continue // nothing to lose, nothing to recognise it by
		}
		c := byIno[p.Ino]
		if p.Rotation != 0 {
			// A rotated copy is never written again: smaller is cut (also
			// into its head, at the same place).
			if c != nil && c.Size < p.Size && (c.holds(p) || c.Path == p.Path && len(c.head) < p.HeadLen) {
				out = append(out, Change{Kind: ChangeShrank, Log: p.Log, Path: c.Path, Before: p, After: *c, SameInode: true})
			}
			continue
		}
		if c != nil && !c.holds(p) && c.Path != p.Path {
			c = nil // the inode was freed and reused by another file
		}
		switch {
		case c != nil && c.holds(p):
			if c.Size < p.Size { // in place, or renamed to a sibling and cut
				out = append(out, Change{Kind: ChangeShrank, Log: p.Log, Path: c.Path, Before: p, After: *c, SameInode: true})
			}
		case heldBySibling(p, cur):
			// copytruncate, or a rotation by renaming: the old content moved.
		default:
			live := byPath[p.Path]
			if live != nil && live.holds(p) {
				if live.Size < p.Size { // rewritten (sed -i, an editor): same beginning, less
					out = append(out, Change{Kind: ChangeShrank, Log: p.Log, Path: p.Path, Before: p, After: *live})
				}
				continue
			}
			if rotated && !oldKept {
				continue // the old content may have aged out of the rotation
			}
			ch := Change{Kind: ChangeReplaced, Log: p.Log, Path: p.Path, Before: p, SameInode: c != nil, OlderKept: rotated && oldKept}
			if live != nil {
				ch.After = *live
				ch.SameInode = live.Ino != 0 && live.Ino == p.Ino
			}
			out = append(out, ch)
		}
	}
	return out
}

// heldBySibling reports whether a rotated file of cur begins with p's head.
func heldBySibling(p FileState, cur []FileState) bool {
	for i := range cur {
		if cur[i].Rotation != 0 && cur[i].holds(p) {
			return true
		}
	}
	return false
}

// rotationSince reports whether the log rotated since the previous run (a
// rotated file now that the previous run did not see: a new path or a new
// inode), and whether content the previous run saw in a rotated copy is
// still there (its head is held by a file now): the rotation keeps copies
// from before the previous run.
func rotationSince(prev, cur []FileState) (rotated, oldKept bool) {
	seen := map[string]uint64{}
	for _, p := range prev {
		seen[p.Path] = p.Ino
	}
	for _, c := range cur {
		if ino, ok := seen[c.Path]; c.Rotation != 0 && (!ok || ino != c.Ino) {
			rotated = true
		}
	}
	for _, p := range prev {
		if p.Rotation == 0 || p.Size == 0 || p.HeadLen == 0 {
			continue
		}
		for i := range cur {
			if cur[i].holds(p) {
				oldKept = true
			}
		}
	}
	return rotated, oldKept
}
