// Package persist is the containment action against persistence: it
// disables one line of a file (a cron line, a shell start-up line, an
// ld.so.preload entry) by commenting it out — or, where the file has no
// comment syntax (ld.so.preload), by taking the entry out — keeping the
// whole original file in the journal so that undo restores it byte for
// byte; and it plans the quarantine of whole files (systemd units and
// timers with their enablement links, init scripts with their rc links,
// cron files, profile scripts). Nothing is deleted silently: every change
// is journaled with the bytes it replaced.
package persist

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/contain"
	"github.com/vigil-ir/vigil/internal/contain/hostfs"
)

// LineKind is the journal id of the line action.
const LineKind = "persist.line"

// maxFile bounds the files whose lines are edited: the whole original is
// kept in the journal.
const maxFile = 4 << 20

// Marker starts a line Vigil commented out, with the action's uid.
const Marker = "# vigil-disabled "

// LineParams say which lines of which file, and how.
type LineParams struct {
	Path  string   `json:"path"`
	Lines []int    `json:"lines"` // 1-based
	Texts []string `json:"texts"` // the lines as planned
	// Remove: the file has no comments (ld.so.preload), the line is taken
	// out instead of commented.
	Remove bool `json:"remove,omitempty"`
}

// LineUndo keeps the original file whole.
type LineUndo struct {
	Meta     hostfs.Meta `json:"meta"`
	Original string      `json:"original"` // base64 of the original bytes
	NewSHA   string      `json:"new_sha256"`
}

// noComments are files whose format has no comment syntax: a '#' line
// would be read as an entry.
func noComments(p string) bool { return p == "/etc/ld.so.preload" }

// PlanLine plans disabling lines ns (1-based) of the file p of t, in one
// action (one edit of the file).
func PlanLine(t contain.Target, p string, ns ...int) (*contain.Action, error) {
	p = contain.Clean(p)
	hp, m, err := hostfs.CaptureIn(t, p)
	if err != nil {
		return nil, err
	}
	if m.Link != "" {
		return nil, fmt.Errorf("%s is a symlink (to %s): name the file itself", p, m.Link)
	}
	orig, err := hostfs.ReadFile(hp, maxFile)
	if err != nil {
		return nil, err
	}
	m.SHA256 = hostfs.HashBytes(orig)
	lines := splitLines(orig)
	a := &contain.Action{UID: contain.NewUID(), Kind: LineKind, Target: t, Subject: fmt.Sprintf("%s:%s", p, joinInts(ns))}
	lp := LineParams{Path: p, Remove: noComments(p)}
	for _, n := range ns {
		if n < 1 || n > len(lines) {
			return nil, fmt.Errorf("%s has %d lines, there is no line %d", p, len(lines), n)
		}
		if slices.Contains(lp.Lines, n) {
			continue
		}
		text := strings.TrimRight(string(lines[n-1]), "\r\n")
		trim := strings.TrimSpace(text)
		if trim == "" || strings.HasPrefix(trim, "#") {
			return nil, fmt.Errorf("%s line %d is blank or already a comment: %q", p, n, text)
		}
		lp.Lines, lp.Texts = append(lp.Lines, n), append(lp.Texts, text)
		if lp.Remove {
			a.Step("contain.plan.line-remove", p, n, text)
		} else {
			a.Step("contain.plan.line-comment", p, n, text, Marker+a.UID+": ")
		}
	}
	if len(lp.Lines) == 0 {
		return nil, errors.New("no line to disable")
	}
	newContent := edit(lines, lp, a.UID)
	a.Note("contain.note.line-undo", m.SHA256)
	if err := a.SetParams(lp); err != nil {
		return nil, err
	}
	return a, a.SetUndo(LineUndo{Meta: m, Original: base64.StdEncoding.EncodeToString(orig), NewSHA: hostfs.HashBytes(newContent)})
}

func joinInts(ns []int) string {
	var s []string
	for _, n := range ns {
		s = append(s, strconv.Itoa(n))
	}
	return strings.Join(s, ",")
}

// splitLines splits b after each newline, keeping them (the last line may
// have none).
func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

// edit returns the file with the line commented out (or removed).
func edit(lines [][]byte, p LineParams, uid string) []byte {
	var out bytes.Buffer
	for i, l := range lines {
		switch {
		case !slices.Contains(p.Lines, i+1):
			out.Write(l)
		case p.Remove:
		default:
			out.WriteString(Marker + uid + ": ")
			out.Write(l)
		}
	}
	return out.Bytes()
}

// LineAction implements contain.Kind for LineKind.
type LineAction struct{}

// Name implements contain.Kind.
func (LineAction) Name() string { return LineKind }

func decodeLine(a *contain.Action) (LineParams, LineUndo, []byte, string, error) {
	var p LineParams
	var u LineUndo
	if err := a.Decode(&p, &u); err != nil {
		return p, u, nil, "", err
	}
	orig, err := base64.StdEncoding.DecodeString(u.Original)
	if err != nil {
		return p, u, nil, "", err
	}
	hp, err := a.Target.HostPath(p.Path)
	return p, u, orig, hp, err
}

// current is the file's digest now ("" when it is gone).
func current(hp string) (string, error) {
	b, err := hostfs.ReadFile(hp, maxFile)
	if err != nil {
		return "", err
	}
	return hostfs.HashBytes(b), nil
}

// Apply writes the edited file atomically, with the original's owner,
// mode and attributes (its times are now: the file did change).
func (LineAction) Apply(_ context.Context, a *contain.Action) error {
	p, u, orig, hp, err := decodeLine(a)
	if err != nil {
		return err
	}
	sum, err := current(hp)
	if err != nil {
		return contain.Refuse(err)
	}
	if sum == u.NewSHA {
		return nil // done before a crash
	}
	if sum != u.Meta.SHA256 {
		return contain.Refuse(fmt.Errorf("%s changed since the plan was made: plan again", p.Path))
	}
	m := u.Meta
	now := time.Now().UnixNano()
	m.AtimeNs, m.MtimeNs = now, now
	return hostfs.Install(hp, edit(splitLines(orig), p, a.UID), m, false)
}

// Verify checks the file holds the edit.
func (LineAction) Verify(_ context.Context, a *contain.Action) error {
	p, u, _, hp, err := decodeLine(a)
	if err != nil {
		return err
	}
	if sum, err := current(hp); err != nil || sum != u.NewSHA {
		return fmt.Errorf("%s does not hold the edit (%v)", p.Path, err)
	}
	return nil
}

// Undo puts the original file back byte for byte, with its metadata and
// times, unless someone changed the file after the action.
func (LineAction) Undo(_ context.Context, a *contain.Action) error {
	p, u, orig, hp, err := decodeLine(a)
	if err != nil {
		return err
	}
	sum, err := current(hp)
	switch {
	case err != nil:
		return fmt.Errorf("%s cannot be read, not restored: %w", p.Path, err)
	case sum == u.Meta.SHA256:
		return nil // never applied, or already undone
	case sum != u.NewSHA:
		return fmt.Errorf("%s changed after the action (SHA-256 %s): not overwritten; its original is in the journal (vigil actions --format json)", p.Path, sum)
	}
	return hostfs.Install(hp, orig, u.Meta, false)
}

// unitDirs are where systemd reads units on a Debian, RHEL or SUSE system.
var unitDirs = []string{"/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system",
	"/usr/local/lib/systemd/system"}

// isUnit reports whether p names a systemd unit file.
func isUnit(p string) bool {
	switch path.Ext(p) {
	case ".service", ".timer", ".socket", ".path", ".mount", ".automount":
	default:
		return false
	}
	for _, d := range unitDirs {
		if strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return strings.Contains(p, "/systemd/user/") || strings.Contains(p, "/.config/systemd/user/")
}
