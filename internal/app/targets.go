package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
)

// ErrDifferentTargets is the refusal to compare scans of different targets
// (two roots, or the live host and a root) without --force.
var ErrDifferentTargets = errors.New("scans of different targets")

// TargetLabel names a target for a person: "live host web1" or
// "root /mnt/web1 (host web1)", with the machine id's start when known.
func TargetLabel(t model.TargetInfo) string {
	s := "root " + t.Root
	if t.Live {
		s = "live host"
	}
	var who []string
	if t.Hostname != "" {
		who = append(who, "host "+t.Hostname)
	}
	if t.MachineID != "" {
		who = append(who, "machine-id "+ShortID(t.MachineID))
	}
	for i, w := range who {
		if i == 0 {
			s += " ("
		} else {
			s += ", "
		}
		s += w
	}
	if len(who) > 0 {
		s += ")"
	}
	return s
}

// ShortID is the start of a machine id, enough to tell machines apart.
func ShortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// DescribeScan names a saved scan in headers and messages:
// "scan 3 (2026-12-06 09:00 UTC, root /mnt/web1 (host web1))".
func DescribeScan(s store.ScanInfo) string {
	return fmt.Sprintf("scan %d (%s, %s)", s.ID, s.Started.UTC().Format("2006-01-02 15:04 MST"), TargetLabel(s.Target()))
}

// SameTarget refuses, unless force, to compare two scans of different
// targets: their findings are not the same objects, and history of one
// must not read as history of the other.
func SameTarget(a, b store.ScanInfo, force bool) error {
	if force || a.TargetKey == b.TargetKey {
		return nil
	}
	why := "different machines"
	if a.MachineKey == b.MachineKey {
		why = "the same machine seen as different targets (live host and image, or two copies of its disk)"
	}
	return fmt.Errorf("%w: %s and %s are %s; add --force to compare them anyway", ErrDifferentTargets, DescribeScan(a), DescribeScan(b), why)
}

// NewReference is the scan --new judges the target tinfo against, with the
// fingerprints it holds: the target's baseline, else its newest scan. When
// the store has none of this target but has one of the same machine saved
// as another target (a root at another path, the live host), it is used
// only with force; without, the error (ErrDifferentTargets) names it. ok is
// false when there is nothing to judge against: everything is new.
func NewReference(ctx context.Context, st store.Store, tinfo model.TargetInfo, force bool) (known map[string]bool, ref store.ScanInfo, ok bool, err error) {
	ref, ok, err = st.Reference(ctx, tinfo.ID(), 0)
	if err != nil {
		return nil, ref, false, err
	}
	if !ok {
		other, found, err := st.OtherTargetReference(ctx, tinfo.Key(), tinfo.ID())
		if err != nil || !found {
			return nil, ref, false, err
		}
		if !force {
			return nil, other, false, fmt.Errorf("%w: the store has no earlier scan of this target (%s); %s is of the same machine saved as another target; add --force to judge against it",
				ErrDifferentTargets, TargetLabel(tinfo), DescribeScan(other))
		}
		ref = other
	}
	r, err := st.Result(ctx, ref.ID)
	if err != nil {
		return nil, ref, false, err
	}
	known = make(map[string]bool, len(r.Findings))
	for _, f := range r.Findings {
		known[f.Fingerprint] = true
	}
	return known, ref, true, nil
}
