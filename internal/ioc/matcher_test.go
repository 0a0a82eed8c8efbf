package ioc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-ir/vigil/internal/files"
	"github.com/vigil-ir/vigil/internal/files/filestest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// TestMatcherInTheWalk: in the file walk, a file whose digest is listed,
// one whose name is and one whose path is are each reported, citing the
// list and line; other files are not; the list's bad entries are gaps.
func TestMatcherInTheWalk(t *testing.T) {
	root := t.TempDir()
	write := func(p, s string) { filestest.Put(t, root, p, []byte(s)) }
	write("usr/local/bin/helper", "dropper payload v2\n")
	write("tmp/kworker.sh", "#!/bin/sh\n")
	write("var/tmp/.ICE-unix/.x/kswapd0", "x")
	write("etc/hostname", "web1\n")
	sum := sha256.Sum256([]byte("dropper payload v2\n"))
	list := filepath.Join(t.TempDir(), "case.txt")
	if err := os.WriteFile(list, []byte(hex.EncodeToString(sum[:])+" dropper\nkworker.sh\n/var/tmp/.ICE-unix/.x/kswapd0\nwhat is this?/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load([]string{list})
	if err != nil {
		t.Fatal(err)
	}
	rep := &filestest.Reporter{}
	files.Walk(context.Background(), target.NewUnchecked(root, false), []files.Matcher{NewMatcher(s)}, rep, files.Options{Roots: []string{"/"}})
	got := map[string]files.Hit{}
	for _, h := range rep.Hits {
		got[h.Path] = h
	}
	for p, want := range map[string]struct {
		rule string
		sev  model.Severity
		line string
	}{
		"/usr/local/bin/helper":         {RuleHash, model.High, "1"},
		"/tmp/kworker.sh":               {RuleName, model.Medium, "2"},
		"/var/tmp/.ICE-unix/.x/kswapd0": {RuleName, model.High, "3"},
	} {
		h, ok := got[p]
		if !ok || h.Rule != want.rule || h.Severity != want.sev || !h.Graded || h.Extra["ioc_list"] != list || h.Extra["ioc_line"] != want.line {
			t.Errorf("%s: %+v", p, h)
		}
	}
	if len(rep.Hits) != 3 {
		t.Errorf("hits %+v", rep.Hits)
	}
	if len(rep.Gaps) != 1 || rep.Gaps[0].Msg.ID != "ioc.gap.not-indicator" || rep.Gaps[0].Path != list {
		t.Errorf("gaps %+v", rep.Gaps)
	}
}

func TestNoFileIndicators(t *testing.T) {
	s := &Set{}
	s.Parse("l", []byte("192.0.2.1\nevil.example\n"))
	m := NewMatcher(s)
	if w := m.Wants(&files.Meta{Path: "/x", Name: "x", Size: 10}); w.Any() {
		t.Errorf("wants %+v with no file indicator", w)
	}
	if NewMatcher(nil) != nil {
		t.Error("nil set")
	}
}

// BenchmarkLookup: hash and address lookups stay constant-time with a
// large list.
func BenchmarkLookup(b *testing.B) {
	s := &Set{}
	buf := make([]byte, 0, 100000*66)
	for i := 0; i < 100000; i++ {
		sum := sha256.Sum256([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
		buf = append(buf, hex.EncodeToString(sum[:])...)
		buf = append(buf, '\n')
	}
	s.Parse("big", buf)
	sum := sha256.Sum256([]byte("not listed"))
	d := hex.EncodeToString(sum[:])
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.LookupHash(d)
	}
}
