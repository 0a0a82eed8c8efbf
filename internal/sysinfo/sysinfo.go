// Package sysinfo describes a target: hostname, OS release and machine id,
// read from the target's own files (never from the scanning host on
// --root).
package sysinfo

import (
	"bufio"
	"bytes"
	"os"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Describe returns the identity of t.
func Describe(t *target.Target) model.TargetInfo {
	info := model.TargetInfo{Root: t.Root(), Live: t.IsLive()}
	if b, err := t.ReadFile("/etc/hostname", 4096); err == nil {
		info.Hostname = strings.TrimSpace(string(b))
	}
	if t.IsLive() {
		if h, err := os.Hostname(); err == nil && h != "" {
			info.Hostname = h
		}
	}
	if b, err := t.ReadFile("/etc/machine-id", 4096); err == nil {
		info.MachineID = strings.TrimSpace(string(b))
	}
	rel := OSRelease(t)
	info.OS = rel["PRETTY_NAME"]
	if info.OS == "" {
		info.OS = strings.TrimSpace(rel["NAME"] + " " + rel["VERSION_ID"])
	}
	return info
}

// OSRelease parses /etc/os-release (or /usr/lib/os-release) of t.
func OSRelease(t *target.Target) map[string]string {
	out := map[string]string{}
	b, err := t.ReadFile("/etc/os-release", 64<<10)
	if err != nil {
		b, err = t.ReadFile("/usr/lib/os-release", 64<<10)
		if err != nil {
			return out
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		out[k] = strings.Trim(v, `"'`)
	}
	return out
}
