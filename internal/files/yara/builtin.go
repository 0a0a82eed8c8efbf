package yara

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/vigil-ir/vigil/rules"
)

// builtinDir is where Vigil's own rules live in the source tree; the
// binary holds them only as rules.YARA, a zstd-compressed tar of that
// directory's *.yar files (see bundle_test.go: -update rewrites it).
const builtinDir = "rules/yara"

var builtinOnce = sync.OnceValues(func() ([]Source, error) { return unbundle(rules.YARA) })

// Builtin returns Vigil's own rule files, decompressed from the binary.
func Builtin() ([]Source, error) { return builtinOnce() }

// unbundle reads a zstd-compressed tar of rule files.
func unbundle(b []byte) ([]Source, error) {
	zr, err := zstd.NewReader(bytes.NewReader(b), zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	var out []Source
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("embedded YARA rules: %w", err)
		}
		if !strings.HasSuffix(h.Name, ".yar") {
			continue
		}
		text, err := io.ReadAll(io.LimitReader(tr, MaxRuleFileSize))
		if err != nil {
			return nil, fmt.Errorf("embedded YARA rules: %w", err)
		}
		out = append(out, Source{Name: path.Join(builtinDir, h.Name), Namespace: BuiltinNamespace, Text: text})
	}
	return out, nil
}

// Load compiles Vigil's own rules (unless noBuiltin) and the user's rule
// files (--rules). Files that do not compile or cannot be read come back as
// CompileErrors; the error means there is no rule set at all.
func Load(userPaths []string, noBuiltin bool) (*Rules, []CompileError, error) {
	var sources []Source
	if !noBuiltin {
		b, err := Builtin()
		if err != nil {
			return nil, nil, err
		}
		sources = append(sources, b...)
	}
	user, bad, err := ReadUserRules(userPaths)
	if err != nil {
		return nil, nil, err
	}
	sources = append(sources, user...)
	r, more, err := Compile(sources)
	return r, append(bad, more...), err
}
