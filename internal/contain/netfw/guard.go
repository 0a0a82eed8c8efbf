package netfw

import (
	"context"
	"fmt"
	"time"

	"github.com/google/nftables"

	"github.com/vigil-ir/vigil/internal/contain"
)

// Guarded is what Guard found of an applied isolation, and did.
type Guarded struct {
	// State is Status's, except "deleted": the journal says isolated but
	// Vigil's table is gone (deleted by someone, or a firewall reload).
	State    string
	Left     time.Duration // armed: the time the dead-man switch leaves
	Repaired bool          // the table was written again
}

// Guard is the watchdog of an isolation the journal holds as applied
// (since: when it was made; confirmed: whether vigil contain confirm made
// it permanent). A table that was flushed, edited or deleted — by the
// intruder, or by a firewall reload — is reported, and with repair written
// again whole, in one transaction that deletes what is left of it: the
// same allow-list, with the dead-man switch set to the time it had left
// (none when confirmed), then the self-test as after isolating. An
// isolation whose dead-man time has passed is not put back: the switch
// would have lifted it.
func Guard(p IsolateParams, since time.Time, confirmed, repair bool) (Guarded, error) {
	st, left, err := Status(p.NetNS, p)
	if err != nil {
		return Guarded{}, err
	}
	g := Guarded{State: st, Left: left}
	if st == "none" {
		g.State = "deleted"
	}
	if st != "changed" && st != "none" {
		return g, nil
	}
	var deadman time.Duration
	if !confirmed {
		deadman = time.Until(since.Add(time.Duration(p.Spec.DeadMan)))
		if deadman <= 0 {
			return g, nil
		}
	}
	if !repair {
		return g, nil
	}
	if err := rewrite(p, deadman); err != nil {
		return g, fmt.Errorf("the isolation could not be written again: %w", err)
	}
	g.Repaired = true
	g.State, g.Left, err = Status(p.NetNS, p)
	return g, err
}

// rewrite deletes what is left of the isolation table and writes it again
// with a dead-man time of deadman (0: none), in one transaction, then runs
// the self-test; a failed self-test deletes the table again and says so.
func rewrite(p IsolateParams, deadman time.Duration) error {
	q := p
	q.Spec.DeadMan = int64(deadman)
	a := &contain.Action{Kind: IsolateKind}
	if err := a.SetParams(q); err != nil {
		return err
	}
	if p.IPTables != "" {
		var until time.Time
		if deadman > 0 {
			until = time.Now().Add(deadman)
		}
		if err := iptDelete(p.NetNS, p.IPTables); err != nil {
			return err
		}
		if err := iptWrite(p, until); err != nil {
			return err
		}
		return verifyOrDelete(a, p)
	}
	b, err := isolation(q.Spec)
	if err != nil {
		return err
	}
	c, done, err := conn(p.NetNS)
	if err != nil {
		return err
	}
	defer done()
	have, err := readBack(c, IsolateTable)
	if err != nil {
		return err
	}
	if have != "" {
		c.DelTable(&nftables.Table{Name: IsolateTable, Family: nftables.TableFamilyINet})
	}
	if err := b.write(c); err != nil {
		return err
	}
	if err := c.Flush(); err != nil {
		return err
	}
	if p.Persist != nil {
		// The boot files too, should they have gone with the table.
		sp := p.Spec
		if deadman == 0 {
			sp.DeadMan = 0
		}
		if err := writePersist(p.Persist, sp); err != nil {
			return err
		}
	}
	return verifyOrDelete(a, p)
}

// verifyOrDelete runs the self-test of a rewritten isolation and takes it
// away again when it fails (the operator's path may be cut).
func verifyOrDelete(a *contain.Action, p IsolateParams) error {
	if err := (IsolateAction{}).Verify(context.Background(), a); err != nil {
		return fmt.Errorf("%w (and taking the isolation away again: %v)", err, IsolateAction{}.Undo(context.Background(), a))
	}
	return nil
}
