package ssh

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// dormantKeyFile lists a key file sshd does not read with the current
// configuration: the keys wait for one changed line of sshd_config (or for
// openssh-server), and each is still judged on its own.
// The evidence points at the first key.
func (r *run) dormantKeyFile(acct *account, base model.Evidence, keys []authKey) {
	sev := model.Low
	if acct != nil {
		if svc, _ := acct.isService(); svc || acct.uid == 0 {
			sev = model.Medium
		}
	}
	f := model.Finding{RuleID: ruleKeyDormant, Key: base.Path, Evidence: withExtra(base, "keys", strconv.Itoa(len(keys)))}
	f.Evidence.Line, f.Evidence.Text = keys[0].line, keys[0].short()
	r.emit(f.WithSeverity(sev).WithConfidence(model.ConfHigh))
}

// badKeyLine reports an authorized_keys line sshd rejects. A broken line is
// most often a botched paste, but a planted key with a typo, or a forced
// command in a mangled option list, is an attempt worth seeing: graded up
// when it carries options that run or set something, or lets in root or a
// service account.
func (r *run) badKeyLine(kf *keyFile, acct *account, bl badLine, mt *time.Time) {
	sev := model.Low
	var inds []string
	lower := strings.ToLower(bl.text)
	if strings.Contains(lower, "command=") || strings.Contains(lower, "environment=") {
		sev = model.Medium
		for _, m := range r.judgeCommand(bl.text, model.Medium).inds {
			inds = appendUnique(inds, m)
		}
	}
	if acct != nil {
		if svc, _ := acct.isService(); svc || acct.uid == 0 {
			sev = model.Medium
		}
	}
	f := model.Finding{
		RuleID: ruleKeyBadLine, Subject: kf.user() + " " + kf.path + ":" + strconv.Itoa(bl.line), Indicators: inds,
		Evidence: model.Evidence{Path: kf.path, Line: bl.line, Text: textclip.Clip(bl.text, 300), User: kf.user(), MTime: mt, When: "login",
			Extra: map[string]string{"problem": bl.reason}},
	}
	if kf.dormant != nil {
		f.Evidence.Extra["dormant"] = kf.dormant.code
		f.Evidence.Note = kf.dormant.note
	}
	r.emit(f.WithSeverity(sev).WithConfidence(model.ConfMedium))
}
