package users

import (
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/target"
)

// Account database paths inside the target.
const (
	PasswdPath  = "/etc/passwd"
	ShadowPath  = "/etc/shadow"
	GroupPath   = "/etc/group"
	GShadowPath = "/etc/gshadow"
)

// User is one /etc/passwd entry.
type User struct {
	Name     string
	Password string // the passwd field: "x" when the hash lives in shadow
	UID      int
	GID      int
	RawUID   string // the UID field as written (differs from UID when it was truncated)
	RawGID   string
	Gecos    string
	Home     string
	Shell    string
	Line     int    // 1-based line in /etc/passwd
	Text     string // the line as written (CR trimmed)
}

// Shadow is one /etc/shadow entry.
type Shadow struct {
	Name       string
	Hash       string // "" (no password), "!", "*", "!$6$...", "$6$..."
	LastChange int    // days since 1970-01-01; -1 when empty or unparsable
	Expire     int    // account expiry in days since 1970-01-01; -1 when none
	Line       int
	Fields     int // number of fields on the line
}

// Redacted returns the shadow line with the hash replaced, for evidence:
// reports must not carry password hashes.
func (s *Shadow) Redacted() string {
	h := s.Hash
	if IsCryptHash(strings.TrimLeft(h, "!")) {
		h = h[:len(h)-len(strings.TrimLeft(h, "!"))] + "<hash>"
	}
	return s.Name + ":" + h + ":" + days(s.LastChange) + ":..."
}

func days(d int) string {
	if d < 0 {
		return ""
	}
	return itoa(d)
}

// Group is one /etc/group entry.
type Group struct {
	Name     string
	Password string
	GID      int
	RawGID   string
	Members  []string
	Line     int
	Text     string
}

// GShadow is one /etc/gshadow entry.
type GShadow struct {
	Name     string
	Password string
	Admins   []string
	Members  []string
	Line     int
}

// Compat is a NIS compat line ("+", "+user", "-@netgroup", "+::0:0:::")
// found in one of the account files; glibc's files backend does not take
// it as an account, but the compat backend does.
type Compat struct {
	Path string
	Line int
	Text string
}

// Home is one home directory and the accounts that share it.
type Home struct {
	Dir   string
	Users []string
}

// DB is the parsed account database. It is read-only once loaded and safe
// for concurrent readers.
type DB struct {
	Users   []User
	Shadow  []Shadow
	Groups  []Group
	GShadow []GShadow
	Compat  []Compat

	// Whether each file was read (false: absent or unreadable, see gaps).
	PasswdRead, ShadowRead, GroupRead, GShadowRead bool

	// Modification times; zero when unknown.
	PasswdMTime, ShadowMTime, GroupMTime time.Time

	// UIDMin is UID_MIN from /etc/login.defs (1000 when absent): accounts
	// below it are system accounts.
	UIDMin int

	byName   map[string]int
	byUID    map[int]int
	shadowBy map[string]int
	groupBy  map[string]int
	gidBy    map[int]int
	homes    []Home
}

// Load reads the account files of t, recording what it cannot read on rec.
// It never fails: a missing or broken file leaves its part empty.
func Load(t *target.Target, rec target.Recorder) *DB {
	db := &DB{}
	if b, ok := t.ReadFileRec(rec, PasswdPath, 0); ok {
		db.PasswdRead = true
		db.Users, db.Compat = parsePasswd(PasswdPath, b, rec, db.Compat)
	}
	if b, ok := t.ReadFileRec(rec, ShadowPath, 0); ok {
		db.ShadowRead = true
		db.Shadow, db.Compat = parseShadow(ShadowPath, b, rec, db.Compat)
	}
	if b, ok := t.ReadFileRec(rec, GroupPath, 0); ok {
		db.GroupRead = true
		db.Groups, db.Compat = parseGroup(GroupPath, b, rec, db.Compat)
	}
	if b, ok := t.ReadFileRec(rec, GShadowPath, 0); ok {
		db.GShadowRead = true
		db.GShadow, db.Compat = parseGShadow(GShadowPath, b, rec, db.Compat)
	}
	db.UIDMin = loginDefsUIDMin(t, rec)
	db.PasswdMTime = mtime(t, PasswdPath)
	db.ShadowMTime = mtime(t, ShadowPath)
	db.GroupMTime = mtime(t, GroupPath)
	db.index()
	db.homes = findHomes(t, db)
	return db
}

func mtime(t *target.Target, p string) time.Time {
	st, err := t.Stat(p)
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}

// New builds a DB from already parsed entries (for tests and callers that
// parse other files, such as /etc/passwd- backups). Home directories are
// not looked up.
func New(us []User, sh []Shadow, gs []Group) *DB {
	db := &DB{Users: us, Shadow: sh, Groups: gs, PasswdRead: true, ShadowRead: sh != nil, GroupRead: gs != nil, UIDMin: defaultUIDMin}
	db.index()
	return db
}

func (db *DB) index() {
	db.byName = make(map[string]int, len(db.Users))
	db.byUID = make(map[int]int, len(db.Users))
	// The first entry wins, as for getpwnam/getpwuid.
	for i, u := range db.Users {
		if _, dup := db.byName[u.Name]; !dup {
			db.byName[u.Name] = i
		}
		if _, dup := db.byUID[u.UID]; !dup {
			db.byUID[u.UID] = i
		}
	}
	db.shadowBy = make(map[string]int, len(db.Shadow))
	for i, s := range db.Shadow {
		if _, dup := db.shadowBy[s.Name]; !dup {
			db.shadowBy[s.Name] = i
		}
	}
	db.groupBy = make(map[string]int, len(db.Groups))
	db.gidBy = make(map[int]int, len(db.Groups))
	for i, g := range db.Groups {
		if _, dup := db.groupBy[g.Name]; !dup {
			db.groupBy[g.Name] = i
		}
		if _, dup := db.gidBy[g.GID]; !dup {
			db.gidBy[g.GID] = i
		}
	}
}

const defaultUIDMin = 1000

func loginDefsUIDMin(t *target.Target, rec target.Recorder) int {
	b, ok := t.ReadFileRec(rec, "/etc/login.defs", 1<<20)
	if !ok {
		return defaultUIDMin
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "UID_MIN" {
			if n, err := strconv.Atoi(f[1]); err == nil && n > 0 && n <= 60000 {
				return n
			}
		}
	}
	return defaultUIDMin
}

// IsSystem reports whether u is a system (daemon) account: a uid below
// UID_MIN or in the nobody range (65534 and up). root is not one.
func (db *DB) IsSystem(u *User) bool {
	return u.UID != 0 && (u.UID < db.UIDMin || u.UID >= 65534)
}

// ByName returns the first passwd entry named name.
func (db *DB) ByName(name string) (*User, bool) {
	i, ok := db.byName[name]
	if !ok {
		return nil, false
	}
	return &db.Users[i], true
}

// ByUID returns the first passwd entry with uid (the one the system shows
// for files owned by it).
func (db *DB) ByUID(uid int) (*User, bool) {
	i, ok := db.byUID[uid]
	if !ok {
		return nil, false
	}
	return &db.Users[i], true
}

// UserName returns the name of uid, or the number as text.
func (db *DB) UserName(uid int) string {
	if u, ok := db.ByUID(uid); ok {
		return u.Name
	}
	return itoa(uid)
}

// ShadowOf returns the first shadow entry named name.
func (db *DB) ShadowOf(name string) (*Shadow, bool) {
	i, ok := db.shadowBy[name]
	if !ok {
		return nil, false
	}
	return &db.Shadow[i], true
}

// Group returns the first group named name.
func (db *DB) Group(name string) (*Group, bool) {
	i, ok := db.groupBy[name]
	if !ok {
		return nil, false
	}
	return &db.Groups[i], true
}

// GroupByGID returns the first group with gid.
func (db *DB) GroupByGID(gid int) (*Group, bool) {
	i, ok := db.gidBy[gid]
	if !ok {
		return nil, false
	}
	return &db.Groups[i], true
}

// GroupsOf returns the names of the groups user belongs to: its primary
// group and every group listing it as a member, sorted, without duplicates.
func (db *DB) GroupsOf(name string) []string {
	set := map[string]bool{}
	if u, ok := db.ByName(name); ok {
		if g, ok := db.GroupByGID(u.GID); ok {
			set[g.Name] = true
		}
	}
	for _, g := range db.Groups {
		for _, m := range g.Members {
			if m == name {
				set[g.Name] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for g := range set {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

// Homes returns every existing home directory of the accounts (root
// included), each with the accounts that use it, sorted by directory. When
// /etc/passwd could not be read, it falls back to /root and /home/* so that
// checks reading users' files do not silently see nothing.
func (db *DB) Homes() []Home { return db.homes }

// HomeDirs returns the directories of Homes.
func (db *DB) HomeDirs() []string {
	out := make([]string, len(db.homes))
	for i, h := range db.homes {
		out[i] = h.Dir
	}
	return out
}

func findHomes(t *target.Target, db *DB) []Home {
	byDir := map[string][]string{}
	add := func(dir, user string) {
		if dir == "" || !strings.HasPrefix(dir, "/") {
			return
		}
		dir = path.Clean(dir)
		if _, seen := byDir[dir]; !seen {
			st, err := t.Stat(dir)
			if err != nil || !st.IsDir() {
				return
			}
		}
		if user != "" && !contains(byDir[dir], user) {
			byDir[dir] = append(byDir[dir], user)
		} else if byDir[dir] == nil {
			byDir[dir] = []string{}
		}
	}
	for _, u := range db.Users {
		add(u.Home, u.Name)
	}
	if _, ok := db.ByUID(0); !ok || !db.PasswdRead {
		add("/root", "root")
	}
	if !db.PasswdRead {
		if ents, err := t.ReadDir("/home"); err == nil {
			for _, e := range ents {
				if e.Type()&fs.ModeSymlink == 0 && e.IsDir() {
					add(path.Join("/home", e.Name()), "")
				}
			}
		}
	}
	out := make([]Home, 0, len(byDir))
	for d, us := range byDir {
		out = append(out, Home{Dir: d, Users: us})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dir < out[j].Dir })
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// noLoginShells are programs that end a login at once. They only count as
// such in the system program directories: /tmp/nologin may be a copied bash.
var noLoginShells = map[string]bool{"nologin": true, "false": true, "true": true, "sync": true, "halt": true, "shutdown": true}

var systemBinDirs = map[string]bool{"/bin": true, "/sbin": true, "/usr/bin": true, "/usr/sbin": true}

// LoginShell reports whether shell gives an interactive session: anything
// but nologin, false, true, sync, halt or shutdown in a system program
// directory, or /dev/null. An empty shell field is a login shell: login(1)
// and sshd run /bin/sh for it.
func LoginShell(shell string) bool {
	shell = strings.TrimSpace(shell)
	if shell == "" {
		return true
	}
	if shell == "/dev/null" {
		return false
	}
	dir, base := path.Split(path.Clean(shell))
	return !(noLoginShells[base] && systemBinDirs[strings.TrimSuffix(dir, "/")])
}

// CanLogIn reports whether u has a login shell. It says nothing about the
// password; see (*DB).PasswordState.
func (u *User) CanLogIn() bool { return LoginShell(u.Shell) }
