package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/termtext"
)

func TestWrapCells(t *testing.T) {
	tests := []struct {
		name string
		in   string
		w    int
		want []string
	}{
		{"fits", "/etc/passwd", 20, []string{"/etc/passwd"}},
		{"ascii", "/abcdefghij", 4, []string{"/abc", "defg", "hij"}},
		{"cjk never split", "/数据/备份", 4, []string{"/数", "据/", "备份"}},
		{"wide rune wider than the column", "中x", 1, []string{"中", "x"}},
		{"no width", "/a/b", 0, []string{"/a/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrapCells(tt.in, tt.w)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("wrapCells(%q, %d) = %q, want %q", tt.in, tt.w, got, tt.want)
			}
		})
	}
}

// TestTableShowsWholePaths: a long path and a path in Chinese are never
// cut: whole on a pipe, wrapped within the terminal's width on a terminal.
func TestTableShowsWholePaths(t *testing.T) {
	long := "/var/www/html/wp-content/uploads/2026/11/" + strings.Repeat("very-long-directory-name/", 6) + "shell.php"
	cjk := "/home/张伟/文档/财务报表/二〇二六年十一月/备份脚本/每日同步到远程服务器的计划任务.sh"
	r := fixtureResult()
	r.Findings = append(r.Findings,
		model.Finding{RuleID: "scan.coverage.incomplete", Severity: model.High, Subject: long, Evidence: model.Evidence{Path: long}, Fingerprint: "fp3"},
		model.Finding{RuleID: "scan.coverage.incomplete", Severity: model.Medium, Subject: cjk, Evidence: model.Evidence{Path: cjk, Line: 12}, Fingerprint: "fp4"},
	)
	for _, width := range []int{0, 80, 120} {
		for _, lang := range []string{catalog.English, catalog.Chinese} {
			var buf bytes.Buffer
			h, err := New("table", &buf, Options{Lang: lang, Catalog: catalog.MustLoad(), Width: width})
			if err != nil {
				t.Fatal(err)
			}
			if err := Replay(r, h); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			// Rejoin the lines: a wrapped location continues on lines that
			// hold nothing else.
			var trimmed []string
			for _, line := range strings.Split(out, "\n") {
				trimmed = append(trimmed, strings.TrimSpace(line))
			}
			joined := strings.Join(trimmed, "")
			for _, p := range []string{long, cjk + ":12"} {
				if !strings.Contains(joined, p) {
					t.Errorf("width %d %s: path %q cut:\n%s", width, lang, p, out)
				}
				if width == 0 && !strings.Contains(out, p) {
					t.Errorf("not a terminal, %s: path %q not on one line:\n%s", lang, p, out)
				}
			}
			if width == 0 {
				continue
			}
			for _, line := range strings.Split(out, "\n") {
				if (strings.Contains(line, "very-long") || strings.Contains(line, "张伟") || strings.Contains(line, "计划任务")) && termtext.Width(line) > width {
					t.Errorf("width %d %s: a line of the path takes %d cells: %q", width, lang, termtext.Width(line), line)
				}
			}
		}
	}
}
