package webshell

import "testing"

func TestBenignStub(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"<?php\n// Silence is golden.\n", true},
		{"", true},
		{"<?php exit; ?>data data", true},
		{"<?php die('no'); ?>", true},
		{"<?php\nheader('HTTP/1.0 403 Forbidden');\nexit;\n", true},
		{"<?php defined('ABSPATH') || exit;\n", true},
		{"<?php\nif ( ! defined( 'ABSPATH' ) ) { exit; }\n", true},
		{"<?php echo 'x';", false},
		{"<?php @eval($_POST[1]);", false},
		{"<?php header('Location: ' . $_GET['u']);", false},
		{"<?=`$_GET[1]`?>", false},
		{"<?php /* x */ system($_GET['c']); // y", false},
	}
	for _, tc := range tests {
		if got := BenignStub([]byte(tc.src)); got != tc.want {
			t.Errorf("BenignStub(%q) = %v (code %q)", tc.src, got, StripPHP([]byte(tc.src)))
		}
	}
}

func TestImageMarkersNeedCode(t *testing.T) {
	// XMP packets, EXIF text and random bytes carry '<?' and '<%' but no code.
	for _, b := range [][]byte{
		[]byte("<?xpacket begin=\"\xef\xbb\xbf\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta>"),
		[]byte("<%@"), []byte("eval(x)"), []byte("<?php_"),
	} {
		if frag, ok := FindCode(b); ok {
			t.Errorf("FindCode(%q) matched %q", b, frag)
		}
	}
}

func FuzzHeuristics(f *testing.F) {
	f.Add("<?php @eval($_POST['c']);?>")
	f.Add("<?php $f=chr(115).chr(121); $a='as'.'sert'; $x=str_rot13('nffreg'); $y=base64_decode('c3lzdGVt'); $z=\"\\x73\\x79\\x73\";")
	f.Add("<% String c = request.getParameter(\"c\"); Runtime.getRuntime().exec(c); %>")
	f.Add("<%eval request(\"pass\")%>")
	f.Add("$x = `$c`; preg_replace('/a/e', $_GET[1], '');")
	f.Fuzz(func(t *testing.T, s string) {
		for l := LangNone; l <= LangShell; l++ {
			for _, m := range inputExec(l, s) {
				if m.off < 0 || m.off > len(s) {
					t.Fatalf("offset %d out of %d", m.off, len(s))
				}
			}
		}
		dynamicCalls(s)
		encodedPayload(s, lowerASCII(s))
		longEncoded([]byte(s))
		BenignStub([]byte(s))
		FindCode([]byte(s))
		LineOf([]byte(s), len(s))
	})
}
