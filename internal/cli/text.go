package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/termtext"
)

// words are the fixed words of the history commands' tables (scans,
// findings, ignore), in both languages. Finding titles come from the
// catalog.
var words = map[string]map[string]string{
	catalog.English: {
		"id": "ID", "started": "STARTED (UTC)", "target": "TARGET", "host": "HOST", "duration": "DURATION", "version": "VERSION",
		"live": "live", "offline": "offline", "baseline": "baseline", "scans": "scans", "store": "store",
		"state": "STATE", "severity": "SEVERITY", "rule": "RULE", "where": "WHERE", "title": "TITLE",
		"open": "open", "gone": "gone", "suppressed": "suppressed", "first_seen": "first seen", "last_seen": "last seen",
		"gone_since": "gone since", "scan": "scan", "fingerprint": "fingerprint", "findings": "findings",
		"hidden_supp": "suppressed findings not listed (--show-suppressed lists them)",
		"match":       "MATCHES", "reason": "REASON", "until": "UNTIL", "by": "BY", "never": "never",
		"active": "active", "expired": "expired", "removed": "removed", "suppressions": "suppressions",
		"at": "WHEN (UTC)", "who": "WHO", "action": "ACTION", "detail": "DETAIL",
		"no_scans": "No scans saved yet.", "no_findings": "No stored findings match.", "no_supp": "No suppressions.",
		"no_audit": "The audit trail is empty.",
		"added":    "suppression added", "reason_l": "reason", "removed_l": "suppression removed",
		"imported": "imported", "skipped": "skipped (already present or expired)",
		"act_add": "add", "act_remove": "remove", "act_import": "import", "act_expire": "expire",
		"rules": "rules", "r_sev": "severity", "r_conf": "confidence", "r_cat": "category",
		"r_why": "Why it matters", "r_verify": "How to verify", "r_fix": "What to do",
	},
	catalog.Chinese: {
		"id": "编号", "started": "开始时间(UTC)", "target": "目标", "host": "主机", "duration": "耗时", "version": "版本",
		"live": "在线", "offline": "离线", "baseline": "基线", "scans": "次扫描", "store": "存储",
		"state": "状态", "severity": "等级", "rule": "规则", "where": "位置", "title": "标题",
		"open": "存在", "gone": "已消失", "suppressed": "已忽略", "first_seen": "首次发现", "last_seen": "最近发现",
		"gone_since": "消失于", "scan": "扫描", "fingerprint": "指纹", "findings": "项发现",
		"hidden_supp": "项已忽略的发现未列出(加 --show-suppressed 显示)",
		"match":       "匹配", "reason": "原因", "until": "有效期至", "by": "操作人", "never": "长期",
		"active": "生效", "expired": "已过期", "removed": "已撤销", "suppressions": "条忽略规则",
		"at": "时间(UTC)", "who": "操作人", "action": "操作", "detail": "内容",
		"no_scans": "尚无保存的扫描记录。", "no_findings": "没有符合条件的历史发现项。", "no_supp": "没有忽略规则。",
		"no_audit": "审计记录为空。",
		"added":    "已添加忽略规则", "reason_l": "原因", "removed_l": "已撤销忽略规则",
		"imported": "已导入", "skipped": "已跳过(已存在或已过期)",
		"act_add": "添加", "act_remove": "撤销", "act_import": "导入", "act_expire": "过期",
		"rules": "条规则", "r_sev": "等级", "r_conf": "置信度", "r_cat": "类别",
		"r_why": "危害说明", "r_verify": "人工核实方法", "r_fix": "处置建议",
	},
}

func word(lang, k string) string {
	if s := words[lang][k]; s != "" {
		return s
	}
	if s := words[catalog.English][k]; s != "" {
		return s
	}
	return k
}

// table writes aligned columns; the last column is never padded (it holds
// free text such as a Chinese title). Cells are scrubbed of control
// characters: stored evidence comes from a possibly hostile host.
type table struct {
	rows  [][]string
	notes map[int]string // a line printed under a row, indented, not aligned
	right map[int]bool   // right-aligned columns
}

func (t *table) add(cells ...string) {
	for i := range cells {
		cells[i] = termtext.OneLine(cells[i])
	}
	t.rows = append(t.rows, cells)
}

// note adds a free line under the last row.
func (t *table) note(s string) {
	if t.notes == nil {
		t.notes = map[int]string{}
	}
	t.notes[len(t.rows)-1] = termtext.OneLine(s)
}

func (t *table) write(w io.Writer) error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], termtext.Width(c))
		}
	}
	var b strings.Builder
	for ri, r := range t.rows {
		var line strings.Builder
		for i, c := range r {
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-termtext.Width(c))
			if t.right[i] {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
		if n, ok := t.notes[ri]; ok {
			b.WriteString(strings.Repeat(" ", widths[0]+2) + n + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// warnf reports a problem that does not stop the command (the store
// failing under a scan) on stderr.
func (g *globals) warnf(format string, a ...any) {
	fmt.Fprintf(g.stderr, "vigil: warning: "+format+"\n", a...)
}

// notef tells the person something on stderr (never mixed into the
// machine-readable stdout).
func (g *globals) notef(format string, a ...any) {
	fmt.Fprintf(g.stderr, "vigil: "+format+"\n", a...)
}
