// Package inventory gives detectors the inventories they share, each
// collected once per scan (engine.Shared memos): the package database and
// the account database. A collector's failure is a gap the collector
// records; detectors get a view that says "unknown" rather than "none".
package inventory

import (
	"path"
	"sync"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/collect/webroots"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Memo keys of the shared inventories.
const (
	PackagesKey = "pkgdb"
	UsersKey    = "users"
	WebRootsKey = "webroots"
)

// Packages returns the target's package database as a view. When the
// database exists but did not parse (whole or in part), the calling check
// records once that its ownership judgements are incomplete: a file of a
// lost package record looks unowned, and without any record nothing is
// judged against the packages.
func Packages(env *engine.Env) pkgdb.View {
	db := engine.Shared(env, PackagesKey, pkgdb.Load)
	if probs := db.Problems(); len(probs) > 0 {
		told := engine.Shared(env, packagesToldKey, func(*target.Target, target.Recorder) *sync.Map { return &sync.Map{} })
		if _, done := told.LoadOrStore(env, true); !done {
			p := probs[0]
			reason := model.Msg("inventory.gap.pkgdb-unparsable")
			if !p.Whole {
				reason = model.Msg("inventory.gap.pkgdb-lost", p.Bad)
			}
			env.GapMsg(model.GapError, p.Path, reason)
		}
	}
	return pkgdb.View{DB: db, Target: env.Target}
}

// packagesToldKey memoes, per scan, the checks already told that the
// package database did not parse.
const packagesToldKey = "pkgdb-problem-told"

// Users returns the target's account database.
func Users(env *engine.Env) *users.DB { return engine.Shared(env, UsersKey, users.Load) }

// WebRoots returns the target's web servers and the roots they serve,
// discovered once per scan (webroot, tools and changed read them).
func WebRoots(env *engine.Env) *webroots.Inventory {
	return engine.Shared(env, WebRootsKey, webroots.Discover)
}

// JobEnv is the grading environment of "a thing that runs" (cron lines,
// units, autostart entries) over this scan's shared inventories.
func JobEnv(env *engine.Env) *jobexec.Env {
	return jobexec.New(env.Target, env, Packages(env).DB, Users(env))
}

// Account is a user whose files checks read: the account's name, ids,
// home and shell. UID is -1 for a home found without /etc/passwd.
type Account struct {
	Name  string
	UID   int
	GID   int
	Home  string
	Shell string
}

// Accounts returns every account with an absolute home, root first and
// always present (with /root) even when /etc/passwd could not be read;
// then, without passwd, the homes found under /home with unknown owners,
// so that checks reading users' files never silently see nothing.
func Accounts(env *engine.Env) []Account {
	return AccountsOf(Users(env))
}

// AccountsOf is Accounts over a given account database.
func AccountsOf(db *users.DB) []Account {
	out := []Account{}
	hasRoot := false
	for _, u := range db.Users {
		if u.Home == "" || u.Home[0] != '/' {
			continue
		}
		a := Account{Name: u.Name, UID: u.UID, GID: u.GID, Home: path.Clean(u.Home), Shell: u.Shell}
		if u.UID == 0 && u.Name == "root" {
			hasRoot = true
			out = append([]Account{a}, out...)
			continue
		}
		out = append(out, a)
	}
	if !hasRoot {
		out = append([]Account{{Name: "root", Home: "/root", Shell: "/bin/sh"}}, out...)
	}
	if !db.PasswdRead {
		for _, h := range db.Homes() {
			if h.Dir != "/root" && len(h.Users) == 0 {
				out = append(out, Account{Name: path.Base(h.Dir), UID: -1, GID: -1, Home: h.Dir, Shell: "/bin/sh"})
			}
		}
	}
	return out
}
