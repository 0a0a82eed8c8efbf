// Package pkgdbtest fills digests into fixture package databases, so that
// txtar fixtures stay readable and consistent: a database file may write
// @md5(/usr/bin/ls), @sha256(/usr/bin/ls) or @q1(/bin/busybox) (apk's
// "Q1" + base64 sha1) and Fill replaces each with the digest of that
// fixture file as it is in the root. Test support only.
package pkgdbtest

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var token = regexp.MustCompile(`@(md5|sha256|q1)\(([^)]+)\)`)

// dbDirs are the package database directories Fill rewrites.
var dbDirs = []string{"var/lib/dpkg", "lib/apk/db", "usr/lib/apk/db"}

// Fill replaces digest tokens in the package database files under root.
// A token naming a missing file fails the test.
func Fill(t testing.TB, root string) {
	t.Helper()
	for _, d := range dbDirs {
		dir := filepath.Join(root, d)
		if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
			continue
		}
		err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
			if err != nil || !de.Type().IsRegular() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out := token.ReplaceAllFunc(b, func(m []byte) []byte {
				sm := token.FindSubmatch(m)
				content, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(string(sm[2]))))
				if err != nil {
					t.Fatalf("pkgdbtest: %s: %v", sm[0], err)
				}
				switch string(sm[1]) {
				case "md5":
					s := md5.Sum(content)
					return []byte(hex.EncodeToString(s[:]))
				case "sha256":
					s := sha256.Sum256(content)
					return []byte(hex.EncodeToString(s[:]))
				default:
					s := sha1.Sum(content)
					return []byte("Q1" + base64.StdEncoding.EncodeToString(s[:]))
				}
			})
			if string(out) == string(b) {
				return nil
			}
			return os.WriteFile(p, out, 0o644)
		})
		if err != nil {
			t.Fatalf("pkgdbtest: %v", err)
		}
	}
}
