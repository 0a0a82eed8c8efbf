package accounts

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/model"
)

// privileged: UID 0 accounts other than root, and root-group accounts
// that can log in.
func (r *run) privileged() {
	for i := range r.db.Users {
		u := &r.db.Users[i]
		if u.UID == 0 && u.Name != "root" {
			f := userFinding(ruleUID0, u, "uid0")
			if u.RawUID != "0" {
				f.Evidence.Extra["raw_uid"] = u.RawUID
			}
			r.env.Emit(f.WithSeverity(model.Critical).WithConfidence(model.ConfHigh))
			continue
		}
		if u.UID == 0 {
			continue
		}
		if u.GID == 0 && u.CanLogIn() {
			st, _ := r.db.PasswordState(u)
			sev := model.Medium
			if st == users.PwHash || st == users.PwEmpty {
				sev = model.High
			}
			f := userFinding(ruleGID0, u, "primary")
			f.Evidence.Extra["password"] = st.String()
			r.env.Emit(f.WithSeverity(sev))
		}
	}
	// Secondary members of the gid 0 group.
	for _, g := range r.db.Groups {
		if g.GID != 0 {
			continue
		}
		for _, m := range g.Members {
			if m == "root" {
				continue
			}
			f := model.Finding{
				RuleID: ruleGID0, Subject: "account " + m, Key: m + "\x00member",
				Evidence: model.Evidence{Path: users.GroupPath, Line: g.Line, Text: g.Text, User: m,
					Extra: map[string]string{"group": g.Name}},
			}
			r.env.Emit(f.WithSeverity(model.Medium))
		}
	}
}

// duplicates: several accounts sharing a uid, groups sharing a gid.
func (r *run) duplicates() {
	byUID := map[int][]*users.User{}
	for i := range r.db.Users {
		u := &r.db.Users[i]
		byUID[u.UID] = append(byUID[u.UID], u)
	}
	for _, uid := range sortedKeys(byUID) {
		list := byUID[uid]
		if len(list) < 2 {
			continue
		}
		sev := model.Medium
		if uid == 0 {
			// A non-root uid 0 account is already reported (critical); a
			// second "root" line is what is left to say.
			nonRoot := false
			for _, u := range list {
				nonRoot = nonRoot || u.Name != "root"
			}
			if nonRoot {
				continue
			}
			sev = model.High
		}
		names := make([]string, len(list))
		lines := make([]string, len(list))
		for i, u := range list {
			names[i] = u.Name
			lines[i] = strconv.Itoa(u.Line)
		}
		u := list[1]
		f := model.Finding{
			RuleID: ruleDupUID, Subject: "uid " + strconv.Itoa(uid) + " (" + strings.Join(names, ", ") + ")",
			Key: "uid\x00" + strconv.Itoa(uid),
			Evidence: model.Evidence{Path: users.PasswdPath, Line: u.Line, Text: u.Redacted(), User: u.Name,
				Extra: map[string]string{"accounts": strings.Join(names, ","), "lines": strings.Join(lines, ",")}},
		}
		r.env.Emit(f.WithSeverity(sev))
	}
	byGID := map[int][]users.Group{}
	for _, g := range r.db.Groups {
		byGID[g.GID] = append(byGID[g.GID], g)
	}
	for _, gid := range sortedKeys(byGID) {
		list := byGID[gid]
		if len(list) < 2 {
			continue
		}
		names := make([]string, len(list))
		for i, g := range list {
			names[i] = g.Name
		}
		sev := model.Medium
		if gid == 0 {
			sev = model.High
		}
		f := model.Finding{
			RuleID: ruleDupGID, Subject: "gid " + strconv.Itoa(gid) + " (" + strings.Join(names, ", ") + ")",
			Key: "gid\x00" + strconv.Itoa(gid),
			Evidence: model.Evidence{Path: users.GroupPath, Line: list[1].Line, Text: list[1].Text,
				Extra: map[string]string{"groups": strings.Join(names, ",")}},
		}
		r.env.Emit(f.WithSeverity(sev))
	}
}

func sortedKeys[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// passwords: accounts anyone can log into without a password, and hashes
// kept in the world-readable passwd file.
func (r *run) passwords() {
	for i := range r.db.Users {
		u := &r.db.Users[i]
		login := u.CanLogIn()
		switch {
		case u.Password == "":
			f := userFinding(rulePwEmpty, u, "passwd")
			f.Evidence.Extra["where"] = "passwd"
			sev := model.Critical
			if !login {
				sev = model.Medium
			}
			r.env.Emit(f.WithSeverity(sev).WithConfidence(model.ConfHigh))
		case u.Password != "x" && users.HashState(u.Password) == users.PwHash:
			f := userFinding(rulePwInPasswd, u, "passwd")
			r.env.Emit(f.WithSeverity(model.High))
		case u.Password == "x":
			s, ok := r.db.ShadowOf(u.Name)
			if !ok || s.Hash != "" {
				continue
			}
			sev := model.Low
			switch {
			case login && u.UID == 0:
				sev = model.Critical
			case login:
				sev = model.High
			}
			f := userFinding(rulePwEmpty, u, "shadow")
			f.Evidence.Path, f.Evidence.Line, f.Evidence.Text = users.ShadowPath, s.Line, s.Redacted()
			f.Evidence.Extra["where"] = "shadow"
			r.env.Emit(f.WithSeverity(sev).WithConfidence(model.ConfHigh))
		}
	}
}

// hidden: an account in only one of passwd and shadow was written by hand
// (useradd and userdel keep both in step).
func (r *run) hidden() {
	if !r.db.ShadowRead || len(r.db.Shadow) == 0 {
		return
	}
	for i := range r.db.Users {
		u := &r.db.Users[i]
		if u.Password != "x" || !u.CanLogIn() {
			continue
		}
		if _, ok := r.db.ShadowOf(u.Name); !ok {
			r.env.Emit(userFinding(ruleNoShadow, u, "no-shadow").WithSeverity(model.High))
		}
	}
	for i := range r.db.Shadow {
		s := &r.db.Shadow[i]
		if _, ok := r.db.ByName(s.Name); ok {
			continue
		}
		sev := model.Medium
		if users.HashState(s.Hash) == users.PwLocked {
			sev = model.Low
		}
		r.env.Emit(model.Finding{
			RuleID: ruleNoPasswd, Subject: "account " + s.Name, Key: s.Name,
			Evidence: model.Evidence{Path: users.ShadowPath, Line: s.Line, Text: s.Redacted(), User: s.Name},
		}.WithSeverity(sev))
	}
}

// recent: login accounts created or given a password in the last week,
// and account files modified in that time.
func (r *run) recent() {
	for i := range r.db.Users {
		u := &r.db.Users[i]
		if !u.CanLogIn() {
			continue
		}
		day, ok := r.recentlyChanged(u)
		if !ok {
			continue
		}
		s, _ := r.db.ShadowOf(u.Name)
		when := daysToTime(day)
		f := userFinding(ruleRecent, u, "lastchange")
		f.Evidence.Path, f.Evidence.Line, f.Evidence.Text = users.ShadowPath, s.Line, s.Redacted()
		f.Evidence.When = when.Format("2006-01-02")
		f.Evidence.Extra["last_change"] = when.Format("2006-01-02")
		r.env.Emit(f.WithSeverity(model.Medium).WithConfidence(model.ConfLow))
	}
	files := []struct {
		path string
		read bool
		mt   time.Time
	}{
		{users.PasswdPath, r.db.PasswdRead, r.db.PasswdMTime},
		{users.ShadowPath, r.db.ShadowRead, r.db.ShadowMTime},
		{users.GroupPath, r.db.GroupRead, r.db.GroupMTime},
	}
	for _, fl := range files {
		if !fl.read || fl.mt.IsZero() || fl.mt.After(r.now) || r.now.Sub(fl.mt) > recentWindow {
			continue
		}
		m := fl.mt.UTC()
		r.env.Emit(model.Finding{
			RuleID: ruleFilesChanged, Subject: fl.path, Key: fl.path,
			Evidence: model.Evidence{Path: fl.path, MTime: &m,
				Extra: map[string]string{"mtime": m.Format(time.RFC3339)}},
		}.WithSeverity(model.Info))
	}
}
