package rules

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// Rule ids of the SSH rules.
const (
	RuleBruteSource   = "logs.ssh.brute-force.source"
	RuleBruteUser     = "logs.ssh.brute-force.user"
	RuleSpray         = "logs.ssh.spray"
	RuleLoginAfter    = "logs.ssh.login-after-failures"
	RuleNewSource     = "logs.ssh.new-source"
	RuleNewUser       = "logs.ssh.new-user"
	RuleRootLogin     = "logs.ssh.root-login"
	RuleUnusualHour   = "logs.ssh.unusual-hour"
	RuleInvalidUser   = "logs.ssh.invalid-user"
	maxFailedUsers    = 16
	sweepEvery        = 4096
	failedUsersSample = 4
)

// ringEntry is one failure waiting in a window.
type ringEntry struct {
	ref  evRef
	name string // the account tried (per source) or the source (per account)
}

// window counts the failures of one key until BruteThreshold of them fall
// within BruteWindow; then the burst is a fold and the ring is released.
type window struct {
	ring  []ringEntry
	head  int
	n     int
	fired *fold
}

// push adds a failure; it returns the failures in time order when the
// threshold is crossed.
func (w *window) push(r evRef, name string, threshold int, win time.Duration) []ringEntry {
	if w.ring == nil {
		w.ring = make([]ringEntry, threshold)
	}
	w.ring[w.head] = ringEntry{r, name}
	w.head = (w.head + 1) % threshold
	if w.n < threshold {
		w.n++
	}
	if w.n < threshold {
		return nil
	}
	oldest := w.ring[w.head]
	if r.Time.Sub(oldest.ref.Time) > win {
		return nil
	}
	out := make([]ringEntry, 0, threshold)
	out = append(append(out, w.ring[w.head:]...), w.ring[:w.head]...)
	w.ring, w.n, w.head = nil, 0, 0
	return out
}

type sourceState struct {
	brute      window
	fails      int
	failFirst  evRef
	failLast   evRef
	failedUser []string
	tried      []ringEntry // recent accounts tried (spray)
	spray      *fold
	last       time.Time
}

type userState struct {
	brute  window
	hours  [24]uint16
	logins int
	last   time.Time
}

type sshState struct {
	src       map[string]*sourceState
	usr       map[string]*userState
	knownIP   map[string]struct{}
	knownUser map[string]struct{}
	n         int
}

func (st *sshState) init() {
	st.src = map[string]*sourceState{}
	st.usr = map[string]*userState{}
	st.knownIP = map[string]struct{}{}
	st.knownUser = map[string]struct{}{}
}

func (s *Set) source(ip string, t time.Time) *sourceState {
	st := keyState(s, s.ssh.src, ip, "ssh sources", t)
	if st != nil {
		st.last = t
	}
	return st
}

func (s *Set) account(name string, t time.Time) *userState {
	st := keyState(s, s.ssh.usr, name, "ssh accounts", t)
	if st != nil {
		st.last = t
	}
	return st
}

// keyState returns m's state for key, making it; nil when m is full even
// after a sweep (the loss counted under what).
func keyState[T any](s *Set, m map[string]*T, key, what string, t time.Time) *T {
	if st := m[key]; st != nil {
		return st
	}
	if len(m) >= s.cfg.MaxKeys {
		s.sweep(t)
	}
	if s.capped(len(m), what) {
		return nil
	}
	st := new(T)
	m[key] = st
	return st
}

// sweep forgets per-key state whose windows have all passed (the folds they
// made stay): what keeps memory bounded on a log with millions of sources.
func (s *Set) sweep(now time.Time) {
	horizon := max(s.cfg.BruteWindow, s.cfg.SprayWindow, s.cfg.SuccessWindow)
	for k, st := range s.ssh.src {
		if now.Sub(st.last) > horizon {
			delete(s.ssh.src, k)
		}
	}
	for k, st := range s.ssh.usr {
		if now.Sub(st.last) > horizon && st.logins == 0 {
			delete(s.ssh.usr, k)
		}
	}
}

func (s *Set) sshEvent(e *model.Event) {
	switch e.Kind {
	case kindSSHFailed:
		s.sshFailed(e)
	case kindSSHInvalid:
		if e.SrcIP != "" {
			if f := s.once(RuleInvalidUser, e.SrcIP, e.SrcIP, model.Low, model.ConfHigh, e); f != nil {
				f.ip = e.SrcIP
				f.sample(e.Actor)
			}
			if st := s.source(e.SrcIP, e.Time); st != nil {
				s.spray(st, e)
			}
		}
	case kindSSHLogin:
		if e.Outcome != model.OutcomeFailure {
			s.sshLogin(e)
		}
	}
}

func (s *Set) sshFailed(e *model.Event) {
	r := ref(e)
	if e.SrcIP != "" {
		if st := s.source(e.SrcIP, e.Time); st != nil {
			if f := s.brute(&st.brute, RuleBruteSource, e.SrcIP, e.Actor, model.ConfHigh, r); f != nil {
				f.ip = e.SrcIP
			}
			if st.fails == 0 || e.Time.Sub(st.failLast.Time) > s.cfg.SuccessWindow {
				st.fails, st.failFirst, st.failedUser = 0, r, st.failedUser[:0]
			}
			st.fails++
			st.failLast = r
			if e.Actor != "" && !slices.Contains(st.failedUser, e.Actor) && len(st.failedUser) < maxFailedUsers {
				st.failedUser = append(st.failedUser, e.Actor)
			}
			s.spray(st, e)
		}
	}
	if e.Actor != "" && !invalidUser(e) {
		if st := s.account(e.Actor, e.Time); st != nil {
			if f := s.brute(&st.brute, RuleBruteUser, e.Actor, e.SrcIP, model.ConfMedium, r); f != nil {
				f.user = e.Actor
			}
		}
	}
}

// invalidUser reports whether a failure names an account that does not
// exist (those are counted per source, not per account).
func invalidUser(e *model.Event) bool {
	return e.Fields["invalid_user"] == "true" || strings.Contains(e.Raw, "invalid user ")
}

// brute counts one failure into a key's window (per source or per
// account); name is the other side (the account tried, the source trying).
func (s *Set) brute(w *window, rule, key, name string, conf model.Confidence, r evRef) *fold {
	if f := w.fired; f != nil {
		f.addRef(r)
		f.sample(name)
		return nil
	}
	burst := w.push(r, name, s.cfg.BruteThreshold, s.cfg.BruteWindow)
	if burst == nil {
		return nil
	}
	f := s.fold(rule, key, key, model.Medium, conf)
	if f == nil {
		return nil
	}
	f.extra = s.windowExtra()
	for _, b := range burst {
		f.addRef(b.ref)
		f.sample(b.name)
	}
	w.fired = f
	return f
}

func (s *Set) windowExtra() map[string]string {
	return map[string]string{"threshold": strconv.Itoa(s.cfg.BruteThreshold), "window": s.cfg.BruteWindow.String()}
}

// spray counts the distinct accounts one source tried within SprayWindow.
func (s *Set) spray(st *sourceState, e *model.Event) {
	if st.spray != nil {
		st.spray.add(e)
		st.spray.sample(e.Actor)
		return
	}
	if e.Actor == "" {
		return
	}
	keep := st.tried[:0]
	for _, t := range st.tried {
		if e.Time.Sub(t.ref.Time) <= s.cfg.SprayWindow && t.name != e.Actor {
			keep = append(keep, t)
		}
	}
	st.tried = append(keep, ringEntry{ref(e), e.Actor})
	if len(st.tried) < s.cfg.SprayUsers {
		return
	}
	f := s.fold(RuleSpray, e.SrcIP, e.SrcIP, model.Medium, model.ConfMedium)
	if f == nil {
		return
	}
	f.ip = e.SrcIP
	f.extra = map[string]string{"threshold": strconv.Itoa(s.cfg.SprayUsers), "window": s.cfg.SprayWindow.String()}
	for _, t := range st.tried {
		f.addRef(t.ref)
		f.sample(t.name)
	}
	st.spray, st.tried = f, nil
}

func (s *Set) sshLogin(e *model.Event) {
	if e.SrcIP != "" {
		if st := s.ssh.src[e.SrcIP]; st != nil && st.fails >= s.cfg.SuccessAfter && e.Time.Sub(st.failLast.Time) <= s.cfg.SuccessWindow {
			s.loginAfterFailures(st, e)
		}
	}
	if e.Actor == "root" {
		if f := s.once(RuleRootLogin, e.SrcIP, "root@"+orLocal(e.SrcIP), model.Medium, model.ConfHigh, e); f != nil {
			f.user, f.ip = "root", e.SrcIP
		}
	}
	s.firstSeen(e)
	s.loginHour(e)
}

func orLocal(ip string) string {
	if ip == "" {
		return "local"
	}
	return ip
}

func (s *Set) loginAfterFailures(st *sourceState, e *model.Event) {
	conf := model.ConfMedium
	if st.brute.fired != nil || st.spray != nil || slices.Contains(st.failedUser, e.Actor) {
		conf = model.ConfHigh
	}
	f := s.once(RuleLoginAfter, e.SrcIP+"\x00"+e.Actor, e.Actor+"@"+e.SrcIP, model.High, conf, e)
	if f == nil {
		return
	}
	f.raise(model.High, conf)
	f.user, f.ip = e.Actor, e.SrcIP
	if f.extra == nil {
		users := st.failedUser[:min(len(st.failedUser), failedUsersSample)]
		f.extra = map[string]string{
			"failures": strconv.Itoa(st.fails), "failures_first": st.failFirst.loc(), "failures_first_raw": st.failFirst.Raw,
			"failures_first_time": stamp(st.failFirst.Time), "failures_last": st.failLast.loc(), "failures_last_raw": st.failLast.Raw,
			"failed_accounts": strings.Join(users, ", "),
		}
	}
	st.fails = 0
}

// firstSeen learns the addresses and accounts that log in during the first
// LearnFor of the stream; after it, a login from a new one is reported.
func (s *Set) firstSeen(e *model.Event) {
	learn := s.learning(e.Time)
	s.seen(s.ssh.knownIP, e.SrcIP, RuleNewSource, model.ConfLow, "ssh known sources", learn, e)
	s.seen(s.ssh.knownUser, e.Actor, RuleNewUser, model.ConfMedium, "ssh known accounts", learn, e)
}

// seen reports key (after the learning part) the first time it appears.
func (s *Set) seen(known map[string]struct{}, key, rule string, conf model.Confidence, what string, learn bool, e *model.Event) {
	if key == "" {
		return
	}
	if _, ok := known[key]; ok {
		return
	}
	if !learn {
		if f := s.once(rule, key, key, model.Low, conf, e); f != nil {
			f.user, f.ip = e.Actor, e.SrcIP
		}
	}
	if !s.capped(len(known), what) {
		known[key] = struct{}{}
	}
}

// loginHour reports a login at an hour (UTC, ±1) the account never used in
// at least UnusualMin earlier logins.
func (s *Set) loginHour(e *model.Event) {
	if e.Actor == "" || e.Time.IsZero() {
		return
	}
	st := s.account(e.Actor, e.Time)
	if st == nil {
		return
	}
	h := e.Time.UTC().Hour()
	if st.logins >= s.cfg.UnusualMin && st.hours[(h+23)%24]+st.hours[h]+st.hours[(h+1)%24] == 0 {
		if f := s.once(RuleUnusualHour, e.Actor, e.Actor, model.Low, model.ConfLow, e); f != nil {
			f.user, f.ip = e.Actor, e.SrcIP
			f.sample(strconv.Itoa(h) + ":00 UTC")
		}
	}
	if st.hours[h] < 1<<16-1 {
		st.hours[h]++
	}
	st.logins++
}
