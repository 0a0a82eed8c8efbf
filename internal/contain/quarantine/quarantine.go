// Package quarantine is the containment action that moves files (and
// symlinks) into a root-only quarantine directory, keeping everything
// needed to put them back identical: original path, owner, mode, times,
// every extended attribute (ACLs, SELinux label, capabilities) and the
// SHA-256 of the content. Nothing is deleted without a verified copy.
package quarantine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/hostfs"
)

// KindName is the journal id of the action.
const KindName = "file.quarantine"

// Item is one quarantined file.
type Item struct {
	Path   string      `json:"path"`   // target path of the original
	Stored string      `json:"stored"` // host path of the copy (empty for a symlink)
	Record string      `json:"record"` // host path of the sidecar record (JSON)
	Meta   hostfs.Meta `json:"meta"`
}

// Undo is the action's undo data: every item, captured when planned.
type Undo struct {
	Dir   string `json:"dir"`
	Items []Item `json:"items"`
}

// Record is the sidecar written beside each quarantined file, so that the
// quarantine directory explains itself even without the store.
type Record struct {
	Action string      `json:"action"` // the action's uid
	Target string      `json:"target"`
	Path   string      `json:"path"`
	Meta   hostfs.Meta `json:"meta"`
}

// Plan plans the quarantine of paths (target paths) of t into dir (a host
// directory outside the target). It captures metadata and digests now:
// apply refuses a file that changed since.
func Plan(t contain.Target, dir string, paths ...string) (*contain.Action, error) {
	if len(paths) == 0 {
		return nil, errors.New("no file to quarantine")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if !t.IsLive() && t.Contains(abs) {
		return nil, fmt.Errorf("the quarantine %s is inside the target %s: keep it outside the examined system", abs, t.Root)
	}
	a := &contain.Action{UID: contain.NewUID(), Kind: KindName, Target: t, Subject: contain.Clean(paths[0])}
	u := Undo{Dir: abs}
	for i, p := range paths {
		p = contain.Clean(p)
		hp, m, err := hostfs.CaptureIn(t, p)
		if err != nil {
			return nil, err
		}
		base := filepath.Join(abs, a.UID+"-"+strconv.Itoa(i))
		it := Item{Path: p, Record: base + ".json", Meta: m}
		if m.Link == "" {
			if it.Meta.SHA256, err = hostfs.Hash(hp); err != nil {
				return nil, err
			}
			it.Stored = base
			a.Step("contain.plan.quarantine", p, m.Size, m.UID, m.GID, fmt.Sprintf("%04o", m.Mode), it.Meta.SHA256, it.Stored)
		} else {
			a.Step("contain.plan.quarantine-link", p, m.Link, it.Record)
		}
		u.Items = append(u.Items, it)
	}
	if len(paths) > 1 {
		a.Subject += " (+" + strconv.Itoa(len(paths)-1) + ")"
	}
	if err := a.SetUndo(u); err != nil {
		return nil, err
	}
	return a, a.SetParams(struct{}{})
}

// Kind implements contain.Kind.
type Kind struct{}

// Name implements contain.Kind.
func (Kind) Name() string { return KindName }

// Apply copies each file into the quarantine (checking the digest
// against the plan's), writes its record, and only then removes the
// original.
func (Kind) Apply(_ context.Context, a *contain.Action) error {
	var u Undo
	if err := a.Decode(nil, &u); err != nil {
		return err
	}
	if err := hostfs.MkdirPrivate(u.Dir); err != nil {
		return fmt.Errorf("quarantine directory: %w", err)
	}
	for _, it := range u.Items {
		hp, err := a.Target.HostPath(it.Path)
		if err != nil {
			return err
		}
		if err := keep(a, hp, it); err != nil {
			return err
		}
		cur, err := hostfs.Capture(hp)
		if err != nil {
			return err
		}
		if cur.Link != it.Meta.Link || cur.Size != it.Meta.Size {
			return fmt.Errorf("%s changed since the plan was made: plan again", it.Path)
		}
		if it.Meta.Link == "" {
			if sum, err := hostfs.Hash(hp); err != nil || sum != it.Meta.SHA256 {
				return fmt.Errorf("%s changed while it was copied: plan again (%v)", it.Path, err)
			}
		}
		if err := hostfs.Remove(hp); err != nil {
			return err
		}
	}
	return nil
}

// keep stores the copy of one item and its record.
func keep(a *contain.Action, hp string, it Item) error {
	if it.Stored != "" {
		if _, err := os.Lstat(it.Stored); errors.Is(err, fs.ErrNotExist) {
			part := it.Stored + ".part"
			os.Remove(part)
			sum, err := hostfs.CopyNew(hp, part, 0o400)
			if err != nil {
				return err
			}
			if sum != it.Meta.SHA256 {
				os.Remove(part)
				return fmt.Errorf("%s changed since the plan was made (SHA-256 %s, planned %s): plan again", it.Path, sum, it.Meta.SHA256)
			}
			if err := os.Rename(part, it.Stored); err != nil {
				return err
			}
		}
	}
	b, err := json.MarshalIndent(Record{Action: a.UID, Target: a.Target.String(), Path: it.Path, Meta: it.Meta}, "", "  ")
	if err != nil {
		return err
	}
	return hostfs.WriteNew(it.Record, b, 0o400)
}

// Verify checks that every original is gone and every copy is intact.
func (Kind) Verify(_ context.Context, a *contain.Action) error {
	var u Undo
	if err := a.Decode(nil, &u); err != nil {
		return err
	}
	for _, it := range u.Items {
		hp, err := a.Target.HostPath(it.Path)
		if err != nil {
			return err
		}
		if _, err := os.Lstat(hp); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s is still there", it.Path)
		}
		if it.Stored != "" {
			if sum, err := hostfs.Hash(it.Stored); err != nil || sum != it.Meta.SHA256 {
				return fmt.Errorf("the quarantined copy %s does not match (%v)", it.Stored, err)
			}
		}
	}
	return nil
}

// Undo puts each file back, byte- and metadata-identical, and removes its
// copy. It never overwrites a file that appeared at the original path.
func (Kind) Undo(_ context.Context, a *contain.Action) error {
	var u Undo
	if err := a.Decode(nil, &u); err != nil {
		return err
	}
	for i := len(u.Items) - 1; i >= 0; i-- {
		if err := restore(a.Target, u.Items[i]); err != nil {
			return err
		}
	}
	return nil
}

func restore(t contain.Target, it Item) error {
	hp, err := t.HostPath(it.Path)
	if err != nil {
		return err
	}
	cur, err := hostfs.Capture(hp)
	switch {
	case err == nil:
		// Still (or again) there: only the original itself is acceptable.
		same := cur.Link == it.Meta.Link
		if same && it.Meta.Link == "" {
			sum, herr := hostfs.Hash(hp)
			same = herr == nil && sum == it.Meta.SHA256
		}
		if !same {
			return fmt.Errorf("%s exists and is not the quarantined file: move it aside, then undo again", it.Path)
		}
	case errors.Is(err, fs.ErrNotExist):
		if it.Stored != "" {
			sum, herr := hostfs.Hash(it.Stored)
			if herr != nil || sum != it.Meta.SHA256 {
				return fmt.Errorf("the quarantined copy of %s is missing or damaged (%s): %v", it.Path, it.Stored, herr)
			}
		}
		if err := hostfs.InstallFrom(hp, it.Stored, it.Meta, true); err != nil {
			return fmt.Errorf("restoring %s: %w", it.Path, err)
		}
		if sum, err := hostfs.Hash(hp); it.Meta.Link == "" && (err != nil || sum != it.Meta.SHA256) {
			return fmt.Errorf("%s was restored but its SHA-256 differs: %v", it.Path, err)
		}
	default:
		return err
	}
	for _, p := range []string{it.Stored + ".part", it.Stored, it.Record} {
		if p != ".part" && p != "" {
			if err := hostfs.Remove(p); err != nil {
				return err
			}
		}
	}
	return nil
}
