package webshell

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// Lang is the server-side language a file would run as.
type Lang int

// Languages the heuristics know.
const (
	LangNone Lang = iota
	LangPHP
	LangJSP
	LangASP
	LangCFM
	LangPerl
	LangPython
	LangShell
)

var langNames = [...]string{"", "php", "jsp", "asp", "cfm", "perl", "python", "shell"}

func (l Lang) String() string { return langNames[l] }

// LangOf returns the language of a file by its extension.
func LangOf(name string) Lang {
	switch e := Ext(name); e {
	case "php", "php3", "php4", "php5", "php7", "php8", "pht", "phtml", "phar", "inc":
		if e == "inc" && !strings.HasSuffix(strings.ToLower(name), ".php.inc") {
			return LangNone
		}
		return LangPHP
	case "jsp", "jspx", "jspf":
		return LangJSP
	case "asp", "aspx", "ashx", "asmx", "asa", "cshtml":
		return LangASP
	case "cfm", "cfml", "cfc":
		return LangCFM
	case "pl", "cgi", "pm":
		return LangPerl
	case "py":
		return LangPython
	case "sh":
		return LangShell
	}
	return LangNone
}

// spec is how one language lets request input reach code execution: where
// input comes from, the calls that run code or commands with their
// arguments, and how a variable is assigned (for one-step taint).
type spec struct {
	source *lazyre.Regexp // request input
	sink   *lazyre.Regexp // a call that runs its argument (matched lower-cased); the match ends where the argument begins
	// callback is a call whose first argument is called (PHP's
	// call_user_func, array_map ...): it runs input only when that first
	// argument is input.
	callback *lazyre.Regexp
	assign   *lazyre.Regexp // var = ...; group 1 the name, the match ends at the value
	ref      *lazyre.Regexp // a variable reference; group 1 the name
	end      string         // bytes that end a statement
}

// lowered compiles a sink pattern for matching lower-cased content: sinks
// are names, and their case does not matter in PHP, ASP or CFML (and the
// Java and Python names are not spelled otherwise in another case).
func lowered(pattern string) *lazyre.Regexp {
	return lazyre.New(strings.ToLower(strings.TrimPrefix(pattern, "(?i)")))
}

// The patterns below are constants of Vigil, compiled once; what the
// target provides is only ever matched against them.
var specs = map[Lang]*spec{
	LangPHP: {
		source:   lazyre.New(`\$_(?:GET|POST|REQUEST|COOKIE|FILES)\b|\$_SERVER\s*\[\s*['"]HTTP_|getallheaders\s*\(|php://input|\$HTTP_(?:GET|POST|COOKIE)_VARS|\$HTTP_RAW_POST_DATA`),
		sink:     lowered(`(?i)(?:^|[^\w>:$\\])(?:eval|assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|create_function)\s*\(`),
		callback: lowered(`(?i)(?:^|[^\w>:$\\])(?:call_user_func(?:_array)?|array_map|register_shutdown_function|register_tick_function|forward_static_call(?:_array)?|ob_start|iterator_apply)\s*\(\s*@?\s*`),
		assign:   lazyre.New(`\$(\w{1,64})\s*(?:\.)?=[^=>]`),
		ref:      lazyre.New(`\$\{?['"]?(\w{1,64})`),
		end:      ";",
	},
	LangJSP: {
		source: lazyre.New(`request\.get(?:Parameter(?:Values|Map)?|Header|InputStream|Reader|QueryString)\s*\(`),
		sink:   lowered(`Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(|new\s+ProcessBuilder\s*\(|\.\s*command\s*\(|ScriptEngine\w*\s*\.\s*eval\s*\(|\.eval\s*\(|defineClass\s*\(|\bexec\s*\(`),
		assign: lazyre.New(`\b([A-Za-z_]\w{0,63})\s*=[^=]`),
		ref:    lazyre.New(`\b([A-Za-z_]\w{0,63})\b`),
		end:    ";",
	},
	LangASP: {
		source: lazyre.New(`(?i)\bRequest\s*(?:\(|\[|\.\s*(?:Form|QueryString|Item|Params|Cookies|InputStream|BinaryRead|Headers|ServerVariables)\b)`),
		sink:   lowered(`(?i)(?:^|[^\w.])(?:eval|execute|executeglobal)\b\s*\(?|Process\s*\.\s*Start\s*\(|new\s+ProcessStartInfo\s*\(|Assembly\s*\.\s*Load\s*\(|\.\s*(?:Exec|Run)\s*\(|\.\s*FileName\s*=`),
		assign: lazyre.New(`(?i)\b(?:(?:dim|set|var|string|object)\s+)?([A-Za-z_]\w{0,63})\s*=[^=]`),
		ref:    lazyre.New(`\b([A-Za-z_]\w{0,63})\b`),
		end:    ";\n",
	},
	LangCFM: {
		source: lazyre.New(`(?i)#?\b(?:url|form|cgi|cookie)\.\w+`),
		sink:   lowered(`(?i)<cfexecute\b|\bevaluate\s*\(|java\.lang\.Runtime|createObject\s*\(\s*["']java["']`),
		assign: lazyre.New(`(?i)<cfset\s+([A-Za-z_]\w{0,63})\s*=`),
		ref:    lazyre.New(`#?\b([A-Za-z_]\w{0,63})\b`),
		end:    ">\n",
	},
	LangPerl: {
		source: lazyre.New(`\bparam\s*\(|->\s*param\b|\$ENV\s*\{\s*['"]?(?:QUERY_STRING|HTTP_\w+)|<STDIN>|\$cgi\b`),
		sink:   lowered("(?:^|[^\\w>$])(?:system|exec|eval|qx|open)\\s*[\\(\\{/ ]|`"),
		assign: lazyre.New(`\$(\w{1,64})\s*=[^=~]`),
		ref:    lazyre.New(`\$\{?(\w{1,64})`),
		end:    ";",
	},
	LangPython: {
		source: lazyre.New(`FieldStorage\s*\(|\.getvalue\s*\(|\.getfirst\s*\(|os\.environ\s*(?:\[|\.get\s*\()\s*['"](?:QUERY_STRING|HTTP_\w+)|request\.(?:args|form|values|GET|POST|data|json)\b`),
		sink:   lowered(`os\s*\.\s*(?:system|popen|exec\w*|spawn\w*)\s*\(|subprocess\s*\.\s*\w+\s*\(|commands\s*\.\s*getoutput\s*\(|(?:^|[^\w.])(?:eval|exec)\s*\(`),
		assign: lazyre.New(`\b([A-Za-z_]\w{0,63})\s*=[^=]`),
		ref:    lazyre.New(`\b([A-Za-z_]\w{0,63})\b`),
		end:    "\n",
	},
}
