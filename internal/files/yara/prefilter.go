package yara

import (
	"fmt"
	"math"
	"strconv"

	"github.com/VirusTotal/gyp"
	"github.com/VirusTotal/gyp/ast"
)

// The prefilter: which files no rule of the set can match, known before
// libyara scans them.
//
// libyara does not expose its rules' conditions, so the rule files are
// parsed again with gyp (VirusTotal's YARA parser in Go) and each
// reportable rule's condition is reduced to a necessary condition: bounds
// on filesize, and a set of anchors (byte strings) one of which every
// matching file contains — the required literals of its text, hex and
// regular-expression strings, combined through and / or / N of. Anything
// the analysis does not understand is top: no constraint (a rule whose
// condition is wholly top is always scanned). The reduction only ever
// weakens a condition, so a file the prefilter lets go is one libyara
// would match no rule on (TestPrefilterSound compares both on the test
// corpus and the end-to-end roots; FuzzPrefilter on generated rules).
// When the rule files cannot be parsed, include others, or the parsed
// rules are not the ones libyara compiled, there is no prefilter.

// analysisResult is analyseSources' answer.
type analysisResult struct {
	a   *analysis
	err error
}

// prefilterFor builds the prefilter of a compiled set from the analysis
// of its sources (or the error that ended it); nil and why when there is
// none.
func prefilterFor(a *analysis, err error, r *Rules) (*Prefilter, error) {
	if err != nil {
		return nil, err
	}
	// The parsed rules must be the compiled ones (every one of them, the
	// private ones counted), or the analysis is not of what libyara runs.
	if a.total != r.count {
		return nil, fmt.Errorf("rule analysis found %d rules, libyara compiled %d", a.total, r.count)
	}
	for _, rn := range a.rules {
		if _, ok := r.meta[rn.name]; !ok {
			return nil, fmt.Errorf("rule analysis: %q is not a compiled rule", rn.name)
		}
	}
	return newPrefilter(a), nil
}

// ruleNeed is what one reportable rule needs of a file.
type ruleNeed struct {
	name   string
	lo, hi int64 // filesize bounds, inclusive
	need   req   // nil: the rule needs no anchor
}

// analysis is the state of the rule files' analysis: the rules seen so
// far by namespace, for references (a rule may use an earlier one).
type analysis struct {
	byNS  map[string]map[string]*ast.Rule
	rules []ruleNeed
	total int // rules parsed, private ones included
}

// analyseSources parses the sources and derives each reportable rule's
// need. The error says why there is no prefilter.
func analyseSources(sources []Source) (a *analysis, err error) {
	defer func() {
		if r := recover(); r != nil { // gyp's AST panics on shapes it does not expect
			a, err = nil, fmt.Errorf("rule analysis: %v", r)
		}
	}()
	a = &analysis{byNS: map[string]map[string]*ast.Rule{}}
	for _, s := range sources {
		rs, err := gyp.ParseString(string(s.Text))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		if len(rs.Includes) > 0 {
			return nil, fmt.Errorf("%s: includes other files", s.Name)
		}
		ns := namespace(s)
		if a.byNS[ns] == nil {
			a.byNS[ns] = map[string]*ast.Rule{}
		}
		for _, r := range rs.Rules {
			a.total++
			a.byNS[ns][r.Identifier] = r
			if r.Private {
				continue
			}
			rc := ruleCtx{a: a, ns: ns, rule: r, depth: 0}
			lo, hi := rc.size(r.Condition)
			n := rc.cond(r.Condition)
			a.rules = append(a.rules, ruleNeed{name: ns + "\x00" + r.Identifier, lo: lo, hi: hi, need: n})
		}
	}
	return a, nil
}

// ruleCtx analyses one rule's condition.
type ruleCtx struct {
	a     *analysis
	ns    string
	rule  *ast.Rule
	depth int
}

// maxDepth bounds rule references followed (and the recursion of nested
// conditions).
const maxDepth = 64

// ref returns the context of a rule the condition names, if it is one.
func (c ruleCtx) ref(e ast.Expression) (ruleCtx, bool) {
	id, ok := e.(*ast.Identifier)
	if !ok || c.depth >= maxDepth {
		return c, false
	}
	r, ok := c.a.byNS[c.ns][id.Identifier]
	if !ok || r == c.rule {
		return c, false
	}
	return ruleCtx{a: c.a, ns: c.ns, rule: r, depth: c.depth + 1}, true
}

// size returns bounds lo <= filesize <= hi that hold whenever e is true.
func (c ruleCtx) size(e ast.Expression) (lo, hi int64) {
	lo, hi = 0, math.MaxInt64
	if c.depth > maxDepth {
		return
	}
	switch v := e.(type) {
	case *ast.Group:
		return c.size(v.Expression)
	case *ast.Identifier:
		if rc, ok := c.ref(v); ok {
			return rc.size(rc.rule.Condition)
		}
	case *ast.Operation:
		switch v.Operator {
		case ast.OpAnd:
			for _, o := range v.Operands {
				l, h := c.size(o)
				lo, hi = max(lo, l), min(hi, h)
			}
			return lo, hi
		case ast.OpOr:
			lo, hi = math.MaxInt64, 0
			for _, o := range v.Operands {
				l, h := c.size(o)
				lo, hi = min(lo, l), max(hi, h)
			}
			return lo, hi
		}
		if len(v.Operands) != 2 {
			return
		}
		op := v.Operator
		x, y := v.Operands[0], v.Operands[1]
		if isFilesize(y) { // 100 < filesize: filesize > 100
			x, y = y, x
			op = mirror(op)
		}
		n, ok := y.(*ast.LiteralInteger)
		if !isFilesize(x) || !ok {
			return
		}
		switch op {
		case ast.OpLessThan:
			hi = n.Value - 1
		case ast.OpLessOrEqual:
			hi = n.Value
		case ast.OpGreaterThan:
			lo = max(n.Value+1, 0)
		case ast.OpGreaterOrEqual:
			lo = max(n.Value, 0)
		case ast.OpEqual:
			lo, hi = n.Value, n.Value
		}
	}
	return lo, hi
}

func isFilesize(e ast.Expression) bool {
	k, ok := e.(ast.Keyword)
	return ok && k == ast.KeywordFilesize
}

func mirror(op ast.OperatorType) ast.OperatorType {
	switch op {
	case ast.OpLessThan:
		return ast.OpGreaterThan
	case ast.OpLessOrEqual:
		return ast.OpGreaterOrEqual
	case ast.OpGreaterThan:
		return ast.OpLessThan
	case ast.OpGreaterOrEqual:
		return ast.OpLessOrEqual
	}
	return op
}

// cond is the anchors' necessary condition of e being true.
func (c ruleCtx) cond(e ast.Expression) req {
	if c.depth > maxDepth {
		return nil
	}
	switch v := e.(type) {
	case *ast.Group:
		return c.cond(v.Expression)
	case ast.Keyword:
		if v == ast.KeywordFalse {
			return reqNever
		}
	case *ast.Identifier:
		if rc, ok := c.ref(v); ok {
			return rc.cond(rc.rule.Condition)
		}
	case *ast.StringIdentifier:
		// $a, $a at X, $a in (X..Y): a match of $a exists.
		return c.str(v.Identifier)
	case *ast.Of:
		return c.of(v)
	case *ast.Operation:
		switch v.Operator {
		case ast.OpAnd:
			var n req
			for _, o := range v.Operands {
				n = reqAnd(n, c.cond(o))
			}
			return n
		case ast.OpOr:
			n := reqNever
			for _, o := range v.Operands {
				n = reqOr(n, c.cond(o))
			}
			return n
		}
		return c.count(v)
	}
	return nil
}

// count handles #a > N (N >= 0), #a >= N and #a == N (N >= 1): a match
// of $a exists.
func (c ruleCtx) count(v *ast.Operation) req {
	if len(v.Operands) != 2 {
		return nil
	}
	sc, ok := v.Operands[0].(*ast.StringCount)
	n, ok2 := v.Operands[1].(*ast.LiteralInteger)
	if !ok || !ok2 {
		return nil
	}
	switch {
	case v.Operator == ast.OpGreaterThan && n.Value >= 0,
		(v.Operator == ast.OpGreaterOrEqual || v.Operator == ast.OpEqual) && n.Value >= 1:
		return c.str(sc.Identifier)
	}
	return nil
}

// of handles N of (strings): with N >= 1 (any, a number, a percentage
// above 0) one of them matches; with all, each does.
func (c ruleCtx) of(v *ast.Of) req {
	if v.Rules != nil || v.Strings == nil {
		return nil
	}
	ids := c.stringSet(v.Strings)
	if len(ids) == 0 {
		return nil
	}
	all := false
	switch q := v.Quantifier.(type) {
	case ast.Keyword:
		switch q {
		case ast.KeywordAll:
			all = true
		case ast.KeywordAny:
		default:
			return nil
		}
	case *ast.LiteralInteger:
		if q.Value < 1 {
			return nil
		}
	case *ast.Percentage:
		if n, ok := q.Expression.(*ast.LiteralInteger); !ok || n.Value < 1 {
			return nil
		}
	default:
		return nil
	}
	n := reqNever
	if all {
		n = nil
	}
	for _, id := range ids {
		if all {
			n = reqAnd(n, c.str(id))
		} else {
			n = reqOr(n, c.str(id))
		}
	}
	return n
}

// stringSet lists the identifiers (without $) a string set names: them,
// or ($a, $b*, ...).
func (c ruleCtx) stringSet(n ast.Node) []string {
	var pats []string
	switch v := n.(type) {
	case ast.Keyword:
		if v != ast.KeywordThem {
			return nil
		}
		pats = []string{"*"}
	case *ast.Enum:
		for _, e := range v.Values {
			s, ok := e.(*ast.StringIdentifier)
			if !ok {
				return nil
			}
			pats = append(pats, s.Identifier+"")
		}
	default:
		return nil
	}
	var out []string
	for _, s := range c.rule.Strings {
		id := s.GetIdentifier()
		for _, p := range pats {
			if matchWild(p, id) {
				out = append(out, id)
				break
			}
		}
	}
	return out
}

// matchWild matches a string set's pattern: a name, or a prefix and *.
func matchWild(pat, id string) bool {
	if n := len(pat); n > 0 && pat[n-1] == '*' {
		return len(id) >= n-1 && id[:n-1] == pat[:n-1]
	}
	return pat == id
}

// str is the necessary condition of string $id matching.
func (c ruleCtx) str(id string) req {
	if id == "" { // the anonymous $ of a loop
		return nil
	}
	for _, s := range c.rule.Strings {
		if s.GetIdentifier() == id {
			return stringNeeds(s)
		}
	}
	return nil
}

// stringNeeds is what a match of one YARA string contains.
func stringNeeds(s ast.String) req {
	switch v := s.(type) {
	case *ast.TextString:
		if v.Xor || v.Base64 || v.Base64Wide {
			return nil
		}
		b, ok := unescape(v.Value)
		if !ok {
			return nil
		}
		return clause(forms([][]byte{b}, v.Nocase, v.ASCII || !v.Wide, v.Wide))
	case *ast.HexString:
		return clause(hexNeeds(v.Tokens))
	case *ast.RegexpString:
		if v.Regexp == nil {
			return nil
		}
		nocase := v.Nocase || v.Regexp.Modifiers&ast.RegexpCaseInsensitive != 0
		dotAll := v.Regexp.Modifiers&ast.RegexpDotAll != 0
		return regexNeeds(v.Regexp.Value, nocase, dotAll, v.ASCII || !v.Wide, v.Wide)
	}
	return nil
}

// hexNeeds: the longest run of fixed bytes (no mask, no ~) in the
// sequence; alternatives and jumps end a run.
func hexNeeds(toks ast.HexTokens) needs {
	best := anything
	var run []byte
	flush := func() {
		if len(run) > 0 {
			best = and(best, needs{set: []lit{{b: run}}})
		}
		run = nil
	}
	for _, t := range toks {
		hb, ok := t.(*ast.HexBytes)
		if !ok {
			flush()
			continue
		}
		for i, b := range hb.Bytes {
			if i >= len(hb.Masks) || hb.Masks[i] != 0xff || i < len(hb.Nots) && hb.Nots[i] {
				flush()
				continue
			}
			run = append(run, b)
		}
	}
	flush()
	return best
}

// unescape reads a YARA text string's escapes: \\ \" \t \n \r \xHH.
func unescape(s string) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(s) {
			return nil, false
		}
		i++
		switch s[i] {
		case '\\', '"':
			out = append(out, s[i])
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'x':
			if i+2 >= len(s) {
				return nil, false
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return nil, false
			}
			out = append(out, byte(v))
			i += 2
		default:
			return nil, false
		}
	}
	return out, len(out) > 0
}
