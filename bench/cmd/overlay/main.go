// Command overlay lays a txtar fixture (the format and directives of
// internal/testutil) over an existing root filesystem, so that a fixture's
// planted files can be scanned inside a real Debian root. Benchmark support
// only: bench/incident.sh uses it on a copy of the debootstrap root.
//
//	go run ./bench/cmd/overlay [-skip P,...] [-merge P,...] ARCHIVE ROOT
//
// Entries are written as internal/testutil writes them (mode=, mtime=,
// fifo, directories, symlinks "a -> b"), except that:
//
//   - an entry listed in -skip is left out (for files that would break the
//     root, such as the fixture's one-package dpkg status);
//   - an entry listed in -merge is a colon-separated account file
//     (passwd, shadow, group): each fixture line replaces the root's line
//     with the same first field, and the other fixture lines are appended,
//     so the root keeps its own accounts;
//   - an existing symlink or file at an entry's path is removed first, so
//     nothing is written through a symlink, and no entry may resolve
//     outside ROOT.
//
// What was done is listed on stderr, one line per entry.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/tools/txtar"
)

func main() {
	skip := flag.String("skip", "", "comma-separated fixture paths to leave out")
	merge := flag.String("merge", "", "comma-separated colon-separated account files to merge by first field")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: overlay [-skip P,...] [-merge P,...] ARCHIVE ROOT")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	ar, err := txtar.ParseFile(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	root, err := filepath.EvalSymlinks(flag.Arg(1))
	if err != nil {
		fail(err)
	}
	o := overlay{root: root, skip: set(*skip), merge: set(*merge)}
	for _, f := range ar.Files {
		what, err := o.write(f)
		if err != nil {
			fail(fmt.Errorf("fixture entry %q: %w", f.Name, err))
		}
		fmt.Fprintf(os.Stderr, "%-8s %s\n", what, strings.TrimSpace(f.Name))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "overlay:", err)
	os.Exit(1)
}

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.Trim(strings.TrimSpace(p), "/"); p != "" {
			m[p] = true
		}
	}
	return m
}

type overlay struct {
	root        string
	skip, merge map[string]bool
}

// path returns the host path of rel inside the root, creating its parent
// directories, and refuses a parent that resolves outside the root.
func (o overlay) path(rel string) (string, error) {
	p := filepath.Join(o.root, filepath.FromSlash(strings.TrimSuffix(rel, "/")))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(p))
	if err != nil {
		return "", err
	}
	if dir != o.root && !strings.HasPrefix(dir, o.root+string(filepath.Separator)) {
		return "", fmt.Errorf("parent resolves outside the root: %s", dir)
	}
	return filepath.Join(dir, filepath.Base(p)), nil
}

// clear removes a non-directory at p; it reports whether something was there.
func clear(p string) (bool, error) {
	fi, err := os.Lstat(p)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if fi.IsDir() {
		return true, fmt.Errorf("%s is a directory in the root", p)
	}
	return true, os.Remove(p)
}

func verb(existed bool) string {
	if existed {
		return "replaced"
	}
	return "added"
}

func (o overlay) write(f txtar.File) (string, error) {
	name := strings.TrimSpace(f.Name)
	if lhs, dest, ok := strings.Cut(name, " -> "); ok {
		rel := strings.TrimSpace(lhs)
		if o.skip[strings.Trim(rel, "/")] {
			return "skipped", nil
		}
		p, err := o.path(rel)
		if err != nil {
			return "", err
		}
		existed, err := clear(p)
		if err != nil {
			return "", err
		}
		return verb(existed), os.Symlink(strings.TrimSpace(dest), p)
	}
	fields := strings.Fields(name)
	rel := fields[0]
	if o.skip[strings.Trim(rel, "/")] {
		return "skipped", nil
	}
	p, err := o.path(rel)
	if err != nil {
		return "", err
	}
	if strings.HasSuffix(rel, "/") {
		return "dir", os.MkdirAll(p, 0o755)
	}
	mode := os.FileMode(0o644)
	var mtime time.Time
	fifo := false
	for _, d := range fields[1:] {
		switch {
		case d == "fifo":
			fifo = true
		case strings.HasPrefix(d, "mode="):
			m, err := strconv.ParseUint(strings.TrimPrefix(d, "mode="), 8, 32)
			if err != nil {
				return "", err
			}
			mode = os.FileMode(m & 0o777)
			if m&0o4000 != 0 {
				mode |= os.ModeSetuid
			}
			if m&0o2000 != 0 {
				mode |= os.ModeSetgid
			}
			if m&0o1000 != 0 {
				mode |= os.ModeSticky
			}
		case strings.HasPrefix(d, "mtime="):
			tm, err := time.Parse(time.RFC3339, strings.TrimPrefix(d, "mtime="))
			if err != nil {
				return "", err
			}
			mtime = tm
		}
	}
	if o.merge[strings.Trim(rel, "/")] {
		what, err := mergeAccounts(p, f.Data)
		if err == nil && !mtime.IsZero() {
			err = os.Chtimes(p, mtime, mtime)
		}
		return what, err
	}
	existed, err := clear(p)
	if err != nil {
		return "", err
	}
	if fifo {
		return verb(existed), syscall.Mkfifo(p, 0o644)
	}
	if err := os.WriteFile(p, f.Data, 0o644); err != nil {
		return "", err
	}
	if err := os.Chmod(p, mode); err != nil {
		return "", err
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			return "", err
		}
	}
	return verb(existed), nil
}

// mergeAccounts merges fixture lines into the colon-separated file at p,
// keyed by the first field, keeping the file's mode and owner.
func mergeAccounts(p string, data []byte) (string, error) {
	old, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	key := func(line string) string { k, _, _ := strings.Cut(line, ":"); return k }
	fixture := map[string]string{}
	var order []string
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if line == "" {
			continue
		}
		if _, dup := fixture[key(line)]; !dup {
			order = append(order, key(line))
		}
		fixture[key(line)] = line
	}
	var out bytes.Buffer
	seen := map[string]bool{}
	changed, added := 0, 0
	for _, line := range strings.Split(strings.TrimRight(string(old), "\n"), "\n") {
		if line == "" {
			continue
		}
		k := key(line)
		if nl, ok := fixture[k]; ok && !seen[k] {
			seen[k] = true
			if nl != line {
				changed++
			}
			line = nl
		}
		out.WriteString(line + "\n")
	}
	for _, k := range order {
		if !seen[k] {
			out.WriteString(fixture[k] + "\n")
			added++
		}
	}
	// Rewrite in place: the file keeps its inode, mode and owner.
	if err := os.WriteFile(p, out.Bytes(), 0); err != nil {
		return "", err
	}
	return fmt.Sprintf("merged(%d changed, %d added)", changed, added), nil
}
