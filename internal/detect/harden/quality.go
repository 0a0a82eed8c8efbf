package harden

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
)

// ruleQuality: the password stack does not make passwords mix letters,
// digits and symbols, as the seeds' policy asks.
const ruleQuality = "harden.password.classes"

// quality is what a pam_pwquality / pam_cracklib configuration asks of
// the characters of a password. A negative credit (dcredit=-1) requires
// at least that many characters of the class; minclass requires that many
// of the four classes (digits, upper case, lower case, others).
type quality struct {
	dcredit, ucredit, lcredit, ocredit, minclass int
	enforcing                                    bool // pwquality's enforce; 0 only warns
	ev                                           model.Evidence
}

// qualityKeys are the settings read, from module arguments and
// pwquality.conf alike.
var qualityKeys = map[string]func(q *quality, n int){
	"dcredit":   func(q *quality, n int) { q.dcredit = n },
	"ucredit":   func(q *quality, n int) { q.ucredit = n },
	"lcredit":   func(q *quality, n int) { q.lcredit = n },
	"ocredit":   func(q *quality, n int) { q.ocredit = n },
	"minclass":  func(q *quality, n int) { q.minclass = n },
	"enforcing": func(q *quality, n int) { q.enforcing = n != 0 },
}

// set applies one "key=value" (or "key = value") setting.
func (q *quality) set(k, v string) bool {
	fn, ok := qualityKeys[strings.TrimSpace(k)]
	if !ok {
		return false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return false
	}
	fn(q, n)
	return true
}

// missing lists the classes of letters, digits and symbols a password
// need not contain under q.
func (q quality) missing() []string {
	var out []string
	if !(q.ucredit < 0 || q.lcredit < 0 || q.minclass >= 3) {
		out = append(out, "letters")
	}
	if !(q.dcredit < 0 || q.minclass >= 4) {
		out = append(out, "digits")
	}
	if !(q.ocredit < 0 || q.minclass >= 4) {
		out = append(out, "symbols")
	}
	return out
}

// passwordQuality judges whether each password stack makes passwords mix
// letters, digits and symbols. pam_passwdqc's own scheme (min=, per number
// of classes) is not judged here; a stack without a quality module
// requires nothing.
func (r *run) passwordQuality() {
	for _, stack := range passwordStacks {
		ls := r.lines(stack)
		if ls == nil {
			continue
		}
		q, judged := r.stackQuality(stack, ls)
		if !judged {
			continue
		}
		miss := q.missing()
		if !q.enforcing {
			miss = []string{"letters", "digits", "symbols"}
		}
		if len(miss) == 0 {
			continue
		}
		ev := q.ev
		// One message per set of missing classes: the class names are
		// words of the reader's language, not arguments.
		ev.Note = model.Msg("harden.note.classes." + strings.Join(miss, "-"))
		if !q.enforcing {
			ev.Note = model.Msg("harden.note.not-enforcing")
		}
		ev.Extra = map[string]string{"missing": strings.Join(miss, ",")}
		r.emit(ruleQuality, fmt.Sprintf("%s: %s not required", stack, strings.Join(miss, ", ")), ev, model.Low, model.ConfHigh)
	}
}

// stackQuality reads the class requirements of a password stack: the
// quality module's arguments over pwquality.conf (and its .d files, last
// wins) over the defaults (no credit required, minclass 0). judged is
// false for pam_passwdqc.
func (r *run) stackQuality(stack string, ls []line) (q quality, judged bool) {
	q = quality{enforcing: true, ev: model.Evidence{Path: stack}}
	for _, l := range ls {
		f := strings.Fields(l.text)
		if len(f) < 3 || strings.TrimPrefix(f[0], "-") != "password" {
			continue
		}
		switch moduleName(f) {
		case "pam_passwdqc.so":
			return q, false
		case "pam_pwquality.so":
			r.pwqualityConfInto(&q)
			fallthrough
		case "pam_cracklib.so":
			if q.ev.Line == 0 {
				q.ev = model.Evidence{Path: l.file, Line: l.n, Text: l.text}
			}
			for _, a := range f[2:] {
				if k, v, ok := strings.Cut(a, "="); ok {
					q.set(k, v)
				}
			}
			return q, true
		}
	}
	return q, true // no quality module: nothing is required
}

// pwqualityConfInto applies pwquality.conf and its .d files.
func (r *run) pwqualityConfInto(q *quality) {
	files := append([]string{"/etc/security/pwquality.conf"}, r.t.Glob("/etc/security/pwquality.conf.d/*.conf")...)
	for _, p := range files {
		for _, l := range r.lines(p) {
			if k, v, ok := strings.Cut(l.text, "="); ok && q.set(k, v) {
				q.ev = model.Evidence{Path: l.file, Line: l.n, Text: l.text}
			}
		}
	}
}
