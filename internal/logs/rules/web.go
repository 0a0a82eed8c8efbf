package rules

import (
	"net/netip"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
)

// Rule ids of the web rules (events of kind web.request).
const (
	RuleWebSQLi      = "logs.web.sqli"
	RuleWebXSS       = "logs.web.xss"
	RuleWebTraversal = "logs.web.traversal"
	RuleWebCmd       = "logs.web.cmd-injection"
	RuleWebScanner   = "logs.web.scanner"
	RuleWebShell     = "logs.web.webshell"
	RuleWebSize      = "logs.web.response-size"
)

// WebConfig tunes the web rules. Requests matching an allow-list are not
// judged at all (a health checker, a vulnerability scanner you run, an
// internal network).
type WebConfig struct {
	AllowPaths  []string       // path prefixes (or path.Match globs when they hold * ? [)
	AllowAgents []string       // substrings of the User-Agent, case-insensitive
	AllowCIDRs  []netip.Prefix // source networks
	// NotFoundBurst 404 responses to one source make it a scanner.
	NotFoundBurst int
	// SizeFactor: a 2xx response larger than SizeFactor times the mean of
	// its path (after SizeMin earlier responses) and than SizeBytes is
	// unusual.
	SizeFactor float64
	SizeMin    int
	SizeBytes  int64
}

func defaultWeb() WebConfig {
	return WebConfig{NotFoundBurst: 100, SizeFactor: 20, SizeMin: 20, SizeBytes: 1 << 20}
}

func (w WebConfig) normalize() WebConfig {
	d := defaultWeb()
	if w.NotFoundBurst <= 0 {
		w.NotFoundBurst = d.NotFoundBurst
	}
	if w.SizeFactor <= 0 {
		w.SizeFactor = d.SizeFactor
	}
	if w.SizeMin <= 0 {
		w.SizeMin = d.SizeMin
	}
	if w.SizeBytes <= 0 {
		w.SizeBytes = d.SizeBytes
	}
	for i, a := range w.AllowAgents {
		w.AllowAgents[i] = strings.ToLower(a)
	}
	return w
}

// Attack patterns, matched on the lower-cased request target after
// percent-decoding (twice: double encoding is common). Written for this
// rule set: fixed expressions, compiled once; each has a firing and a
// quiet test, and ordinary query strings (searches, ticket filters) stay
// quiet because every pattern needs syntax, not words.
var webAttacks = []struct {
	rule string
	re   *regexp.Regexp
}{
	{RuleWebSQLi, regexp.MustCompile(`union(?:\s|/\*.*?\*/|\+)+(?:all(?:\s|\+)+)?select|['"\)]\s*(?:or|and)\s+['"]?\w+['"]?\s*(?:=|like)\s*['"]?\w|\b(?:sleep|benchmark|pg_sleep)\s*\(\s*\d|waitfor\s+delay\s+'|information_schema|@@version|load_file\s*\(|into\s+(?:out|dump)file|(?:extractvalue|updatexml)\s*\(|';\s*(?:drop|insert|update|delete)\s`)},
	{RuleWebXSS, regexp.MustCompile(`<\s*script|javascript:|<\s*(?:svg|img|body|iframe)[^>]*\bon\w+\s*=|\bon(?:error|load|mouseover)\s*=|document\.cookie|alert\s*\(`)},
	{RuleWebTraversal, regexp.MustCompile(`(?:\.\.[/\\]){2,}|\.\.[/\\].*(?:etc/(?:passwd|shadow)|proc/self)|/etc/(?:passwd|shadow)\b|/proc/self/environ|php://(?:filter|input)|file:///|win\.ini`)},
	{RuleWebCmd, regexp.MustCompile("(?:[;|`]|\\$\\(|&&)\\s*(?:id|whoami|uname|cat|wget|curl|nc|ncat|bash|sh|python[23]?|perl|ping|busybox)\\b|/bin/(?:ba)?sh\\b|\\$\\{ifs\\}|\\(\\)\\s*\\{\\s*:;\\s*\\}|\\$\\{jndi:")},
}

// scannerAgents are User-Agent markers of attack and reconnaissance tools.
var scannerAgents = []string{
	"sqlmap", "nikto", "nmap", "masscan", "zgrab", "nuclei", "wpscan", "dirbuster", "gobuster", "ffuf",
	"feroxbuster", "acunetix", "nessus", "openvas", "w3af", "whatweb", "wfuzz", "hydra", "havij", "jaeles",
	"commix", "xray", "zmeu", "morfeus", "dirsearch",
}

// scriptExt are server-side script extensions (webshell candidates).
var scriptExt = map[string]bool{".php": true, ".phtml": true, ".php5": true, ".php7": true, ".phar": true, ".jsp": true, ".jspx": true, ".asp": true, ".aspx": true, ".cgi": true, ".pl": true, ".py": true, ".sh": true}

// uploadDirs are where uploaded files land: a script served from there
// was written by the application, not deployed.
var uploadDirs = []string{"/uploads/", "/upload/", "/wp-content/uploads/", "/files/", "/images/", "/img/", "/media/", "/static/", "/tmp/", "/cache/", "/assets/", "/attachments/"}

// shellNames are public webshell file names.
var shellNames = map[string]bool{
	"shell": true, "cmd": true, "c99": true, "r57": true, "wso": true, "b374k": true, "alfa": true, "webshell": true,
	"indoxploit": true, "mini": true, "up": true, "x": true, "1": true, "adminer": true, "phpspy": true, "china": true, "caidao": true,
}

type scriptStat struct {
	count, posts int
	sources      [2]string
	nsrc         int
	first, last  evRef
	ip           string
	method       string
}

type sizeStat struct {
	n    int
	mean float64
}

type webState struct {
	cfg      *WebConfig
	scripts  map[string]*scriptStat
	sizes    map[string]*sizeStat
	notFound map[string]int
}

func (w *webState) init(cfg *WebConfig) {
	w.cfg = cfg
	w.scripts = map[string]*scriptStat{}
	w.sizes = map[string]*sizeStat{}
	w.notFound = map[string]int{}
}

func (w *webState) allowed(e *model.Event, p string) bool {
	for _, a := range w.cfg.AllowPaths {
		if strings.ContainsAny(a, "*?[") {
			if ok, _ := path.Match(a, p); ok {
				return true
			}
		} else if strings.HasPrefix(p, a) {
			return true
		}
	}
	if len(w.cfg.AllowAgents) > 0 {
		ua := strings.ToLower(e.Fields[fieldHTTPUserAgent])
		for _, a := range w.cfg.AllowAgents {
			if strings.Contains(ua, a) {
				return true
			}
		}
	}
	if len(w.cfg.AllowCIDRs) > 0 {
		if ip, err := netip.ParseAddr(e.SrcIP); err == nil {
			for _, c := range w.cfg.AllowCIDRs {
				if c.Contains(ip.Unmap()) {
					return true
				}
			}
		}
	}
	return false
}

// decode percent-decodes s up to twice (lower-cased); undecodable input is
// judged as it is.
func decode(s string) string {
	for range 2 {
		if !strings.ContainsAny(s, "%+") {
			break
		}
		d, err := url.QueryUnescape(s)
		if err != nil || d == s {
			break
		}
		s = d
	}
	return strings.ToLower(s)
}

// suspicious is the prefilter: only a target with syntax worth matching
// goes through the expressions.
const suspicious = "'\"<>();|`$%\\.{:"

func (s *Set) webEvent(e *model.Event) {
	target := e.Object
	p, q, _ := strings.Cut(target, "?")
	if q == "" {
		q = e.Fields[fieldHTTPQuery]
	}
	w := &s.web
	if w.allowed(e, p) {
		return
	}
	status, _ := strconv.Atoi(e.Fields[fieldHTTPStatus])
	src := orLocal(e.SrcIP)
	if strings.ContainsAny(target, suspicious) || strings.ContainsAny(q, suspicious) {
		dec := decode(target)
		if q != "" && !strings.Contains(target, "?") {
			dec += "?" + decode(q)
		}
		for _, a := range webAttacks {
			if a.re.MatchString(dec) {
				sev := model.Medium
				if status >= 400 && status < 500 {
					sev = model.Low // refused or not there
				}
				if f := s.fold(a.rule, src, src, sev, model.ConfMedium); f != nil {
					f.raise(sev, model.ConfMedium)
					f.add(e)
					f.ip = e.SrcIP
					f.sample(clipSample(orDefault(e.Fields[fieldHTTPURI], target)))
				}
			}
		}
	}
	ua := strings.ToLower(e.Fields[fieldHTTPUserAgent])
	for _, m := range scannerAgents {
		if strings.Contains(ua, m) {
			if f := s.once(RuleWebScanner, src, src, model.Low, model.ConfHigh, e); f != nil {
				f.ip = e.SrcIP
				f.sample(m)
			}
			break
		}
	}
	if status == 404 {
		s.notFound(e, src)
	}
	s.webScript(e, p, q, status)
	s.webSize(e, p, status)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func clipSample(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// notFound counts 404s per source: many of them is content discovery.
func (s *Set) notFound(e *model.Event, src string) {
	w := &s.web
	n, ok := w.notFound[src]
	if !ok && s.capped(len(w.notFound), "web sources") {
		return
	}
	n++
	w.notFound[src] = n
	if n >= w.cfg.NotFoundBurst {
		if f := s.once(RuleWebScanner, src, src, model.Low, model.ConfMedium, e); f != nil {
			f.ip = e.SrcIP
			if n == w.cfg.NotFoundBurst {
				f.sample("404×" + strconv.Itoa(n))
			}
		}
	}
}

// webScript judges requests to server-side scripts: a public webshell
// name, a command parameter, a script under an upload directory answered
// with 2xx, or (at Finish) a script only one or two sources ever reached
// that was POSTed to.
func (s *Set) webScript(e *model.Event, p, q string, status int) {
	ext := strings.ToLower(path.Ext(p))
	if !scriptExt[ext] || status < 200 || status >= 300 {
		return
	}
	lp := strings.ToLower(p)
	name := strings.TrimSuffix(path.Base(lp), ext)
	method := e.Fields[fieldHTTPMethod]
	inUpload := false
	for _, d := range uploadDirs {
		if strings.Contains(lp, d) {
			inUpload = true
			break
		}
	}
	lq := strings.ToLower(q)
	cmdParam := strings.Contains(lq, "cmd=") || strings.Contains(lq, "exec=") || strings.Contains(lq, "command=") || strings.Contains(lq, "shell=")
	if inUpload || shellNames[name] || cmdParam {
		conf := model.ConfMedium
		if inUpload && (method == "POST" || cmdParam) || shellNames[name] && cmdParam {
			conf = model.ConfHigh
		}
		if f := s.fold(RuleWebShell, p, p, model.High, conf); f != nil {
			f.raise(model.High, conf)
			f.add(e)
			f.ip = e.SrcIP
			f.sample(orLocal(e.SrcIP))
		}
		return
	}
	if method != "POST" {
		return
	}
	w := &s.web
	st := w.scripts[p]
	if st == nil {
		if s.capped(len(w.scripts), "web scripts") {
			return
		}
		st = &scriptStat{first: ref(e)}
		w.scripts[p] = st
	}
	st.count++
	st.posts++
	st.last = ref(e)
	if st.nsrc < len(st.sources)+1 && !contains2(st.sources, st.nsrc, e.SrcIP) {
		if st.nsrc < len(st.sources) {
			st.sources[st.nsrc] = e.SrcIP
		}
		st.nsrc++
	}
}

func contains2(a [2]string, n int, v string) bool {
	for i := 0; i < min(n, len(a)); i++ {
		if a[i] == v {
			return true
		}
	}
	return false
}

// webSize reports a 2xx response far larger than its path's mean.
func (s *Set) webSize(e *model.Event, p string, status int) {
	if status < 200 || status >= 300 {
		return
	}
	n, err := strconv.ParseInt(e.Fields[fieldHTTPBytes], 10, 64)
	if err != nil || n < 0 {
		return
	}
	w := &s.web
	st := w.sizes[p]
	if st == nil {
		if s.capped(len(w.sizes), "web paths") {
			return
		}
		st = &sizeStat{}
		w.sizes[p] = st
	}
	if st.n >= w.cfg.SizeMin && n >= w.cfg.SizeBytes && float64(n) > w.cfg.SizeFactor*st.mean {
		if f := s.once(RuleWebSize, p, p, model.Low, model.ConfLow, e); f != nil {
			f.ip = e.SrcIP
			f.sample(strconv.FormatInt(n, 10) + " B (mean " + strconv.FormatInt(int64(st.mean), 10) + " B)")
		}
		return // an outlier does not move the mean
	}
	st.n++
	st.mean += (float64(n) - st.mean) / float64(st.n)
}

// finish reports scripts that took POSTs with 2xx from at most two sources
// on a site where other scripts are reached by many: a rarely used entry
// point that someone talks to is how webshells look in access logs.
func (w *webState) finish(s *Set) {
	popular := 0
	for _, st := range w.scripts {
		if st.nsrc > 2 {
			popular++
		}
	}
	if popular == 0 {
		return // a site too small to tell rare from usual
	}
	for p, st := range w.scripts {
		if st.nsrc > 2 || st.posts < 3 {
			continue
		}
		f := s.fold(RuleWebShell, p, p, model.Medium, model.ConfLow)
		if f == nil || f.count > 0 {
			continue
		}
		f.first, f.last, f.count = st.first, st.last, st.count
		for _, src := range st.sources[:min(st.nsrc, 2)] {
			f.sample(orLocal(src))
		}
	}
}
