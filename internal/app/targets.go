package app

import (
	"context"
	"errors"
	"strings"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
)

// ErrDifferentTargets is the refusal to compare scans of different targets
// (two roots, or the live host and a root) without --force.
var ErrDifferentTargets = errors.New("scans of different targets")

// texts is the embedded catalog (loaded once; its tests prove it loads).
func texts() *catalog.Catalog {
	c, err := catalog.Load()
	if err != nil {
		panic("vigil: embedded catalog: " + err.Error())
	}
	return c
}

// TargetLabel names a target for a person in language lang: "live host
// (host web1, machine-id 1a2b…)" or "root /mnt/web1 (host web1)".
func TargetLabel(lang string, t model.TargetInfo) string {
	c := texts()
	s := c.T(lang, "history.target.root", t.Root)
	if t.Live {
		s = c.T(lang, "history.target.live")
	}
	var who []string
	if t.Hostname != "" {
		who = append(who, c.T(lang, "history.target.host", t.Hostname))
	}
	if t.MachineID != "" {
		who = append(who, c.T(lang, "history.target.machine", ShortID(t.MachineID)))
	}
	if len(who) > 0 {
		s = c.T(lang, "history.target.with", s, strings.Join(who, c.T(lang, "history.target.sep")))
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

// DescribeScan names a saved scan in headers and messages, in language
// lang: "scan 3 (2026-12-06 09:00 UTC, root /mnt/web1 (host web1))".
func DescribeScan(lang string, s store.ScanInfo) string {
	return texts().T(lang, "history.scan.label", s.ID, s.Started.UTC().Format("2006-01-02 15:04 MST"), TargetLabel(lang, s.Target()))
}

// SameTarget refuses, unless force, to compare two scans of different
// targets: their findings are not the same objects, and history of one
// must not read as history of the other.
//
// Runs of different kinds (a scan and a `vigil harden` run, say) check
// different things: their difference would read as findings fixed or new.
func SameTarget(a, b store.ScanInfo, force bool) error {
	if force {
		return nil
	}
	if kindOf(a) != kindOf(b) {
		return &scanPairError{id: "history.err.different-kind", a: a, b: b}
	}
	if a.TargetKey == b.TargetKey {
		return nil
	}
	id := "history.err.different-machines"
	if a.MachineKey == b.MachineKey {
		id = "history.err.same-machine-other-target"
	}
	return &scanPairError{id: id, a: a, b: b}
}

// NewReference is the scan --new judges the target tinfo against, with the
// fingerprints it holds: the target's baseline, else its newest scan. When
// the store has none of this target but has one of the same machine saved
// as another target (a root at another path, the live host), it is used
// only with force; without, the error (ErrDifferentTargets) names it. ok is
// false when there is nothing to judge against: everything is new.
//
// Only runs of the same kind (a scan, `vigil files`, `vigil logs`, `vigil
// harden`) are references of each other.
func NewReference(ctx context.Context, st store.Store, kind string, tinfo model.TargetInfo, force bool) (known map[string]bool, ref store.ScanInfo, ok bool, err error) {
	ref, ok, err = st.Reference(ctx, kind, tinfo.ID(), 0)
	if err != nil {
		return nil, ref, false, err
	}
	if !ok {
		other, found, err := st.OtherTargetReference(ctx, kind, tinfo.Key(), tinfo.ID())
		if err != nil || !found {
			return nil, ref, false, err
		}
		if !force {
			return nil, other, false, &newRefError{t: tinfo, other: other}
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

// LocalizedError is an error a person reads in their language: Error() is
// the English text, In(lang) the text in lang. The command line prints
// errors through In when they have it.
type LocalizedError interface {
	error
	In(lang string) string
}

// MsgError is an error that is one catalog message.
type MsgError struct{ Msg model.Message }

func (e *MsgError) Error() string { return e.In(catalog.English) }

// In renders the error in language lang.
func (e *MsgError) In(lang string) string { return texts().Message(lang, e.Msg) }

// onlyScanError: diff without scans named, and the scan has no
// predecessor of its target.
type onlyScanError struct{ s store.ScanInfo }

func (e *onlyScanError) Error() string { return e.In(catalog.English) }
func (e *onlyScanError) Unwrap() error { return store.ErrNotFound }

// In renders the error in language lang.
func (e *onlyScanError) In(lang string) string {
	return texts().T(lang, "history.err.only-scan", DescribeScan(lang, e.s))
}

// scanPairError refuses to compare scans a and b (different targets).
type scanPairError struct {
	id   string
	a, b store.ScanInfo
}

func (e *scanPairError) Error() string { return e.In(catalog.English) }
func (e *scanPairError) Unwrap() error { return ErrDifferentTargets }

// In renders the refusal in language lang.
func (e *scanPairError) In(lang string) string {
	if e.id == "history.err.different-kind" {
		return texts().T(lang, e.id, DescribeScan(lang, e.a), kindOf(e.a), DescribeScan(lang, e.b), kindOf(e.b))
	}
	return texts().T(lang, e.id, DescribeScan(lang, e.a), DescribeScan(lang, e.b))
}

// newRefError refuses scan --new against a scan of another target of the
// same machine.
type newRefError struct {
	t     model.TargetInfo
	other store.ScanInfo
}

func (e *newRefError) Error() string { return e.In(catalog.English) }
func (e *newRefError) Unwrap() error { return ErrDifferentTargets }

// In renders the refusal in language lang.
func (e *newRefError) In(lang string) string {
	return texts().T(lang, "history.err.new-other-target", TargetLabel(lang, e.t), DescribeScan(lang, e.other))
}

// kindOf is the kind of run s is (model.KindScan for runs saved before kinds).
func kindOf(s store.ScanInfo) string { return model.ScanMeta{Kind: s.Kind}.RunKind() }
