package ssh

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// sshPrograms are the OpenSSH programs a wrapper backdoor replaces. A
// missing one is "not installed", never "tampered".
var sshPrograms = []string{
	"/usr/sbin/sshd", "/usr/bin/ssh",
	"/usr/lib/openssh/sshd-session", "/usr/libexec/openssh/sshd-session",
	"/usr/lib/openssh/sshd-auth", "/usr/libexec/openssh/sshd-auth",
}

// scriptReadLimit bounds how much of a wrapper script is graded.
const scriptReadLimit = 64 << 10

// checkBinaries flags an OpenSSH program that is a script: the classic
// wrapper that logs passwords or opens a backdoor, then execs the real
// binary moved aside.
func (r *run) checkBinaries() {
	for _, p := range sshPrograms {
		st, err := r.t.Stat(p)
		if err != nil {
			target.Record(r.env, p, err)
			continue
		}
		if !st.Mode().IsRegular() {
			continue
		}
		f, err := r.t.Open(p)
		if err != nil {
			target.Record(r.env, p, err)
			continue
		}
		head, err := io.ReadAll(io.LimitReader(f, scriptReadLimit))
		f.Close()
		if err != nil {
			target.Record(r.env, p, err)
			continue
		}
		if bytes.HasPrefix(head, []byte("\x7fELF")) {
			continue
		}
		fd := model.Finding{
			RuleID: ruleBinaryScript,
			Key:    p,
			Evidence: model.Evidence{
				Path: p, User: "root", When: "login", MTime: mtimeOf(st), Package: r.pk.Owner(p),
				Extra: map[string]string{"integrity": "compare with the package digest: see the integrity detector's findings for this path"},
			},
		}
		sev, conf := model.High, model.ConfMedium
		if bytes.HasPrefix(head, []byte("#!")) {
			sev, conf = model.Critical, model.ConfHigh
			lines := strings.Split(string(head), "\n")
			fd.Evidence.Line, fd.Evidence.Text = 1, textclip.Clip(strings.TrimSpace(lines[0]), 200)
			fd.Evidence.Extra["kind"] = "script"
			for i, l := range lines[1:] {
				if _, ok := fd.Evidence.Extra["exec_line"]; !ok && strings.Contains(l, "exec") {
					// The real program the wrapper hands over to, moved aside.
					fd.Evidence.Extra["exec_line"] = strconv.Itoa(i+2) + ": " + textclip.Clip(strings.TrimSpace(l), 200)
				}
				for _, m := range cmdscan.Scan(l) {
					fd.Indicators = appendUnique(fd.Indicators, m.ID)
					if _, ok := fd.Evidence.Extra["fragment"]; !ok {
						fd.Evidence.Extra["fragment"] = m.Fragment
						fd.Evidence.Extra["fragment_line"] = strconv.Itoa(i + 2)
					}
				}
			}
		} else {
			fd.Evidence.Extra["kind"] = "not an ELF program"
			fd.Evidence.Text = textclip.Clip(strings.ToValidUTF8(string(head[:min(len(head), 32)]), "?"), 64)
		}
		r.emit(fd.WithSeverity(sev).WithConfidence(conf))
	}
}
