// Package places is the one judgement of "where is this file?" that every
// check shares: a temporary (world-writable) directory, a hidden directory
// or file, a name made to look like "." or "..", and, with the target at
// hand, a directory chain that others than root may write.
//
// Before this package five checks kept five lists and disagreed (the same
// path was hidden for cron and not for processes). Every check now asks
// here, and the table test in places_test.go is the one definition.
package places

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Indicator ids (texts in rules/indicators.yaml) for what Of and Stat find.
const (
	IndTemporary    = "writable-location"    // a world-writable temporary directory
	IndHidden       = "hidden-location"      // a hidden (dot) directory or file
	IndNonRootWrite = "writable-by-non-root" // a directory on the way others may write
	IndMasquerade   = "dot-space-name"       // a name made to pass for ".", ".." or nothing
)

// temporaryDirs are the directories every local user can create files in,
// on every distribution Vigil reads (tmpfs or not).
var temporaryDirs = []string{
	"/tmp", "/var/tmp", "/dev/shm", "/run/shm", "/var/run/shm", "/dev/mqueue",
	"/run/lock", "/var/lock", "/var/crash",
}

// StagingDirs are the temporary directories intruders stage tools in and
// that content checks walk whole: the first four of the temporary directories.
func StagingDirs() []string { return []string{"/tmp", "/var/tmp", "/dev/shm", "/run/shm"} }

// Temporary reports whether the absolute target path p is, or lies in, a
// world-writable temporary directory.
func Temporary(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	p = path.Clean(p)
	for _, d := range temporaryDirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// toolDirs are dot-directories that tools, language managers and the
// system create by convention (in homes and elsewhere): hidden by habit, not
// to hide. A program under ~/.cargo/bin or a key under ~/.ssh is ordinary.
var toolDirs = map[string]bool{
	".vscode-server": true, ".vscode-server-insiders": true, ".cursor-server": true, ".windsurf-server": true,
	".vscode-remote": true, ".local": true, ".config": true, ".ssh": true, ".cargo": true, ".rustup": true,
	".nvm": true, ".pyenv": true, ".rbenv": true, ".sdkman": true, ".bun": true, ".deno": true, ".npm": true,
	".npm-global": true, ".volta": true, ".asdf": true, ".goenv": true, ".jenv": true, ".conda": true,
	".gradle": true, ".m2": true, ".linuxbrew": true, ".fnm": true, ".nodenv": true, ".plenv": true,
	".phpenv": true, ".juliaup": true, ".julia": true, ".ghcup": true, ".cabal": true, ".opam": true,
	".elan": true, ".wasmtime": true, ".wasmer": true, ".dotnet": true, ".krew": true, ".pulumi": true,
	".tfenv": true, ".venv": true, ".virtualenvs": true, ".tox": true, ".nix-profile": true,
	".guix-profile": true, ".yarn": true, ".poetry": true, ".composer": true, ".fzf": true, ".rvm": true,
	".gem": true, ".pub-cache": true, ".rd": true, ".foundry": true, ".istioctl": true, ".kube": true,
	".bash_it": true, ".oh-my-zsh": true, ".zplug": true, ".zinit": true, ".bin": true, ".rye": true,
	".pixi": true, ".acme.sh": true, ".travis": true, ".fig": true, ".docker": true, ".miniconda3": true,
	".anaconda3": true, ".serverless": true, ".tmux": true, ".autojump": true, ".zoxide": true,
	".atuin": true, ".starship": true, ".go": true, ".fly": true, ".jenkins": true,
	// System and package conventions outside homes.
	".git": true, ".well-known": true, ".build-id": true, ".hmac": true,
	// X11's and ICE's socket directories and display locks in /tmp.
	".X11-unix": true, ".ICE-unix": true, ".font-unix": true, ".XIM-unix": true, ".Test-unix": true,
	".X0-lock": true, ".X1-lock": true, ".X2-lock": true, ".X10-lock": true,
}

// hiddenName reports whether one path component is a hidden name.
func hiddenName(c string) bool { return len(c) > 1 && c[0] == '.' && c != ".." }

// HiddenDir returns the first hidden directory on the way to p (its last
// component excluded) that is not a conventional tool directory, or "".
// JetBrains' remote backend under ~/.cache/JetBrains is conventional too.
func HiddenDir(p string) string {
	parts := strings.Split(strings.Trim(path.Dir(path.Clean(p)), "/"), "/")
	for i, c := range parts {
		if !hiddenName(c) || toolDirs[c] {
			continue
		}
		if c == ".cache" && i+1 < len(parts) && parts[i+1] == "JetBrains" {
			continue
		}
		return c
	}
	return ""
}

// Hidden returns the hidden component of p: the first unconventional hidden
// directory, else p's own name when it is hidden; "" when neither.
func Hidden(p string) string {
	if c := HiddenDir(p); c != "" {
		return c
	}
	if b := path.Base(path.Clean(p)); hiddenName(b) && !toolDirs[b] {
		return b
	}
	return ""
}

// Masquerade reports whether one path component is made to pass for
// nothing, "." or "..": only dots, spaces and invisible characters ("...",
// ". ", " ", ".. ", "\u00a0"), or a name that ends in a space or an invisible
// character. Such names exist to hide from a quick ls.
func Masquerade(name string) bool {
	if name == "" || name == "." || name == ".." {
		return false
	}
	if !utf8.ValidString(name) {
		return false // judged as a hostile name elsewhere, not as this trick
	}
	onlyBlank := true
	for _, r := range name {
		if r != '.' && !blank(r) {
			onlyBlank = false
			break
		}
	}
	if onlyBlank {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(name)
	return blank(last)
}

// blank is a character that shows as nothing or as a space.
func blank(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return true
	}
	return unicode.IsSpace(r)
}

// MasqueradeIn returns the first component of p that Masquerade flags, or "".
func MasqueradeIn(p string) string {
	for _, c := range strings.Split(p, "/") {
		if Masquerade(c) {
			return c
		}
	}
	return ""
}

// Place is what Of finds out about a path from its name alone.
type Place struct {
	Temporary  bool   // in a world-writable temporary directory
	Hidden     string // the hidden component (Hidden), or ""
	Masquerade string // a component named to pass for nothing (MasqueradeIn), or ""
}

// Of judges p by name.
func Of(p string) Place {
	return Place{Temporary: Temporary(p), Hidden: Hidden(p), Masquerade: MasqueradeIn(p)}
}

// Odd reports whether p looks dropped rather than installed.
func (pl Place) Odd() bool { return pl.Temporary || pl.Hidden != "" || pl.Masquerade != "" }

// Indicators returns the indicator ids of the place, most telling first.
func (pl Place) Indicators() []string {
	var out []string
	if pl.Masquerade != "" {
		out = append(out, IndMasquerade)
	}
	if pl.Temporary {
		out = append(out, IndTemporary)
	}
	if pl.Hidden != "" {
		out = append(out, IndHidden)
	}
	return out
}

// Odd is Of(p).Odd(): a program or file at p was dropped, not installed.
func Odd(p string) bool { return p != "" && Of(p).Odd() }
