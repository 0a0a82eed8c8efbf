package ssh

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// Bounds of the private key walk: keys are small files near the top of
// these trees; the walk must stay cheap on a host with a huge /opt.
const (
	privKeyMaxSize  = 64 << 10
	privKeyMaxFiles = 20000 // files of a key's size read per root
	privKeyMaxDepth = 6
)

// privKeyRoot is one tree the walk visits.
type privKeyRoot struct {
	dir      string
	writable bool   // anyone can write there (/tmp)
	web      bool   // served by a web server
	home     string // set for a home: its .ssh is skipped
	user     string
}

// skipDirs hold vendored code and caches whose test fixtures include
// private keys that nobody uses.
var skipDirs = map[string]bool{
	"node_modules": true, ".git": true, ".cache": true, "site-packages": true, "dist-packages": true,
	"vendor": true, "gems": true, "test": true, "tests": true, "testdata": true, "fixtures": true,
	"__pycache__": true, ".npm": true, ".cargo": true, ".rustup": true, "spec": true, ".m2": true,
	".gradle": true, "mod": true, ".nvm": true, ".pyenv": true, ".rbenv": true, "proc": true,
	// Tools that keep the SSH keys of the machines they manage.
	".vagrant.d": true, ".vagrant": true, ".minikube": true, "machine": true, ".multipass": true,
}

func (r *run) privKeyRoots() []privKeyRoot {
	roots := []privKeyRoot{
		{dir: "/tmp", writable: true}, {dir: "/var/tmp", writable: true}, {dir: "/dev/shm", writable: true},
		{dir: "/var/www", web: true}, {dir: "/srv/www", web: true}, {dir: "/opt"},
		{dir: "/root", home: "/root", user: "root"},
	}
	for _, a := range r.accts {
		h := path.Clean(a.home)
		if strings.HasPrefix(h, "/home/") && a.canLogin() {
			roots = append(roots, privKeyRoot{dir: h, home: h, user: a.name})
		}
	}
	// Drop duplicates and homes nested in another root.
	var out []privKeyRoot
	for _, rt := range roots {
		dup := false
		for _, o := range out {
			if rt.dir == o.dir || strings.HasPrefix(rt.dir, o.dir+"/") {
				dup = true
			}
		}
		if !dup {
			out = append(out, rt)
		}
	}
	return out
}

// Walks implements engine.Walker: one spec per private key root, from the
// scan's one walk.
func (d *Detector) Walks(env *engine.Env) []target.WalkSpec {
	r := &run{t: env.Target, accts: loadAccounts(env)}
	var specs []target.WalkSpec
	for _, rt := range r.privKeyRoots() {
		specs = append(specs, target.WalkSpec{Roots: []string{rt.dir}, MaxDepth: privKeyMaxDepth + 1,
			MaxKeep: privKeyMaxFiles, Visit: rt.visit})
	}
	return specs
}

// visit keeps the regular files of a key's size and keeps the walk out of
// vendored code, caches and the home's own .ssh.
func (rt privKeyRoot) visit(e *target.WalkEntry) (keep, prune bool) {
	if e.IsDir() {
		return false, e.Depth > 0 && ((!rt.writable && skipDirs[e.Name]) || (rt.home != "" && e.Path == path.Join(rt.home, ".ssh")))
	}
	if !e.Type.IsRegular() {
		return false, false
	}
	st, err := e.Lstat()
	return err == nil && st.Size <= privKeyMaxSize && st.Size >= 64, false
}

// checkPrivateKeys looks for SSH private keys outside ~/.ssh.
func (r *run) checkPrivateKeys(ctx context.Context) error {
	res, err := r.env.Walked(ctx)
	if err != nil {
		return err
	}
	for i, rt := range r.privKeyRoots() {
		if i >= len(res) {
			break // the accounts changed between Walks and Run: judged next scan
		}
		rs := res[i]
		for _, e := range rs.Errors {
			if !errors.Is(e.Err, target.ErrPseudoFS) {
				target.Record(r.env, e.Path, e.Err)
			}
		}
		for j := range rs.Kept {
			if err := ctx.Err(); err != nil {
				return err
			}
			if info, err := rs.Kept[j].Info(); err == nil {
				r.checkPrivKeyFile(rt, rs.Kept[j].Path, info)
			}
		}
		if rs.Dropped > 0 {
			r.env.GapMsg(model.GapSkipped, rt.dir, model.Msg("ssh.gap.privkey-budget", privKeyMaxFiles))
		}
	}
	return nil
}

// pemKinds are the PEM headers of private keys SSH can use.
var pemKinds = []string{"OPENSSH", "RSA", "EC", "DSA", ""}

// privKeyKind returns the key kind when b starts with a private key PEM
// header ("" kind for PKCS#8).
func privKeyKind(b []byte) (string, bool) {
	b = bytes.TrimLeft(b, " \t\r\n")
	for _, k := range pemKinds {
		h := "-----BEGIN " + k
		if k != "" {
			h += " "
		}
		h += "PRIVATE KEY-----"
		if bytes.HasPrefix(b, []byte(h)) {
			return k, true
		}
	}
	if bytes.HasPrefix(b, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
		return "ENCRYPTED", true
	}
	return "", false
}

func (r *run) checkPrivKeyFile(rt privKeyRoot, p string, info fs.FileInfo) {
	f, err := r.t.Open(p)
	if err != nil {
		target.Record(r.env, p, err)
		return
	}
	head := make([]byte, 80)
	n, _ := io.ReadFull(f, head)
	f.Close()
	kind, ok := privKeyKind(head[:n])
	if !ok {
		return
	}
	name := path.Base(p)
	lower := strings.ToLower(name)
	_, pubErr := r.t.Lstat(p + ".pub")
	sshish := kind == "OPENSSH" || strings.HasPrefix(lower, "id_") || lower == "identity" ||
		strings.Contains(lower, "ssh") || pubErr == nil
	if !sshish && !rt.writable {
		return // most likely a TLS key of a service
	}
	if o := r.pk.Owner(p); o != "" && o != model.NoPackage {
		return // shipped by a package (test or example key)
	}
	b, err := r.t.ReadFile(p, privKeyMaxSize)
	if err != nil {
		target.Record(r.env, p, err)
		return
	}
	enc := privKeyEncrypted(kind, b)
	sev, conf := model.Medium, model.ConfHigh
	if enc {
		sev = model.Low // useless without the passphrase
	}
	if !sshish {
		conf = model.ConfMedium
	}
	label := kind
	if label == "" {
		label = "PKCS#8"
	}
	user := rt.user
	if uid, _, ok := owner(info); ok {
		for _, a := range r.accts {
			if a.uid == uid {
				user = a.name
				break
			}
		}
	}
	fd := model.Finding{
		RuleID: rulePrivateKey,
		Key:    p,
		Evidence: model.Evidence{
			Path: p, Line: 1, Text: firstLine(b), User: user, MTime: mtimeOf(info), Package: model.NoPackage,
			Extra: map[string]string{"format": label, "encrypted": yesNo(enc)},
		},
	}
	if pubErr == nil {
		fd.Evidence.Extra["public_key"] = p + ".pub"
	}
	switch {
	case rt.writable:
		fd.Indicators = []string{indWritable}
	case rt.web:
		fd.Evidence.Extra["location"] = "web root: may be downloadable"
	}
	r.emit(fd.WithSeverity(sev).WithConfidence(conf))
}

func firstLine(b []byte) string {
	b = bytes.TrimLeft(b, " \t\r\n")
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return textclip.Clip(strings.TrimSpace(string(b)), 80)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// privKeyEncrypted reports whether a private key needs a passphrase.
func privKeyEncrypted(kind string, b []byte) bool {
	switch kind {
	case "ENCRYPTED":
		return true
	case "OPENSSH":
		return opensshCipher(b) != "none"
	default:
		return bytes.Contains(b, []byte("Proc-Type: 4,ENCRYPTED"))
	}
}

// opensshCipher reads the cipher name of an openssh-key-v1 key ("" when it
// cannot tell).
func opensshCipher(b []byte) string {
	var body strings.Builder
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "-----") {
			continue
		}
		body.WriteString(l)
	}
	raw, err := base64.StdEncoding.DecodeString(body.String())
	if err != nil {
		return ""
	}
	const magic = "openssh-key-v1\x00"
	if !bytes.HasPrefix(raw, []byte(magic)) || len(raw) < len(magic)+4 {
		return ""
	}
	raw = raw[len(magic):]
	n := binary.BigEndian.Uint32(raw)
	if int(n) > len(raw)-4 || n > 64 {
		return ""
	}
	return string(raw[4 : 4+n])
}
