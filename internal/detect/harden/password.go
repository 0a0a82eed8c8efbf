package harden

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
)

// passwordStacks are the PAM files that hold the password stack: Debian
// and Ubuntu's, RHEL and SUSE's.
var passwordStacks = []string{"/etc/pam.d/common-password", "/etc/pam.d/system-auth", "/etc/pam.d/password-auth"}

// Defaults of minlen when no argument or configuration sets it.
const (
	pwqualityDefault = 8 // pam_pwquality / pwquality.conf
	cracklibDefault  = 9 // pam_cracklib
	unixDefault      = 6 // pam_unix (Linux-PAM)
)

// passwordLength judges the minimum length the password stack enforces.
func (r *run) passwordLength() {
	for _, stack := range passwordStacks {
		ls := r.lines(stack)
		if ls == nil {
			continue
		}
		n, ev := r.stackMinLen(stack, ls)
		if n >= minPasswordLength {
			continue
		}
		ev.Note = model.Msg("harden.note.min-length", n, minPasswordLength)
		r.emit(ruleMinLength, fmt.Sprintf("%s: minlen %d", stack, n), ev, model.Medium, model.ConfHigh)
	}
}

// stackMinLen returns the minimum length a password stack enforces and the
// evidence of where it comes from (the line, or the module line whose
// default applies).
func (r *run) stackMinLen(stack string, ls []line) (int, model.Evidence) {
	var unix *line
	for i, l := range ls {
		f := strings.Fields(l.text)
		if len(f) < 3 || strings.TrimPrefix(f[0], "-") != "password" {
			continue
		}
		mod := moduleName(f)
		ev := model.Evidence{Path: l.file, Line: l.n, Text: l.text}
		switch mod {
		case "pam_pwquality.so", "pam_cracklib.so":
			if n, ok := intArg(minlenRe, l.text); ok {
				return n, ev
			}
			if mod == "pam_cracklib.so" {
				return cracklibDefault, ev
			}
			if n, cev, ok := r.pwqualityConf(); ok {
				return n, cev
			}
			return pwqualityDefault, ev
		case "pam_passwdqc.so":
			if n, ok := passwdqcMin(l.text); ok {
				return n, ev
			}
			return 8, ev // passwdqc's min=disabled,24,11,8,7: 8 for four classes
		case "pam_unix.so":
			if unix == nil {
				unix = &ls[i]
			}
		}
	}
	if unix != nil {
		ev := model.Evidence{Path: unix.file, Line: unix.n, Text: unix.text}
		if n, ok := intArg(minlenRe, unix.text); ok {
			return n, ev
		}
		return unixDefault, ev
	}
	return unixDefault, model.Evidence{Path: stack}
}

// moduleName is the module of a PAM line's fields (type, control, module
// ...), the control possibly a [...] list spanning fields.
func moduleName(f []string) string {
	i := 1
	if strings.HasPrefix(f[1], "[") {
		for i < len(f) && !strings.HasSuffix(f[i], "]") {
			i++
		}
	}
	if i+1 >= len(f) {
		return ""
	}
	m := f[i+1]
	return m[strings.LastIndexByte(m, '/')+1:]
}

// pwqualityConf returns minlen from pwquality.conf and its .d files (the
// last setting wins, as libpwquality reads them).
func (r *run) pwqualityConf() (int, model.Evidence, bool) {
	n, ev, found := 0, model.Evidence{}, false
	files := append([]string{"/etc/security/pwquality.conf"}, r.t.Glob("/etc/security/pwquality.conf.d/*.conf")...)
	for _, p := range files {
		for _, l := range r.lines(p) {
			k, v, ok := strings.Cut(l.text, "=")
			if !ok || strings.TrimSpace(k) != "minlen" {
				continue
			}
			if x, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				n, ev, found = x, model.Evidence{Path: l.file, Line: l.n, Text: l.text}, true
			}
		}
	}
	return n, ev, found
}

// passwdqcMin returns the smallest length min=N0,N1,N2,N3,N4 allows for a
// password of four character classes (the last number).
func passwdqcMin(s string) (int, bool) {
	for _, f := range strings.Fields(s) {
		v, ok := strings.CutPrefix(f, "min=")
		if !ok {
			continue
		}
		parts := strings.Split(v, ",")
		n, err := strconv.Atoi(parts[len(parts)-1])
		return n, err == nil
	}
	return 0, false
}

// passwordAge judges PASS_MAX_DAYS of login.defs (99999 when unset).
func (r *run) passwordAge() {
	ls := r.lines("/etc/login.defs")
	if ls == nil {
		return
	}
	days, ev := 99999, model.Evidence{Path: "/etc/login.defs"}
	for _, l := range ls {
		f := strings.Fields(l.text)
		if len(f) >= 2 && f[0] == "PASS_MAX_DAYS" {
			if n, err := strconv.Atoi(f[1]); err == nil {
				days, ev = n, model.Evidence{Path: l.file, Line: l.n, Text: l.text}
			}
		}
	}
	if days < 0 || days > maxPasswordDays {
		ev.Note = model.Msg("harden.note.max-age", days, maxPasswordDays)
		r.emit(ruleMaxAge, fmt.Sprintf("PASS_MAX_DAYS %d", days), ev, model.Low, model.ConfHigh)
	}
}
