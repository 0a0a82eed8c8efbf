package report

import "github.com/vigil-ir/vigil/internal/catalog"

// ui holds the few fixed words of the human output, in both languages.
var ui = map[string]map[string]string{
	catalog.English: {
		"scan_of":       "Vigil scan of",
		"live":          "live host",
		"offline":       "offline root",
		"no_findings":   "No findings at or above the display threshold.",
		"summary":       "Summary",
		"findings":      "findings",
		"suppressed":    "suppressed",
		"hidden":        "not shown by filters",
		"not_checked":   "Not checked",
		"more":          "more; see --format json for all",
		"checks":        "checks",
		"failed":        "failed",
		"why":           "Why",
		"verify":        "Verify",
		"fix":           "Fix",
		"confidence":    "confidence",
		"package":       "package",
		"not_packaged":  "not from any package",
		"runs":          "runs",
		"when.boot":     "at boot",
		"when.login":    "at login",
		"when.schedule": "on a schedule",
		"when.event":    "on an event",
		"when.running":  "now",
		"when.update":   "on package updates",
		"when.exec":     "at every program start",
		"user":          "user",
		"pid":           "pid",
		"hint_verbose":  "Run with -v for why each finding matters, how to verify it and what to do.",
		"nothing_gap":   "Everything the checks looked for was readable.",
		"folded_more":   "%d more findings of %s are not listed one by one (--max-per-rule; all are counted in JSON .folded)",
		"folded":        "folded (rule fired too often)",
	},
	catalog.Chinese: {
		"scan_of":       "Vigil 扫描:",
		"live":          "在线主机",
		"offline":       "离线根目录",
		"no_findings":   "没有达到显示阈值的发现项。",
		"summary":       "汇总",
		"findings":      "项发现",
		"suppressed":    "已忽略",
		"hidden":        "被筛选条件隐藏",
		"not_checked":   "未检查",
		"more":          "项未列出;完整内容请用 --format json",
		"checks":        "项检查",
		"failed":        "失败",
		"why":           "风险说明",
		"verify":        "人工核实",
		"fix":           "处置建议",
		"confidence":    "置信度",
		"package":       "所属软件包",
		"not_packaged":  "不属于任何软件包",
		"runs":          "触发时机",
		"user":          "用户",
		"pid":           "进程",
		"hint_verbose":  "加 -v 参数可查看每项发现的风险说明、人工核实方法与处置建议。",
		"nothing_gap":   "所有检查项需要读取的内容均可读取。",
		"folded_more":   "规则 %[2]s 另有 %[1]d 项发现未逐条列出（见 --max-per-rule；JSON 的 .folded 中有全部计数）",
		"folded":        "项已合并（规则触发过多）",
		"conf.low":      "低",
		"conf.medium":   "中",
		"conf.high":     "高",
		"when.boot":     "开机时",
		"when.login":    "登录时",
		"when.schedule": "定时",
		"when.event":    "事件触发",
		"when.running":  "正在运行",
		"when.update":   "软件更新时",
		"when.exec":     "每次程序启动时",
	},
}

// value localises an enum value shown in the table (confidence, when),
// falling back to the value itself.
func value(lang, prefix, v string) string {
	if s := ui[lang][prefix+"."+v]; s != "" {
		return s
	}
	return v
}

func msg(lang, key string) string {
	if s := ui[lang][key]; s != "" {
		return s
	}
	return ui[catalog.English][key]
}
