package tools

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// scriptTools are tools shipped as scripts, recognised by their text.
var scriptTools = map[string]bool{"reGeorg": true, "sqlmap": true, "linpeas": true}

// text judges a small non-ELF file: a script tool, a tunnel or miner
// configuration, or a script that starts one. f is the file open at offset
// 0, or nil when it was not opened (openErr says why, if it failed).
// It reports whether the file gave nothing (no finding, no gap).
func (r *run) text(p string, st fs.FileInfo, pkg string, f *os.File, openErr error) (quiet bool) {
	r.read(p)
	b, err := r.readText(p, f, openErr)
	if err != nil {
		target.Record(r.env, p, err)
		return false
	}
	if looksBinary(b) {
		return true
	}
	if vigilReport(b) {
		// A saved scan quotes the miner lines it found: rescanning a host
		// must not report its own evidence as a new tool.
		r.env.GapMsg(model.GapSkipped, p, model.Msg("tools.gap.vigil-report"))
		return false
	}
	s := string(b)
	base := path.Base(p)
	if hits := textHits(b); len(hits) > 0 {
		named, ok := byName(base)
		r.report(p, st, pkg, hits[0].tool, hits[0].marker, sha(b), ok && named.name == hits[0].tool.name)
		return false
	}
	script := strings.HasPrefix(s, "#!") || st.Mode().Perm()&0o111 != 0 || strings.HasPrefix(p, "/etc/cron") ||
		strings.HasSuffix(base, ".sh") || strings.HasSuffix(base, ".bash")
	if !mayConfigure(s) {
		return true
	}
	cs := findConfigs(base, s, script)
	for _, c := range cs {
		r.config(p, st, pkg, c)
	}
	return len(cs) == 0
}

// readText reads the text file p (as Target.ReadFile with the maxText
// limit would) into the scan buffer: what it returns is valid until the
// next read.
func (r *run) readText(p string, f *os.File, openErr error) ([]byte, error) {
	if openErr != nil {
		return nil, openErr
	}
	if f == nil {
		var err error
		if f, err = r.t.Open(p); err != nil {
			return nil, err
		}
		defer f.Close()
	}
	limit := maxText
	if toolConfigName(path.Base(p)) {
		limit = maxToolConfig
	}
	buf := r.sc.buffer(limit + 1)[:limit+1]
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if n > limit {
		return nil, fmt.Errorf("read %s: %w (%d bytes)", p, target.ErrTooLarge, limit)
	}
	return buf[:n], nil
}

// textHits returns the script tools whose markers the text holds.
func textHits(b []byte) []contentHit {
	var out []contentHit
	for _, t := range catalog {
		if !scriptTools[t.name] {
			continue
		}
		for _, g := range t.marks {
			all := true
			for _, m := range g {
				all = all && strings.Contains(string(b), m)
			}
			if all {
				out = append(out, contentHit{tool: t, marker: strings.Join(g, " + ")})
				break
			}
		}
	}
	return out
}

// looksBinary reports NUL bytes in the first KiB.
func looksBinary(b []byte) bool {
	return strings.IndexByte(string(b[:min(len(b), 1024)]), 0) >= 0
}

// configWords are what every configuration or command findConfigs
// recognises contains; files without any are not parsed (most are not).
var configWords = []string{"server_addr", "serveraddr", "bind_port", "bindport", "bridge_port", "authtoken", "stratum",
	"\"pools\"", "npc", "chisel", "rcsocks", "rssocks", "lcx_", "gost", "ngrok", "xmr", "miner", "donate", "kdevtmpfsi", "kinsing"}

func mayConfigure(s string) bool {
	lower := strings.ToLower(s)
	for _, w := range configWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// configHit is a tunnel or miner configuration found in a file.
type configHit struct {
	kind   kind
	what   string // "frpc configuration", "XMRig pool"...
	server string // host[:port] it connects to, "" for a server-side config
	line   int
	text   string
}

var (
	frpAddrRe   = lazyre.New(`(?m)^[ \t]*"?(?:server_addr|serverAddr)"?[ \t]*[=:][ \t]*["']?([^"'\s,#;]+)`)
	frpPortRe   = lazyre.New(`(?m)^[ \t]*"?(?:server_port|serverPort)"?[ \t]*[=:][ \t]*["']?(\d+)`)
	frpsRe      = lazyre.New(`(?m)^[ \t]*"?(?:bind_port|bindPort)"?[ \t]*[=:]`)
	frpHintRe   = lazyre.New(`(?m)^[ \t]*(?:\[common\]|\[\[proxies\]\]|\[\[visitors\]\]|"?(?:local_port|localPort|remote_port|remotePort|vhost_http_port|vhostHTTPPort|dashboard_port|webServer\.port)"?[ \t]*[=:])`)
	npsKeyRe    = lazyre.New(`(?m)^[ \t]*vkey[ \t]*=`)
	npsServerRe = lazyre.New(`(?m)^[ \t]*bridge_port[ \t]*=`)
	ngrokTokRe  = lazyre.New(`(?m)^[ \t]*(?:agent:\s*\n[ \t]+)?authtoken[ \t]*:[ \t]*\S+`)
	poolURLRe   = lazyre.New(`"url"\s*:\s*"([^"]+)"`)
	stratumRe   = lazyre.New(`(?i)stratum\+(?:tcp|ssl|tls)://([^\s"',;]+)`)
	minerKeysRe = lazyre.New(`"(?:donate-level|donate-over-proxy|rig-id|algo|coin|nicehash|randomx|cpu)"\s*:`)
	// Command lines that start a tunnel to a server.
	tunnelCmds = []struct {
		what string
		re   *regexp.Regexp
	}{
		{"npc client", regexp.MustCompile(`\bnpc\b[^\n]*?-server[= ]+["']?([^\s"']+)`)},
		{"chisel client", regexp.MustCompile(`\bchisel\b\s+client\b[^\n]*?\s(?:https?://)?([\w.-]+:\d+)`)},
		{"EarthWorm", regexp.MustCompile(`\b(?:ew|ew_\w+|earthworm)\b[^\n]*-s\s+(?:rcsocks|rssocks|lcx_slave|lcx_tran)\b[^\n]*?-[df]\s+([\w.-]+)`)},
		{"gost forwarder", regexp.MustCompile(`\bgost\b[^\n]*?-F[= ]+["']?(?:[a-z0-9+]+://)?(?:[^@\s"']*@)?([^\s"'/?]+)`)},
		{"ngrok tunnel", regexp.MustCompile(`\bngrok\s+(?:tcp|http|tls)\s+\S+`)},
	}
)

// findConfigs recognises tunnel and miner configurations in a text file.
// Command lines are only looked for in scripts (script true).
func findConfigs(base, s string, script bool) []configHit {
	var out []configHit
	if m := frpAddrRe.FindStringSubmatchIndex(s); m != nil && (frpHintRe.MatchString(s) || frpPortRe.MatchString(s)) {
		server := s[m[2]:m[3]]
		if pm := frpPortRe.FindStringSubmatch(s); pm != nil && !strings.Contains(server, ":") {
			server = net.JoinHostPort(server, pm[1])
		}
		what := "frpc configuration"
		if npsKeyRe.MatchString(s) {
			what = "npc configuration"
		}
		out = append(out, configHit{kind: kindTunnel, what: what, server: server, line: lineOf(s, m[0]), text: lineAt(s, m[0])})
	} else if loc := frpsRe.FindStringIndex(s); loc != nil && frpHintRe.MatchString(s) {
		out = append(out, configHit{kind: kindTunnel, what: "frps (server) configuration", line: lineOf(s, loc[0]), text: lineAt(s, loc[0])})
	} else if loc := npsServerRe.FindStringIndex(s); loc != nil && strings.Contains(s, "web_port") {
		out = append(out, configHit{kind: kindTunnel, what: "nps (server) configuration", line: lineOf(s, loc[0]), text: lineAt(s, loc[0])})
	}
	if loc := ngrokTokRe.FindStringIndex(s); loc != nil && (strings.HasPrefix(strings.ToLower(base), "ngrok") || strings.Contains(s, "tunnels:") || strings.Contains(s, "ngrok")) {
		out = append(out, configHit{kind: kindTunnel, what: "ngrok agent configuration (authtoken)", server: "ngrok.com", line: lineOf(s, loc[0]), text: redact(lineAt(s, loc[0]))})
	}
	// Miner pools: an explicit stratum URL, or an XMRig-style JSON config.
	if m := stratumRe.FindStringSubmatchIndex(s); m != nil {
		out = append(out, configHit{kind: kindMiner, what: "mining pool", server: s[m[2]:m[3]], line: lineOf(s, m[0]), text: lineAt(s, m[0])})
	} else if strings.Contains(s, `"pools"`) && minerKeysRe.MatchString(s) {
		if m := poolURLRe.FindStringSubmatchIndex(s); m != nil {
			out = append(out, configHit{kind: kindMiner, what: "XMRig-style miner configuration", server: s[m[2]:m[3]], line: lineOf(s, m[0]), text: lineAt(s, m[0])})
		}
	}
	// Scripts that start a tunnel or a miner.
	if !script {
		return out
	}
	for i, line := range strings.Split(s, "\n") {
		if len(out) > 0 && out[len(out)-1].line == i+1 {
			continue
		}
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' {
			continue
		}
		for _, c := range tunnelCmds {
			if m := c.re.FindStringSubmatch(t); m != nil {
				server := ""
				if len(m) > 1 {
					server = m[1]
				}
				if c.what == "ngrok tunnel" {
					server = "ngrok.com"
				}
				out = append(out, configHit{kind: kindTunnel, what: c.what + " command", server: server, line: i + 1, text: textclip.Trim(t, 200)})
				break
			}
		}
		for _, m := range cmdscan.Scan(t) {
			if m.ID == "miner" && !hasKind(out, kindMiner) {
				out = append(out, configHit{kind: kindMiner, what: "miner command", line: i + 1, text: textclip.Trim(t, 200)})
			}
		}
	}
	return out
}

func hasKind(hs []configHit, k kind) bool {
	for _, h := range hs {
		if h.kind == k {
			return true
		}
	}
	return false
}

// config emits a tunnel or miner configuration finding, graded by where
// the server is: a public address means a way out to the intruder.
func (r *run) config(p string, st fs.FileInfo, pkg string, c configHit) {
	rule := ruleTunnelConfig
	if c.kind == kindMiner {
		rule = ruleMinerConfig
	}
	sev, conf := model.High, model.ConfMedium
	var ind []string
	scope := ""
	if c.server != "" {
		scope = hostScope(c.server)
		switch scope {
		case "public":
			sev, conf = model.Critical, model.ConfHigh
			ind = append(ind, indPublic)
		case "loopback":
			sev, conf = model.Medium, model.ConfLow
			ind = append(ind, indPrivate)
		default:
			ind = append(ind, indPrivate)
		}
	}
	if c.kind == kindMiner && scope != "loopback" {
		sev = model.Critical
	}
	ind = append(ind, r.placeIndicators(p)...)
	mt := st.ModTime().UTC()
	ev := model.Evidence{Path: p, Line: c.line, Text: c.text, MTime: &mt, Package: pkg,
		Extra: map[string]string{"kind": c.what}}
	if c.server != "" {
		ev.Extra["server"] = c.server
		ev.Extra["server_scope"] = scope
	}
	subject := p
	if c.server != "" {
		subject = fmt.Sprintf("%s -> %s", p, c.server)
	}
	f := model.Finding{RuleID: rule, Subject: subject, Indicators: ind, Evidence: ev, Key: p + ":" + c.what + ":" + c.server}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}

// hostScope classifies host[:port] (or a URL) as public, private or
// loopback. Names other than localhost count as public: they resolve
// outside and the scan does not resolve names.
func hostScope(server string) string {
	h := server
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if i := strings.IndexAny(h, "/?"); i >= 0 {
		h = h[:i]
	}
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.Trim(h, "[]")
	if strings.EqualFold(h, "localhost") {
		return "loopback"
	}
	a, err := netip.ParseAddr(h)
	if err != nil {
		if strings.HasSuffix(h, ".local") || strings.HasSuffix(h, ".lan") || strings.HasSuffix(h, ".internal") || !strings.Contains(h, ".") {
			return "private"
		}
		return "public"
	}
	switch {
	case a.IsLoopback() || a.IsUnspecified():
		return "loopback"
	case a.IsPrivate() || a.IsLinkLocalUnicast() || netip.MustParsePrefix("100.64.0.0/10").Contains(a):
		return "private"
	}
	return "public"
}

func lineOf(s string, off int) int { return strings.Count(s[:off], "\n") + 1 }

func lineAt(s string, off int) string {
	start := strings.LastIndexByte(s[:off], '\n') + 1
	end := strings.IndexByte(s[off:], '\n')
	if end < 0 {
		end = len(s) - off
	}
	return textclip.Trim(s[start:off+end], 200)
}

// redact hides a token's value, keeping its first characters.
func redact(line string) string {
	k, v, ok := strings.Cut(line, ":")
	if !ok {
		return line
	}
	v = strings.TrimSpace(v)
	if len(v) > 6 {
		v = v[:6] + "..."
	}
	return k + ": " + v
}

var (
	vigilTool   = lazyre.New(`"tool":\s*"vigil"`)
	vigilSchema = lazyre.New(`"schema_version":\s*\d`)
)

// vigilReport recognises Vigil's own JSON and JSONL output by its head.
func vigilReport(b []byte) bool {
	head := b[:min(len(b), 1024)]
	return vigilTool.Match(head) && vigilSchema.Match(head)
}
