package integrity

// fnmatch reports whether name matches the fnmatch(3) pattern pat with the
// flags dpkg uses for path-exclude (none: "*" and "?" match "/" too, and a
// backslash escapes the next byte).
//
// Written by hand rather than with path.Match or a regexp: path.Match stops
// "*" at "/" and works on runes, and translating to a regexp fails on
// patterns that are not UTF-8 — an intruder with root writes the pattern,
// so one hostile line must neither panic nor switch the integrity check
// off. This matcher works on bytes (like glibc in the C locale), cannot
// fail, and backtracks only to the last "*", so it runs in
// O(len(pat)·len(name)).
func fnmatch(pat, name string) bool {
	px, nx := 0, 0
	starPx, starNx := -1, -1
	for px < len(pat) || nx < len(name) {
		if px < len(pat) {
			switch c := pat[px]; c {
			case '*':
				starPx, starNx = px, nx
				px++
				continue
			case '?':
				if nx < len(name) {
					px++
					nx++
					continue
				}
			case '[':
				if nx < len(name) {
					ok, next, valid := matchClass(pat, px, name[nx])
					switch {
					case valid && ok:
						px, nx = next, nx+1
						continue
					case !valid && name[nx] == '[': // an unclosed "[" is itself
						px++
						nx++
						continue
					}
				}
			case '\\':
				lit, w := byte('\\'), 1
				if px+1 < len(pat) {
					lit, w = pat[px+1], 2
				}
				if nx < len(name) && name[nx] == lit {
					px += w
					nx++
					continue
				}
			default:
				if nx < len(name) && name[nx] == c {
					px++
					nx++
					continue
				}
			}
		}
		if starPx >= 0 && starNx < len(name) {
			starNx++
			px, nx = starPx+1, starNx
			continue
		}
		return false
	}
	return true
}

// matchClass matches byte c against the bracket expression opening at
// pat[open]. next is the index after its "]"; valid is false when the
// class is not closed (the "[" is then an ordinary byte).
func matchClass(pat string, open int, c byte) (ok bool, next int, valid bool) {
	i := open + 1
	negate := i < len(pat) && (pat[i] == '!' || pat[i] == '^')
	if negate {
		i++
	}
	first := true
	for i < len(pat) {
		if pat[i] == ']' && !first {
			return ok != negate, i + 1, true
		}
		first = false
		lo := pat[i]
		if lo == '\\' && i+1 < len(pat) {
			i++
			lo = pat[i]
		}
		i++
		hi := lo
		if i+1 < len(pat) && pat[i] == '-' && pat[i+1] != ']' {
			hi = pat[i+1]
			if hi == '\\' && i+2 < len(pat) {
				i++
				hi = pat[i+1]
			}
			i += 2
		}
		if lo <= c && c <= hi {
			ok = true
		}
	}
	return false, 0, false
}
