package cmdscan

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// writeTarget finds the absolute paths a command line writes to: output
// redirections, tee, the output options of downloaders (-o, -O,
// --output), dd's of=, the destination of cp, mv, install and rsync, and
// the directories mkdir creates, the archives tar and zip create. Submatch 1 or 2 is the path.
var writeTarget = lazyre.New(`(?:>>?|\btee\s+(?:-a\s+)?|\s-[oO]\s*|--output(?:-document)?[= ]|\bof=|\bmkdir\s+(?:-\S+\s+)*|\btar\s+(?:-\S+\s+)*-?[A-Za-z]*c[A-Za-z]*f\s*|\bzip\s+(?:-\S+\s+)*)\s*["']?(/[^\s;&|<>'"` + "`" + `]+)|\b(?:cp|mv|install|rsync)\s+(?:-\S+\s+)*\S+\s+["']?(/[^\s;&|<>'"` + "`" + `]+)`)

// WriteTargets returns the absolute paths text writes to, in order, at
// most 8; /dev/null and the standard streams are left out.
func WriteTargets(text string) []string {
	var out []string
	for _, m := range writeTarget.FindAllStringSubmatch(text, 8) {
		p := m[1]
		if p == "" {
			p = m[2]
		}
		if p == "" || p == "/dev/null" || strings.HasPrefix(p, "/dev/std") || strings.HasPrefix(p, "/dev/fd/") {
			continue
		}
		out = append(out, p)
	}
	return out
}
