package webroots

import "strings"

// NginxDirective is one directive of an nginx configuration file, with its
// block's children when it has one ("server { ... }").
type NginxDirective struct {
	Name     string
	Args     []string
	File     string // target path of the file it was read from (set by the loader)
	Line     int    // 1-based line of the directive name
	HasBlock bool
	Block    []*NginxDirective
}

// Text renders the directive roughly as written, for evidence.
func (d *NginxDirective) Text() string {
	s := d.Name
	if len(d.Args) > 0 {
		s += " " + strings.Join(d.Args, " ")
	}
	if d.HasBlock {
		return s + " {"
	}
	return s + ";"
}

// MaxNginxDepth bounds block nesting; deeper blocks are flattened into the
// deepest level kept, so hostile input cannot grow the stack.
const MaxNginxDepth = 64

// ParseNginx parses an nginx configuration. It never fails: a missing ';'
// or '}' at the end of the file closes what is open, a stray '}' is
// ignored, so that a broken file still yields its directives.
func ParseNginx(b []byte) []*NginxDirective {
	p := &nginxParser{src: b, line: 1}
	var top []*NginxDirective
	stack := []*[]*NginxDirective{&top}
	var cur *NginxDirective
	for {
		tok, kind := p.next()
		switch kind {
		case tokEOF:
			return top
		case tokWord:
			if cur == nil {
				cur = &NginxDirective{Name: tok, Line: p.tokLine}
			} else {
				cur.Args = append(cur.Args, tok)
			}
		case tokSemi:
			if cur != nil {
				list := stack[len(stack)-1]
				*list = append(*list, cur)
				cur = nil
			}
		case tokOpen:
			if cur == nil {
				cur = &NginxDirective{Name: "", Line: p.tokLine} // anonymous block
			}
			cur.HasBlock = true
			list := stack[len(stack)-1]
			*list = append(*list, cur)
			if len(stack) < MaxNginxDepth {
				stack = append(stack, &cur.Block)
			}
			cur = nil
		case tokClose:
			if cur != nil { // "x }": a directive missing its ';'
				list := stack[len(stack)-1]
				*list = append(*list, cur)
				cur = nil
			}
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		}
	}
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokSemi
	tokOpen
	tokClose
)

type nginxParser struct {
	src     []byte
	pos     int
	line    int
	tokLine int
}

func (p *nginxParser) next() (string, tokKind) {
	// Skip blanks and comments.
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '\n' {
			p.line++
			p.pos++
			continue
		}
		if c == ' ' || c == '\t' || c == '\r' {
			p.pos++
			continue
		}
		if c == '#' {
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
			continue
		}
		break
	}
	if p.pos >= len(p.src) {
		return "", tokEOF
	}
	p.tokLine = p.line
	c := p.src[p.pos]
	switch c {
	case ';':
		p.pos++
		return ";", tokSemi
	case '{':
		p.pos++
		return "{", tokOpen
	case '}':
		p.pos++
		return "}", tokClose
	case '"', '\'':
		return p.quoted(c), tokWord
	}
	var sb strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '{' || c == '}':
			return sb.String(), tokWord
		case c == '\\' && p.pos+1 < len(p.src):
			sb.WriteByte(c)
			sb.WriteByte(p.src[p.pos+1])
			if p.src[p.pos+1] == '\n' {
				p.line++
			}
			p.pos += 2
		case c == '$' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '{':
			// ${var}: the braces belong to the word.
			end := strings.IndexByte(string(p.src[p.pos:min(len(p.src), p.pos+256)]), '}')
			if end < 0 {
				sb.WriteByte(c)
				p.pos++
				continue
			}
			sb.Write(p.src[p.pos : p.pos+end+1])
			p.pos += end + 1
		default:
			sb.WriteByte(c)
			p.pos++
		}
	}
	return sb.String(), tokWord
}

// quoted reads a quoted word; the quotes are dropped and \q unescaped.
func (p *nginxParser) quoted(q byte) string {
	p.pos++
	var sb strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == q:
			p.pos++
			return sb.String()
		case c == '\\' && p.pos+1 < len(p.src) && (p.src[p.pos+1] == q || p.src[p.pos+1] == '\\'):
			sb.WriteByte(p.src[p.pos+1])
			p.pos += 2
		default:
			if c == '\n' {
				p.line++
			}
			sb.WriteByte(c)
			p.pos++
		}
	}
	return sb.String()
}
