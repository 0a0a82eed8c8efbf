package authn

import (
	"math"
	"path"
	"strconv"
	"strings"
)

// succeedIfOptions are pam_succeed_if's own flags; the rest of its
// arguments are "field test value" conditions, all of which must hold.
var succeedIfOptions = set("debug", "use_uid", "quiet", "quiet_fail", "quiet_success", "audit")

// maxID is the largest uid or gid Linux hands out.
const maxID = math.MaxUint32 - 1

// alwaysTrue returns the conditions of a pam_succeed_if line when every
// account meets all of them ("uid >= 0", "user != nonexistent", "user
// notin a:b" of names no account has, "user =~ *"), or "" when one of them
// really tests something (or the line has none: nothing to judge).
func (r *run) alwaysTrue(args []string) string {
	var conds []string
	for i := 0; i < len(args); {
		if succeedIfOptions[args[i]] {
			i++
			continue
		}
		if i+2 >= len(args) {
			return "" // an incomplete condition: pam_succeed_if fails the line
		}
		field, op, val := args[i], args[i+1], args[i+2]
		if !r.condAlwaysTrue(field, op, val) {
			return ""
		}
		conds = append(conds, field+" "+op+" "+val)
		i += 3
	}
	return strings.Join(conds, " ")
}

func (r *run) condAlwaysTrue(field, op, val string) bool {
	switch op {
	case "=~":
		return val == "*"
	}
	switch field {
	case "uid", "gid":
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return false
		}
		switch op {
		case ">=", "ge":
			return n <= 0
		case ">", "gt":
			return n < 0
		case "<=", "le":
			return n >= maxID
		case "<", "lt":
			return n > maxID
		case "!=", "ne":
			return n < 0 || n > maxID || !r.idInUse(field, int(n))
		}
	case "user", "login":
		switch op {
		case "!=", "ne":
			return !r.accountExists(val)
		case "notin":
			for _, v := range strings.Split(val, ":") {
				if r.accountExists(v) {
					return false
				}
			}
			return true
		case "!~":
			for i := range r.db.Users {
				if ok, err := path.Match(val, r.db.Users[i].Name); err != nil || ok {
					return false
				}
			}
			return r.db.PasswdRead && len(r.db.Users) > 0
		case "notingroup":
			_, ok := r.db.Group(val)
			return r.db.GroupRead && !ok
		}
	}
	return false
}

// accountExists answers for the local accounts; without a readable passwd
// file every name might exist.
func (r *run) accountExists(name string) bool {
	if !r.db.PasswdRead || len(r.db.Users) == 0 {
		return true
	}
	_, ok := r.db.ByName(name)
	return ok
}

func (r *run) idInUse(field string, n int) bool {
	if !r.db.PasswdRead || len(r.db.Users) == 0 {
		return true
	}
	for i := range r.db.Users {
		u := &r.db.Users[i]
		if (field == "uid" && u.UID == n) || (field == "gid" && u.GID == n) {
			return true
		}
	}
	return false
}
