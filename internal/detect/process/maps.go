package process

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"syscall"

	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// runtimes generate machine code at run time (JIT compilers, PCRE JIT,
// LuaJIT) or unpack their own native libraries into /tmp (Java's netty,
// snappy, JNA, sqlite-jdbc): writable-and-executable memory and libraries
// mapped from /tmp are how they work.
var runtimes = lazyre.New(`^(?:java|javaw|node|nodejs|python[0-9.]*|pypy[0-9.]*|firefox.*|chrome|chromium.*|electron|code|cursor|dotnet|mono.*|qemu-.*|php.*|ruby[0-9.]*|luajit.*|beam\.smp|erl.*|julia|Xorg|Xwayland|gnome-shell|gjs|plasmashell|kwin.*|nginx|openresty|apache2|httpd|haproxy|varnishd|suricata|snort|rspamd|exim4?|envoy|postgres|mysqld|mariadbd|mongod|grep|pcre2?grep|slack|zoom|thunderbird.*|soffice\.bin|deno|bun|dart|wine.*|R|Rscript|jsvc|elasticsearch|opensearch|gunicorn|uwsgi|unicorn|puma)$`)

// mapsLimit bounds /proc/PID/maps (a JVM can have tens of thousands).
const mapsLimit = 32 << 20

// pyInstaller unpacks one-file programs into /tmp/_MEIxxxxxx and loads
// their libraries from there.
var pyInstaller = lazyre.New(`^/(?:var/)?tmp/_MEI[0-9A-Za-z]+/`)

// maps reads the memory map of p and flags writable-and-executable
// anonymous memory (injected or unpacked code) and executable mappings of
// files in writable or hidden places (a library loaded from /dev/shm).
func (r *run) maps(p *procs.Process, pkg string) {
	if runtimes.MatchString(path.Base(p.Exe)) || runtimes.MatchString(p.Name) {
		return
	}
	mp := fmt.Sprintf("/proc/%d/maps", p.PID)
	b, err := r.t.ReadFile(mp, mapsLimit)
	if err != nil {
		// Exited (not a gap), or unreadable without root (the snapshot
		// already recorded one gap for all such processes).
		if !errors.Is(err, fs.ErrPermission) && !errors.Is(err, syscall.ESRCH) {
			target.Record(r.env, mp, err)
		}
		return
	}
	ms, bad := procs.ParseMaps(b)
	if bad > 0 {
		r.env.GapMsg(model.GapError, mp, model.Msg("gap.malformed-lines", bad))
	}
	var rwx, rwxBytes int
	var firstRWX string
	var odd []string
	seen := map[string]bool{}
	for _, m := range ms {
		if m.Pseudo() {
			continue
		}
		if m.Anonymous() && m.Readable() && m.Writable() && m.Exec() {
			rwx++
			rwxBytes += int(m.End - m.Start)
			if firstRWX == "" {
				firstRWX = fmt.Sprintf("%x-%x %s %s", m.Start, m.End, m.Perms, m.Path)
			}
			continue
		}
		if m.Anonymous() || !m.Exec() || m.Path == p.Exe || seen[m.Path] {
			continue
		}
		if places.Odd(m.Path) && !pyInstaller.MatchString(m.Path) {
			seen[m.Path] = true
			s := m.Path
			if m.Deleted {
				s += " (deleted)"
			}
			odd = append(odd, s)
		}
	}
	if rwx > 0 {
		f := r.finding(ruleRWX, p, pkg, indRWX)
		f.Evidence.Extra["rwx_regions"] = strconv.Itoa(rwx)
		f.Evidence.Extra["rwx_bytes"] = strconv.Itoa(rwxBytes)
		f.Evidence.Extra["first_region"] = strings.TrimSpace(firstRWX)
		r.add(f, p.PID)
	}
	if len(odd) > 0 {
		var inds []string
		for _, o := range odd {
			inds = append(inds, placeIndicators(o)...)
		}
		f := r.finding(ruleMapFile, p, pkg, dedupe(inds)...)
		f.Evidence.Extra["mapped"] = textclip.Clip(strings.Join(odd, ", "), textLimit)
		f.Key += "\x00" + strings.Join(odd, "\x00")
		r.add(f, p.PID)
	}
}
