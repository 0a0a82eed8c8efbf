package services

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/model"
)

// InetdService is one service line of inetd.conf.
type InetdService struct {
	Line                int
	Raw                 string
	Name, Socket, Proto string
	User                string
	Server              string   // program path or "internal"
	Args                []string // argv, argv[0] first
}

// ParseInetd parses inetd.conf: "service socket proto wait user server
// args...", comments with #, services disabled by update-inetd as
// "#<off># ...".
func ParseInetd(b []byte) []InetdService {
	var out []InetdService
	for i, raw := range strings.Split(string(b), "\n") {
		if i >= maxUnitLines {
			break
		}
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		s := InetdService{Line: i + 1, Raw: line, Name: f[0], Socket: f[1], Proto: f[2], Server: f[5], Args: f[6:]}
		s.User, _, _ = strings.Cut(f[4], ".")
		s.User, _, _ = strings.Cut(s.User, ":")
		out = append(out, s)
	}
	return out
}

// XinetdService is one "service NAME { ... }" block.
type XinetdService struct {
	Name  string
	Line  int
	Attrs map[string]string // last value of each attribute (+= appended)
	Lines map[string]int
}

// Xinetd is a parsed xinetd configuration file.
type Xinetd struct {
	Services   []XinetdService
	IncludeDir []string
}

// ParseXinetd parses an xinetd configuration file.
func ParseXinetd(b []byte) Xinetd {
	var x Xinetd
	var cur *XinetdService
	for i, raw := range strings.Split(string(b), "\n") {
		if i >= maxUnitLines {
			break
		}
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = strings.TrimSpace(line[:j])
		}
		switch {
		case line == "":
		case strings.HasPrefix(line, "includedir "):
			x.IncludeDir = append(x.IncludeDir, strings.TrimSpace(strings.TrimPrefix(line, "includedir ")))
		case strings.HasPrefix(line, "service ") || strings.HasPrefix(line, "defaults"):
			name := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "service "), "{"))
			if strings.HasPrefix(line, "defaults") {
				name = ""
			}
			x.Services = append(x.Services, XinetdService{Name: name, Line: i + 1, Attrs: map[string]string{}, Lines: map[string]int{}})
			cur = &x.Services[len(x.Services)-1]
		case line == "{":
		case line == "}":
			cur = nil
		case cur != nil:
			op := "="
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			k = strings.TrimSpace(k)
			if strings.HasSuffix(k, "+") || strings.HasSuffix(k, "-") {
				op = k[len(k)-1:] + "="
				k = strings.TrimSpace(k[:len(k)-1])
			}
			v = strings.TrimSpace(v)
			k = strings.ToLower(k)
			if op == "+=" && cur.Attrs[k] != "" {
				v = cur.Attrs[k] + " " + v
			}
			if op != "-=" {
				cur.Attrs[k] = v
			}
			cur.Lines[k] = i + 1
		}
	}
	// Drop the defaults block.
	out := x.Services[:0]
	for _, s := range x.Services {
		if s.Name != "" {
			out = append(out, s)
		}
	}
	x.Services = out
	return x
}

// isShell reports whether a network service's program (and its argv) is
// a shell handed to the connection.
func isShell(server string, argv []string) bool {
	base := path.Base(server)
	if base == "busybox" && len(argv) > 1 {
		base = path.Base(argv[1])
	}
	if jobexecShells[base] {
		return true
	}
	// A wrapper or interpreter whose arguments are a reverse or bind shell.
	for _, m := range cmdscan.Scan(server + " " + strings.Join(argv, " ")) {
		if strings.HasPrefix(m.ID, "reverse-shell") {
			return true
		}
	}
	return false
}

var jobexecShells = map[string]bool{"sh": true, "bash": true, "dash": true, "zsh": true, "ksh": true, "ash": true, "csh": true, "tcsh": true, "rbash": true}

// inetd grades inetd.conf and /etc/inetd.d.
func (r *run) inetd() {
	files := []string{"/etc/inetd.conf"}
	for _, e := range r.listDir("/etc/inetd.d") {
		if !e.IsDir() {
			files = append(files, path.Join("/etc/inetd.d", e.Name()))
		}
	}
	for _, p := range files {
		b, ok := r.read(p)
		if !ok {
			continue
		}
		origin := r.x.OriginOf(p)
		r.checkWritableFile(p, origin, "event")
		if origin.Pristine {
			continue
		}
		for _, s := range ParseInetd(b) {
			if s.Server == "internal" {
				continue
			}
			server, argv := s.Server, s.Args
			if path.Base(server) == "tcpd" && len(argv) > 0 {
				server = argv[0]
				if len(argv) > 1 {
					argv = argv[1:]
				}
			}
			ev := r.fileEvidence(p, origin, s.Line, s.Raw, s.User, "event")
			ev.Extra = map[string]string{"service": s.Name + "/" + s.Proto, "server": server}
			r.gradeNetService(s.Name, server, argv, s.User, true, origin, ev)
		}
	}
}

// xinetd grades /etc/xinetd.conf and its include directories.
func (r *run) xinetd() {
	b, ok := r.read("/etc/xinetd.conf")
	dirs := []string{"/etc/xinetd.d"}
	files := []string{}
	skipped := map[string]bool{}
	if ok {
		files = append(files, "/etc/xinetd.conf")
		for _, d := range ParseXinetd(b).IncludeDir {
			if d != "/etc/xinetd.d" && strings.HasPrefix(d, "/") {
				dirs = append(dirs, d)
			}
		}
	}
	for _, d := range dirs {
		for _, e := range r.listDir(d) {
			if !e.IsDir() {
				p := path.Join(d, e.Name())
				files = append(files, p)
				// xinetd skips names with a dot or ending in ~ in includedir.
				skipped[p] = strings.ContainsAny(e.Name(), ".~")
			}
		}
	}
	for _, p := range files {
		var data []byte
		if p == "/etc/xinetd.conf" {
			data = b
		} else if data, ok = r.read(p); !ok {
			continue
		}
		origin := r.x.OriginOf(p)
		r.checkWritableFile(p, origin, "event")
		if origin.Pristine {
			continue
		}
		for _, s := range ParseXinetd(data).Services {
			a := s.Attrs
			if strings.Contains(strings.ToUpper(a["type"]), "INTERNAL") || a["server"] == "" {
				continue
			}
			enabled := !isYes(a["disable"]) && !skipped[p]
			user := a["user"]
			if user == "" {
				user = "root"
			}
			argv := append([]string{a["server"]}, strings.Fields(a["server_args"])...)
			ln := s.Lines["server"]
			ev := r.fileEvidence(p, origin, ln, "server = "+a["server"]+" "+a["server_args"], user, "event")
			ev.Extra = map[string]string{"service": s.Name, "server": a["server"]}
			switch {
			case skipped[p]:
				ev.Extra["runs"] = "no: xinetd skips file names with a dot or ~"
			case !enabled:
				ev.Extra["runs"] = "no: disable = yes"
			}
			r.gradeNetService(s.Name, a["server"], argv, user, enabled, origin, ev)
		}
	}
}

// gradeNetService grades the program an inetd-style service starts for
// each connection.
func (r *run) gradeNetService(name, server string, argv []string, user string, enabled bool, origin jobexec.Origin, ev model.Evidence) {
	if isShell(server, argv) {
		sev := model.Critical
		ind := []string{indBindShell, origin.Indicator()}
		if !enabled {
			sev = model.High
			ind = append(ind, jobexec.IndNotRun)
		}
		r.emit(ruleInetdShell, name, ev, ind, sev, model.ConfHigh)
		return
	}
	args := argv
	if len(args) > 0 {
		args = args[1:]
	}
	v := r.x.Grade(strings.TrimSpace(server+" "+strings.Join(args, " ")), jobexec.Context{User: user})
	if v.Suspicious {
		if !enabled {
			v.Lower(false)
			v.Add(jobexec.IndNotRun)
		}
		r.emitVerdict(ruleInetdService, name, "", ev, v, origin)
		return
	}
	if !enabled {
		return
	}
	progUnowned := false
	if _, err := r.t.Stat(server); err == nil && r.x.Owner(server) == model.NoPackage {
		progUnowned = true
	}
	if origin.Unowned() || progUnowned {
		ind := []string{origin.Indicator()}
		if progUnowned {
			ind = append(ind, jobexec.IndNotPackaged)
		}
		r.emit(ruleInetdService, name, ev, ind, model.Medium, model.ConfMedium)
	}
}
