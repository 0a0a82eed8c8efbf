package ssh

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// defaultKeysFiles is sshd's AuthorizedKeysFile default.
var defaultKeysFiles = []string{".ssh/authorized_keys", ".ssh/authorized_keys2"}

// recentWindow is how fresh a change to root's keys must be to stand out.
const recentWindow = 7 * 24 * time.Hour

// keyFile is one authorized_keys file and the accounts it lets in.
type keyFile struct {
	path    string
	accts   []account // empty for a file shared by every account
	dormant *dormancy // why sshd does not read it now; nil when it does
}

func (k *keyFile) user() string {
	if len(k.accts) == 0 {
		return "*"
	}
	return k.accts[0].name
}

// keysPattern is an AuthorizedKeysFile pattern and why sshd does not read
// the files it names with the current configuration ("" when it does).
type keysPattern struct {
	pat     string
	dormant *dormancy
}

// dormancy is why sshd does not read a key file: a language-neutral code
// (evidence Extra "dormant") and the words (evidence Note).
type dormancy struct {
	code string
	note model.Message
}

// keysPatterns returns every AuthorizedKeysFile pattern sshd may use, then
// the defaults it does not use now: a key there is dormant, not harmless
// (one line of sshd_config brings it back), so it is still read and judged.
func (r *run) keysPatterns() []keysPattern {
	var active []string
	var dormantWhy *dormancy
	switch {
	case r.sshd == nil:
		active = defaultKeysFiles
		if !r.sshdInstalled() {
			active, dormantWhy = nil, &dormancy{"no-sshd", model.Msg("ssh.note.sshd-not-installed")}
		}
	default:
		g, global := r.sshd.first("authorizedkeysfile")
		if !global {
			active = append(active, defaultKeysFiles...)
		}
		for _, d := range r.sshd.all("authorizedkeysfile") {
			for _, a := range d.args {
				if !strings.EqualFold(a, "none") {
					active = appendUnique(active, a)
				}
			}
		}
		if global {
			dormantWhy = &dormancy{"keys-file", model.Msg("ssh.note.keys-file-not-named", g.file, g.line)}
		}
	}
	var out []keysPattern
	for _, a := range active {
		out = append(out, keysPattern{pat: a})
	}
	for _, d := range defaultKeysFiles {
		if !slices.Contains(active, d) {
			out = append(out, keysPattern{pat: d, dormant: dormantWhy})
		}
	}
	return out
}

// sshdPrograms are where distributions install the SSH server.
var sshdPrograms = []string{"/usr/sbin/sshd", "/sbin/sshd", "/usr/local/sbin/sshd"}

func (r *run) sshdInstalled() bool {
	for _, p := range sshdPrograms {
		if _, err := r.t.Stat(p); err == nil {
			return true
		}
	}
	return false
}

// expandKeysPattern applies sshd's tokens for account a; relative patterns
// are relative to the home.
func expandKeysPattern(pat string, a account) string {
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		if pat[i] != '%' || i+1 >= len(pat) {
			b.WriteByte(pat[i])
			continue
		}
		i++
		switch pat[i] {
		case '%':
			b.WriteByte('%')
		case 'h':
			b.WriteString(a.home)
		case 'u':
			b.WriteString(a.name)
		case 'U':
			b.WriteString(strconv.Itoa(a.uid))
		default:
			b.WriteByte('%')
			b.WriteByte(pat[i])
		}
	}
	p := b.String()
	if !strings.HasPrefix(p, "/") {
		p = path.Join(a.home, p)
	}
	return target.Clean(p)
}

func perUserPattern(pat string) bool {
	return !strings.HasPrefix(pat, "/") || strings.Contains(pat, "%h") || strings.Contains(pat, "%u") || strings.Contains(pat, "%U")
}

// keyFiles lists the files to read, each once.
func (r *run) keyFiles() []*keyFile {
	var out []*keyFile
	byPath := map[string]*keyFile{}
	for _, kp := range r.keysPatterns() {
		pat := kp.pat
		if !perUserPattern(pat) {
			p := target.Clean(strings.ReplaceAll(pat, "%%", "%"))
			if byPath[p] == nil {
				byPath[p] = &keyFile{path: p, dormant: kp.dormant}
				out = append(out, byPath[p])
			}
			continue
		}
		for _, a := range r.accts {
			if a.home == "" {
				continue
			}
			p := expandKeysPattern(pat, a)
			if kf := byPath[p]; kf != nil {
				if len(kf.accts) > 0 {
					kf.accts = append(kf.accts, a)
				}
				continue
			}
			byPath[p] = &keyFile{path: p, accts: []account{a}, dormant: kp.dormant}
			out = append(out, byPath[p])
		}
	}
	return out
}

// sharedKey records where one key appears.
type sharedKey struct {
	users map[string]bool
	first model.Evidence
}

// checkAuthorizedKeys reads every authorized_keys file.
func (r *run) checkAuthorizedKeys() {
	seen := map[string]*sharedKey{}
	var order []string
	for _, kf := range r.keyFiles() {
		for _, k := range r.scanKeyFile(kf) {
			s := seen[k.fp]
			if s == nil {
				s = &sharedKey{users: map[string]bool{}, first: k.ev}
				seen[k.fp] = s
				order = append(order, k.fp)
			}
			s.users[kf.user()] = true
		}
	}
	for _, fp := range order {
		s := seen[fp]
		if len(s.users) < 2 {
			continue
		}
		users := make([]string, 0, len(s.users))
		for u := range s.users {
			users = append(users, u)
		}
		sort.Strings(users)
		f := model.Finding{RuleID: ruleKeyShared, Subject: fp, Key: fp, Evidence: s.first}
		f.Evidence.User = strings.Join(users, ",")
		f.Evidence.Extra = map[string]string{"fingerprint": fp, "accounts": strings.Join(users, ","), "count": strconv.Itoa(len(users))}
		r.emit(f.WithSeverity(model.Info).WithConfidence(model.ConfHigh))
	}
}

// seenKey is what scanKeyFile returns for the duplicate check.
type seenKey struct {
	fp string
	ev model.Evidence
}

// scanKeyFile reads one file and emits its findings.
func (r *run) scanKeyFile(kf *keyFile) []seenKey {
	p := kf.path
	lst, err := r.t.Lstat(p)
	if err != nil {
		target.Record(r.env, p, err)
		return nil
	}
	st, err := r.t.Stat(p)
	if err != nil {
		target.Record(r.env, p, err)
		return nil
	}
	if !st.Mode().IsRegular() {
		if !st.IsDir() {
			r.env.GapMsg(model.GapSkipped, p, model.Msg("gap.not-regular-type", st.Mode().Type().String()))
		}
		return nil
	}
	b, ok := r.t.ReadFileRec(r.env, p, keysLimit)
	if !ok {
		return nil
	}
	keys, bad := parseAuthorizedKeys(b)
	var acct *account
	if len(kf.accts) > 0 {
		acct = &kf.accts[0]
	}
	for _, bl := range bad {
		r.env.GapMsg(model.GapError, fmt.Sprintf("%s:%d", p, bl.line), bl.why)
		r.badKeyLine(kf, acct, bl, mtimeOf(st))
	}
	r.checkKeyFilePerms(kf, st)
	if len(keys) == 0 {
		return nil
	}
	mtime := mtimeOf(st)
	base := model.Evidence{Path: p, User: kf.user(), MTime: mtime, When: "login"}
	if lst.Mode()&fs.ModeSymlink != 0 {
		if dest, err := r.t.Readlink(p); err == nil {
			base.Extra = map[string]string{"symlink": dest}
		}
	}
	switch {
	case kf.dormant != nil:
		base = withExtra(base, "dormant", kf.dormant.code)
		base.Note = kf.dormant.note
		r.dormantKeyFile(acct, base, keys)
	case path.Base(p) == "authorized_keys2":
		f := model.Finding{RuleID: ruleKeys2, Evidence: withExtra(base, "keys", strconv.Itoa(len(keys)))}
		r.emit(f.WithSeverity(model.Low).WithConfidence(model.ConfHigh))
	}
	if acct != nil && acct.uid == 0 && mtime != nil && r.now.Sub(*mtime) < recentWindow {
		f := model.Finding{RuleID: ruleKeyRootRecent, Key: p, Evidence: withExtra(base, "keys", strconv.Itoa(len(keys)))}
		f.Evidence.Extra["changed"] = mtime.Format(time.RFC3339)
		r.emit(f.WithSeverity(model.Medium).WithConfidence(model.ConfMedium))
	}
	out := make([]seenKey, 0, len(keys))
	nth := map[string]int{}
	for i := range keys {
		k := &keys[i]
		nth[k.fingerprint]++
		ev := base
		ev.Line, ev.Text = k.line, k.short()
		ev.Extra = map[string]string{"fingerprint": k.fingerprint, "type": k.keyType}
		for kk, vv := range base.Extra {
			ev.Extra[kk] = vv
		}
		if k.comment != "" {
			ev.Extra["comment"] = textclip.Clip(k.comment, 200)
		}
		if o := k.optionsText(); o != "" {
			ev.Extra["options"] = textclip.Clip(o, 400)
		}
		if mtime != nil {
			ev.Extra["file_mtime"] = mtime.Format(time.RFC3339)
		}
		r.gradeKey(kf, acct, k, ev, nth[k.fingerprint])
		out = append(out, seenKey{fp: k.fingerprint, ev: ev})
	}
	return out
}

func withExtra(ev model.Evidence, k, v string) model.Evidence {
	m := map[string]string{k: v}
	for kk, vv := range ev.Extra {
		m[kk] = vv
	}
	ev.Extra = m
	return ev
}

// gradeKey emits the inventory finding of one key and whatever its
// options and account make of it.
// n counts the occurrences of the same key in the file (sshd uses the
// first; a later copy with other options still matters to a responder).
func (r *run) gradeKey(kf *keyFile, acct *account, k *authKey, ev model.Evidence, n int) {
	id := ev.Path + "\x00" + k.fingerprint
	if n > 1 {
		id += "\x00" + strconv.Itoa(n)
		ev.Extra["occurrence"] = strconv.Itoa(n)
	}
	who := kf.user()
	subject := who + " " + k.fingerprint
	if k.comment != "" {
		subject += " (" + textclip.Clip(k.comment, 60) + ")"
	}
	inv := model.Finding{RuleID: ruleAuthorizedKey, Subject: subject, Key: id, Evidence: ev}
	r.emit(inv.WithSeverity(model.Info).WithConfidence(model.ConfHigh))

	benignCmd := false
	for _, cmd := range k.option("command") {
		v := r.judgeCommand(cmd, model.Medium)
		if !v.flagged && (benignKeyCommand(cmd, v.program) || refusalCommand(cmd)) {
			benignCmd = true
			continue
		}
		sev, conf := v.sev, v.conf
		if !v.flagged {
			conf = model.ConfLow
			if v.pkg == model.NoPackage {
				v.inds = append(v.inds, indNotPackage)
			}
		}
		f := model.Finding{RuleID: ruleKeyCommand, Subject: who + " command=" + textclip.Clip(cmd, 80), Key: id, Indicators: v.inds, Evidence: ev}
		f.Evidence.Extra = copyExtra(ev.Extra, "command", textclip.Clip(cmd, 400))
		f.Evidence.Package = v.pkg
		if v.fragment != "" {
			f.Evidence.Extra["fragment"] = v.fragment
		}
		r.emit(f.WithSeverity(sev).WithConfidence(conf))
	}
	for _, e := range k.option("environment") {
		name, _, _ := strings.Cut(e, "=")
		sev, conf := model.High, model.ConfHigh
		var inds []string
		if strings.HasPrefix(name, "LD_") {
			sev = model.Critical
			inds = append(inds, indLDPreload)
		}
		f := model.Finding{RuleID: ruleKeyEnv, Subject: who + " environment " + name, Key: id + "\x00" + name, Indicators: inds, Evidence: ev}
		f.Evidence.Extra = copyExtra(ev.Extra, "environment", textclip.Clip(e, 400))
		if !r.userEnvAllowed(name) {
			// sshd drops the variable while PermitUserEnvironment is no;
			// it is still a planted key.
			sev, conf = sev-1, model.ConfMedium
			f.Evidence.Extra["permituserenvironment"] = "no: sshd ignores the variable"
		}
		r.emit(f.WithSeverity(sev).WithConfidence(conf))
	}
	if acct != nil {
		if svc, why := acct.isService(); svc && !benignCmd {
			sev := model.High
			if len(k.option("command")) > 0 && (k.has("restrict") || k.has("no-port-forwarding")) {
				sev = model.Medium // confined to its command, no tunnels
			}
			f := model.Finding{RuleID: ruleKeyService, Subject: who + " " + k.fingerprint, Key: id, Evidence: ev}
			f.Evidence.Extra = copyExtra(ev.Extra, "account", why)
			f.Evidence.Extra["shell"] = acct.shell
			r.emit(f.WithSeverity(sev).WithConfidence(model.ConfHigh))
		}
	}
}

func copyExtra(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}

// benignKeyPrograms are forced commands of git hosting, backup and file
// transfer tools.
var benignKeyPrograms = map[string]bool{
	"gitlab-shell": true, "gitea": true, "forgejo": true, "gogs": true, "git-shell": true,
	"gitolite-shell": true, "gl-auth-command": true, "git-upload-pack": true, "git-receive-pack": true,
	"rrsync": true, "borg": true, "borgbackup": true, "internal-sftp": true, "sftp-server": true,
	"svnserve": true, "hg": true, "validate-rsync": true, "duplicity": true, "restic": true,
	"rdiff-backup": true, "backuppc_rsync": true, "bup": true, "gitlab-sshd": true,
}

func benignKeyCommand(cmd, prog string) bool {
	base := path.Base(prog)
	if benignKeyPrograms[base] {
		return true
	}
	return base == "rsync" && strings.Contains(cmd, "--server")
}

// refusalCommand recognises the forced command cloud images put on root's
// key ("Please login as the user ubuntu ...; sleep 10; exit 142"): it only
// prints and exits.
func refusalCommand(cmd string) bool {
	stmts := splitStatements(cmd)
	if len(stmts) == 0 {
		return false
	}
	words := 0
	for _, s := range stmts {
		w := strings.Fields(s)
		if len(w) == 0 {
			continue
		}
		words++
		switch w[0] {
		case "echo", "printf", "sleep", "exit", "true", "false", "logger":
		default:
			return false
		}
	}
	return words > 0
}

// splitStatements splits a shell line at ; && || outside quotes. Any pipe,
// redirection or substitution makes it return nil (not a plain refusal).
func splitStatements(s string) []string {
	var out []string
	var cur strings.Builder
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
			cur.WriteByte(c)
		case c == '\'' || c == '"':
			q = c
			cur.WriteByte(c)
		case c == ';' || c == '&':
			out = append(out, cur.String())
			cur.Reset()
		case c == '|' || c == '>' || c == '<' || c == '`' || c == '$':
			return nil
		default:
			cur.WriteByte(c)
		}
	}
	if q != 0 {
		return nil
	}
	return append(out, cur.String())
}

// checkKeyFilePerms flags a key file or directory that someone other than
// the account (or root) can change: they could add their own key.
func (r *run) checkKeyFilePerms(kf *keyFile, st fs.FileInfo) {
	var acct *account
	if len(kf.accts) > 0 {
		acct = &kf.accts[0]
	}
	var problems []string
	writable := false
	check := func(p string, fi fs.FileInfo) {
		uid, gid, ok := owner(fi)
		if !ok {
			return
		}
		if uid != 0 && uid != r.trustUID && (acct == nil || uid != acct.uid) {
			want := "root"
			if acct != nil {
				want = acct.name + " or root"
			}
			problems = append(problems, fmt.Sprintf("%s is owned by uid %d, not %s", p, uid, want))
		}
		perm := fi.Mode().Perm()
		switch {
		case perm&0o002 != 0 && fi.Mode()&fs.ModeSticky == 0:
			problems = append(problems, fmt.Sprintf("%s is writable by everyone (%04o)", p, perm))
			writable = true
		case perm&0o020 != 0 && (acct == nil || gid != acct.gid):
			problems = append(problems, fmt.Sprintf("%s is writable by group %d (%04o)", p, gid, perm))
			writable = true
		}
	}
	check(kf.path, st)
	if res, err := r.t.Resolve(kf.path); err == nil && res != kf.path && inWritable(res) {
		problems = append(problems, fmt.Sprintf("%s is a symlink to %s, in a directory everyone can write to", kf.path, res))
		writable = true
	}
	stop := path.Dir(kf.path)
	if acct != nil && strings.HasPrefix(kf.path, strings.TrimSuffix(acct.home, "/")+"/") {
		stop = path.Clean(acct.home)
	}
	for d := path.Dir(kf.path); ; d = path.Dir(d) {
		if fi, err := r.t.Stat(d); err == nil {
			check(d, fi)
		}
		if d == stop || d == "/" {
			break
		}
	}
	if len(problems) == 0 {
		return
	}
	f := model.Finding{
		RuleID: ruleKeyPerms,
		Key:    kf.path,
		Evidence: model.Evidence{
			Path: kf.path, User: kf.user(), MTime: mtimeOf(st), When: "login",
			Text:  textclip.Clip(strings.Join(problems, "; "), 600),
			Extra: map[string]string{"strictmodes": "yes (default): sshd refuses the file until the modes are fixed; the keys in it may already have been used or will work if StrictModes is turned off"},
		},
	}
	if writable {
		f.Indicators = []string{indWritable}
	}
	if r.sshd != nil {
		if d, ok := r.sshd.first("strictmodes"); ok && d.value() == "no" {
			f.Evidence.Extra["strictmodes"] = fmt.Sprintf("no (%s:%d): sshd uses the file as it is", d.file, d.line)
		}
	}
	r.emit(f.WithSeverity(model.High).WithConfidence(model.ConfHigh))
}
