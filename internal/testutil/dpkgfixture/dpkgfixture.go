// Package dpkgfixture writes a dpkg database into a fixture root, so that
// tests of the shellinit, loader and hooks detectors see real package
// ownership and digests (pkgdb Owner and Pristine) for the real Debian
// files their fixtures hold. Test support only.
package dpkgfixture

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Package is one installed package and the target paths it ships. Paths
// under /etc are conffiles (listed with their digest in the status file,
// like dpkg does); the others go to info/<name>.md5sums. Digests are
// computed from the files as they are in the root, so a file changed after
// Write no longer matches.
type Package struct {
	Name      string
	Arch      string // "" for amd64
	MultiArch bool   // Multi-Arch: same (info files named name:arch, like libc6:amd64)
	Files     []string
}

// Write creates /var/lib/dpkg/status and info/<pkg>.list and .md5sums in
// root. Files missing from the root are listed without a digest line.
func Write(t testing.TB, root string, pkgs ...Package) {
	t.Helper()
	info := filepath.Join(root, "var/lib/dpkg/info")
	if err := os.MkdirAll(info, 0o755); err != nil {
		t.Fatal(err)
	}
	var status strings.Builder
	for _, p := range pkgs {
		arch := p.Arch
		if arch == "" {
			arch = "amd64"
		}
		var list, sums, conf strings.Builder
		dirs := map[string]bool{}
		for _, f := range p.Files {
			for d := path.Dir(f); d != "/" && d != "."; d = path.Dir(d) {
				dirs[d] = true
			}
		}
		all := []string{"/."}
		for d := range dirs {
			all = append(all, d)
		}
		sort.Strings(all)
		for _, d := range all {
			list.WriteString(d + "\n")
		}
		for _, f := range p.Files {
			list.WriteString(f + "\n")
			b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
			if err != nil {
				continue
			}
			sum := md5.Sum(b)
			h := hex.EncodeToString(sum[:])
			if strings.HasPrefix(f, "/etc/") {
				fmt.Fprintf(&conf, " %s %s\n", f, h)
			} else {
				fmt.Fprintf(&sums, "%s  %s\n", h, strings.TrimPrefix(f, "/"))
			}
		}
		name, ma := p.Name, ""
		if p.MultiArch {
			name, ma = p.Name+":"+arch, "Multi-Arch: same\n"
		}
		write(t, filepath.Join(info, name+".list"), list.String())
		write(t, filepath.Join(info, name+".md5sums"), sums.String())
		fmt.Fprintf(&status, "Package: %s\nStatus: install ok installed\nPriority: optional\nSection: misc\nInstalled-Size: 100\nMaintainer: Debian <debian@example.org>\nArchitecture: %s\n%sVersion: 1.0-1\n", p.Name, arch, ma)
		if conf.Len() > 0 {
			status.WriteString("Conffiles:\n" + conf.String())
		}
		fmt.Fprintf(&status, "Description: %s\n\n", p.Name)
	}
	write(t, filepath.Join(root, "var/lib/dpkg/status"), status.String())
}

func write(t testing.TB, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Overlay copies the tree at src onto dst (directories, regular files with
// their modes and times, symlinks; other file types are skipped), so that a
// test can change files after Write recorded their digests.
func Overlay(t testing.TB, dst, src string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.IsDir():
			return os.MkdirAll(out, 0o755)
		case fi.Mode()&os.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			os.Remove(out)
			return os.Symlink(l, out)
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			os.Remove(out)
			if err := os.WriteFile(out, b, fi.Mode().Perm()); err != nil {
				return err
			}
			if err := os.Chmod(out, fi.Mode()); err != nil {
				return err
			}
			return os.Chtimes(out, fi.ModTime(), fi.ModTime())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
