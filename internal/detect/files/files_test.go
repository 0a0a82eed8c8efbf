package files

import (
	"bytes"
	"crypto/rand"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/files/ransom"
	"github.com/vigil-ir/vigil/internal/files/webshell"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

const base = "-- etc/passwd --\nroot:x:0:0:root:/root:/bin/bash\n-- etc/os-release --\nID=debian\n"

// realJPEG returns a small real JPEG, optionally with a comment segment.
func realJPEG(t testing.TB, comment string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		for y := 0; y < 48; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if comment == "" {
		return b
	}
	n := len(comment) + 2
	seg := append([]byte{0xff, 0xfe, byte(n >> 8), byte(n)}, comment...)
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

func TestRulesInCatalog(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	enginetest.CheckRules(t, cat, New())
}

// TestPlacementAndImages: the content judgement that moved here from the
// webroot check (scripts in upload and image directories, code in images).
func TestPlacementAndImages(t *testing.T) {
	wp := "var/www/wordpress/"
	up := wp + "wp-content/uploads/2024/03/"
	tests := []struct {
		name    string
		extra   string
		files   map[string][]byte
		rule    string
		subject string
		ind     string
	}{
		{"one-line shell in uploads", "-- " + up + "x.php --\n<?php @eval($_POST['c']);?>\n", nil, webshell.RuleUploadScript, "/var/www/wordpress/wp-content/uploads/2024/03/x.php", "webshell-code"},
		{"plain script in uploads", "-- " + up + "up.php --\n<?php\n$f = $_FILES['f'];\nmove_uploaded_file($f['tmp_name'], $f['name']);\n", nil, webshell.RuleUploadScript, "up.php", ""},
		{"phtml in attachment dir", "-- var/www/shop/attachment/a.phtml --\n<?php echo 1;\n", nil, webshell.RuleUploadScript, "a.phtml", ""},
		{"jsp in images", "-- var/lib/tomcat9/webapps/ROOT/images/cmd.jsp --\n<%@ page import=\"java.io.*\" %><% Process p = Runtime.getRuntime().exec(request.getParameter(\"cmd\")); %>\n", nil, webshell.RuleUploadScript, "cmd.jsp", ""},
		{"webshell in cache dir", "-- " + wp + "wp-content/cache/k.php --\n<?php if(isset($_GET['k'])){system($_GET['k']);}\n", nil, webshell.RuleUploadScript, "cache/k.php", "webshell-code"},
		{"php in gif", "", map[string][]byte{up + "logo.gif": []byte("GIF89a\x01\x00\x01\x00<?php system($_GET['c']); ?>")}, webshell.RuleImageCode, "logo.gif", ""},
		{"php in jpeg comment", "", map[string][]byte{up + "me.jpg": realJPEG(t, "<?php eval(base64_decode($_POST['z'])); ?>")}, webshell.RuleImageCode, "me.jpg", ""},
		{"php appended to a big jpeg", "", map[string][]byte{up + "big.jpg": append(append(realJPEG(t, ""), bytes.Repeat([]byte{0x55}, 400<<10)...), []byte("<?php eval($_REQUEST[1]);")...)}, webshell.RuleImageCode, "big.jpg", ""},
		{"php in /tmp", "-- tmp/.x/s.php --\n<?php @eval($_POST['c']);?>\n", nil, webshell.RuleInputExec, "/tmp/.x/s.php", "webshell-code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := testutil.RootFromString(t, base+"-- "+wp+"index.php --\n<?php require 'wp-blog-header.php';\n"+tc.extra)
			testutil.Put(t, dir, up+"photo.jpg", realJPEG(t, "CREATOR: gd-jpeg v1.0 (using IJG JPEG v80), quality = 82"))
			for p, b := range tc.files {
				testutil.Put(t, dir, p, b)
			}
			r := enginetest.Run(t, New(), dir, false)
			enginetest.Expect(t, r.Findings, []enginetest.Want{{Rule: tc.rule, Subject: tc.subject, Severity: model.High, Indicators: []string{tc.ind}}})
			if f := r.Find(tc.rule); len(f) > 0 && (f[0].Evidence.Text == "" || f[0].Evidence.SHA256 == "") {
				t.Errorf("evidence incomplete: %+v", f[0].Evidence)
			}
		})
	}
}

// TestKnownGood: a package-owned file whose digest matches the package
// database is not content-flagged; once modified, it is.
func TestKnownGood(t *testing.T) {
	shell := "<?php @eval($_POST['c']);?>\n"
	dir := testutil.RootFromString(t, base+"-- usr/share/php/Test/Eval.php --\n"+shell)
	dpkgfixture.Write(t, dir, dpkgfixture.Package{Name: "php-test", Files: []string{"/usr/share/php/Test/Eval.php"}})
	d := NewWith(Config{Wide: true, Paths: []string{"/usr/share/php"}})
	r := enginetest.Run(t, d, dir, false)
	enginetest.Quiet(t, r.Findings, model.Low)
	if cov := r.Find(RuleCoverage); len(cov) != 1 || cov[0].Evidence.Extra["known_good"] != "1" {
		t.Errorf("known-good not counted: %+v", cov)
	}
	testutil.Put(t, dir, "usr/share/php/Test/Eval.php", []byte(shell+"// changed\n"))
	r = enginetest.Run(t, d, dir, false)
	enginetest.Expect(t, r.Findings, []enginetest.Want{{Rule: webshell.RuleInputExec, Subject: "Eval.php", Severity: model.High}})
}

// TestRansomSigns: a ransom note and a tree of encrypted files fire; a
// README and a tree of compressed backups with a known extension do not.
func TestRansomSigns(t *testing.T) {
	dir := testutil.RootFromString(t, base+
		"-- home/ann/docs/HOW_TO_DECRYPT_FILES.txt --\nAll your files have been encrypted!\nTo decrypt them pay 0.1 bitcoin to the wallet below and contact us over Tor Browser at xyz.onion\n"+
		"-- home/ann/src/README.txt --\nThis project can encrypt and decrypt files with a private key.\n")
	for i := 0; i < 30; i++ {
		b := make([]byte, 8192)
		rand.Read(b)
		testutil.Put(t, dir, "home/ann/docs/d"+strconv.Itoa(i%3)+"/f"+strconv.Itoa(i)+".docx.lockbit9", b)
		testutil.Put(t, dir, "home/ann/backups/b"+strconv.Itoa(i)+".tar.gz", b)
	}
	r := enginetest.Run(t, NewWith(Config{Wide: true, Paths: []string{"/home"}}), dir, false)
	enginetest.Expect(t, r.Findings, []enginetest.Want{
		{Rule: ransom.RuleNote, Subject: "/home/ann/docs/HOW_TO_DECRYPT_FILES.txt", Severity: model.High},
		{Rule: ransom.RuleEncrypted, Subject: "/home/ann/docs", Severity: model.Critical},
	})
	if len(r.AtLeast(model.Low)) != 2 {
		t.Errorf("collateral: %s", enginetest.Dump(r.AtLeast(model.Low)))
	}
}

// TestNewerThanNeighbours: one script months newer than the rest of its
// directory is reported; a directory updated at once is not.
func TestNewerThanNeighbours(t *testing.T) {
	dir := testutil.RootFromString(t, base)
	old := time.Date(2023, 1, 10, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 8; i++ {
		for _, d := range []string{"var/www/html/inc/", "var/www/html/lib/"} {
			p := d + "f" + strconv.Itoa(i) + ".php"
			testutil.Put(t, dir, p, []byte("<?php function f"+strconv.Itoa(i)+"() { return 1; }\n"))
			must(t, os.Chtimes(filepath.Join(dir, p), old, old.Add(time.Duration(i)*time.Hour)))
		}
	}
	testutil.Put(t, dir, "var/www/html/inc/cache.php", []byte("<?php function cache() { return 2; }\n"))
	r := enginetest.Run(t, New(), dir, false)
	enginetest.Expect(t, r.Findings, []enginetest.Want{{Rule: webshell.RuleNewer, Subject: "/var/www/html/inc/cache.php", Severity: model.Low}})
	if n := len(r.Find(webshell.RuleNewer)); n != 1 {
		t.Errorf("%d newer findings", n)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestHostile: hostile files in the walked places leave the web shell next
// to them reported.
func TestHostile(t *testing.T) {
	const up = "/var/www/html/uploads/"
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return testutil.RootFromString(t, base+"-- var/www/html/uploads/x.php --\n<?php @eval($_POST['c']);?>\n-- var/www/html/index.php --\n<?php echo 1;\n")
		},
		Trace: []enginetest.Want{{Rule: webshell.RuleInputExec, Subject: up + "x.php", Severity: model.High}},
		Files: []string{up + "x.php", up, "/var/www/html/index.php", "/tmp/"},
		Needs: []string{up + "x.php"},
	}.Run(t)
}

func BenchmarkFilesCorpus(b *testing.B) {
	tg := target.NewUnchecked(testutil.RootFromTxtar(b, "testdata/webshells.txtar"), false)
	for b.Loop() {
		enginetest.RunTarget(b, New(), tg, engine.Options{})
	}
}
