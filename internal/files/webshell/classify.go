package webshell

import (
	"bytes"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// Script extensions a web server or an interpreter behind it may execute.
var ScriptExts = map[string]bool{
	"php": true, "php3": true, "php4": true, "php5": true, "php7": true, "php8": true, "pht": true, "phtml": true,
	"phar": true, "jsp": true, "jspx": true, "asp": true, "aspx": true, "ashx": true, "asmx": true,
	"cgi": true, "pl": true, "py": true, "sh": true,
}

// Image (and plain data) extensions that must never run as code.
var ImageExts = map[string]bool{
	"jpg": true, "jpeg": true, "png": true, "gif": true, "ico": true, "bmp": true, "webp": true,
}

// ImageSamples are names a handler mapping is tested against: if one of
// them would run as a script, images in that scope are executable.
var ImageSamples = []string{"x.jpg", "x.jpeg", "x.png", "x.gif", "x.ico", "x.bmp", "x.webp", "x.txt", "a/b.jpg"}

func Ext(name string) string {
	e := path.Ext(name)
	return strings.ToLower(strings.TrimPrefix(e, "."))
}

// DirClass grades a path by the directories it passes through: content
// people upload, images, or generated/static content. Strongest wins.
type DirClass int

const (
	DirOther  DirClass = iota
	DirWeak            // static, files, media, cache, tmp: frameworks write code here
	DirImage           // images, img: only pictures belong here
	DirUpload          // uploads, attachments: user content, never code
)

var dirClasses = map[string]DirClass{
	"uploads": DirUpload, "upload": DirUpload, "uploaded": DirUpload, "uploadfile": DirUpload, "uploadfiles": DirUpload,
	"upfile": DirUpload, "upfiles": DirUpload, "upimg": DirUpload, "attachments": DirUpload, "attachment": DirUpload,
	"attached": DirUpload, "userfiles": DirUpload,
	"images": DirImage, "image": DirImage, "img": DirImage, "imgs": DirImage, "pics": DirImage, "pictures": DirImage,
	"photos": DirImage, "thumbs": DirImage, "thumbnails": DirImage, "avatar": DirImage, "avatars": DirImage,
	"static": DirWeak, "files": DirWeak, "media": DirWeak, "cache": DirWeak, "tmp": DirWeak, "temp": DirWeak,
}

// codeTree are directory names of source trees: a library's Image/ or
// Upload/ namespace directory (vendor/intervention/image, Drupal's
// core/modules/image, Magento's Model/Product/Image) is code, not content.
var codeTree = map[string]bool{
	"vendor": true, "node_modules": true, "src": true, "lib": true, "libs": true, "library": true, "libraries": true,
	"includes": true, "inc": true, "modules": true, "module": true, "classes": true, "code": true,
	"model": true, "models": true, "controller": true, "controllers": true,
}

// Classify returns the strongest class among the directories of rel (a
// path relative to the web root, file name excluded) and the root's own
// name, with the directory that gave it. Inside a source tree any class
// counts as weak: only code that runs request input is reported there.
func Classify(rootBase, relDir string) (DirClass, string) {
	best, which := DirOther, ""
	inCode := false
	parts := append([]string{rootBase}, strings.Split(relDir, "/")...)
	for _, p := range parts {
		lp := strings.ToLower(p)
		if codeTree[lp] {
			inCode = true
		}
		if c := dirClasses[lp]; c > best {
			best, which = c, p
		}
	}
	if inCode && best > DirWeak {
		best = DirWeak
	}
	return best, which
}

// ClassifyDir grades a directory named in a configuration (a .htaccess
// location, a <Directory> or location path) by its components alone.
func ClassifyDir(dir string) (DirClass, string) {
	best, which := DirOther, ""
	for _, p := range strings.Split(dir, "/") {
		if c := dirClasses[strings.ToLower(p)]; c > best {
			best, which = c, p
		}
	}
	return best, which
}

// Markers of server-side code inside an image. Each needs several exact
// bytes, so that random image data does not match by chance.
var imageCodeRe = lazyre.New(`<\?(?:php|PHP)[\s(]|(?i:<%@\s*page\b|<%\s*(?:eval|execute)\b|<script\s+language\s*=\s*["']?php|runat\s*=\s*["']?server|<jsp:|Runtime\.getRuntime\(\)\.exec\s*\()|` + evalInput)

// evalInput is code that evaluates or runs request input, or decodes a
// payload to evaluate: the core of a webshell in any of PHP, ASP, JSP.
const evalInput = `(?i:\b(?:eval|assert|system|exec|shell_exec|passthru|popen|proc_open|create_function|preg_replace)\s*\(\s*(?:\$_(?:POST|GET|REQUEST|COOKIE)|base64_decode\s*\(|gzinflate\s*\(|gzuncompress\s*\(|str_rot13\s*\(|request\s*[.(\[])|\$_(?:POST|GET|REQUEST|COOKIE)\s*\[[^\]]{0,40}\]\s*\(|request\.getParameter\s*\([^)]{0,60}\)\s*\)?\s*;?\s*Runtime|eval\s*\(?\s*request\s*\()`

var WebshellRe = lazyre.New(evalInput)

// FindCode returns the first code marker in b, clipped for evidence.
func FindCode(b []byte) (string, bool) {
	loc := imageCodeRe.FindIndex(b)
	if loc == nil {
		return "", false
	}
	end := min(len(b), loc[1]+60)
	return Printable(b[loc[0]:end]), true
}

// WebshellCode reports request-driven code execution in a script.
func WebshellCode(b []byte) (string, bool) {
	loc := WebshellRe.FindIndex(b)
	if loc == nil {
		return "", false
	}
	end := min(len(b), loc[1]+60)
	return Printable(b[loc[0]:end]), true
}

// Printable renders bytes for evidence: control and non-ASCII bytes as '.'.
func Printable(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c == '\n' || c == '\r' || c == '\t' {
			sb.WriteByte(' ')
		} else if c < 0x20 || c >= 0x7f {
			sb.WriteByte('.')
		} else {
			sb.WriteByte(c)
		}
	}
	return strings.TrimSpace(sb.String())
}

// benignStubRe matches what remains of a PHP stub once comments and
// whitespace are gone: nothing, exit/die, a redirect to the parent, or a
// direct-access guard. Plugins and CMSs drop such files into every
// directory, uploads included ("Silence is golden", PrestaShop's index.php).
var benignStmtRe = lazyre.New(`^(?:|exit|die|exit\(\)|die\(\)|(?:exit|die)\s*\(\s*(?:\d+|'[^'$]*'|"[^"$]*")\s*\)|header\s*\(\s*(?:'[^'$]*'|"[^"$]*")\s*(?:\.\s*gmdate\s*\(\s*(?:'[^'$]*'|"[^"$]*")\s*\)\s*\.\s*(?:'[^'$]*'|"[^"$]*")\s*)?(?:,\s*(?:false|true|\d+)\s*)*\)|http_response_code\s*\(\s*\d+\s*\)|(?:if\s*\(\s*!\s*defined\s*\(\s*'[A-Z_]+'\s*\)\s*\)|defined\s*\(\s*'[A-Z_]+'\s*\)\s*(?:or|\|\|))\s*\{?\s*(?:exit|die)(?:\s*\(\s*(?:'[^'$]*'|"[^"$]*")?\s*\))?\s*;?\s*\}?)$`)

// BenignStub reports whether a PHP file cannot do anything but stop or
// redirect: empty, comments only, exits first, or only sends headers.
func BenignStub(b []byte) bool {
	code := StripPHP(b)
	if code == "" {
		return true
	}
	// Braces only group the guard's exit; the statements decide.
	code = strings.NewReplacer("{", " ", "}", " ").Replace(code)
	stmts := strings.Split(code, ";")
	if first := strings.TrimSpace(stmts[0]); first == "exit" || first == "die" || strings.HasPrefix(first, "exit(") || strings.HasPrefix(first, "die(") {
		return true // nothing after the first statement ever runs
	}
	for _, s := range stmts {
		if !benignStmtRe.MatchString(strings.TrimSpace(s)) {
			return false
		}
	}
	return true
}

// StripPHP returns the PHP code of b without open/close tags, comments and
// surrounding whitespace. Text outside <?php ... ?> is dropped. Strings are
// kept verbatim. Bounded by the caller's read limit.
func StripPHP(b []byte) string {
	var sb strings.Builder
	inPHP := false
	for i := 0; i < len(b); {
		if !inPHP {
			j := bytes.Index(b[i:], []byte("<?"))
			if j < 0 {
				break
			}
			i += j + 2
			if bytes.HasPrefix(bytes.ToLower(b[i:min(len(b), i+3)]), []byte("php")) {
				i += 3
			} else if i < len(b) && b[i] == '=' {
				sb.WriteString("echo ") // <?= is output, never benign
				i++
			}
			inPHP = true
			continue
		}
		c := b[i]
		switch {
		case c == '?' && i+1 < len(b) && b[i+1] == '>':
			sb.WriteByte(';')
			inPHP = false
			i += 2
		case c == '#' || (c == '/' && i+1 < len(b) && b[i+1] == '/'):
			for i < len(b) && b[i] != '\n' && !(b[i] == '?' && i+1 < len(b) && b[i+1] == '>') {
				i++
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			end := bytes.Index(b[i+2:], []byte("*/"))
			if end < 0 {
				i = len(b)
			} else {
				i += end + 4
			}
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(b) && b[j] != c {
				if b[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(b))
			sb.Write(b[i:j])
			i = j
		case c == '\n' || c == '\r' || c == '\t':
			sb.WriteByte(' ')
			i++
		default:
			sb.WriteByte(c)
			i++
		}
	}
	s := strings.Join(strings.Fields(sb.String()), " ")
	s = strings.Trim(s, "; ")
	// Collapse empty statements.
	for strings.Contains(s, "; ;") || strings.Contains(s, ";;") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "; ;", ";"), ";;", ";")
	}
	return strings.ReplaceAll(s, " ;", ";")
}
