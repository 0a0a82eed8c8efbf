package lazyre

import (
	"strings"
	"sync"
	"testing"
)

func TestLazy(t *testing.T) {
	r := New(`a(b+)c`)
	if r.String() != `a(b+)c` {
		t.Fatal(r.String())
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !r.MatchString("xabbc") || r.MatchString("ac") {
				t.Error("match")
			}
		}()
	}
	wg.Wait()
	if r.Re() != r.Re() {
		t.Fatal("compiled twice")
	}
	if got := r.FindStringSubmatch("abbbc"); len(got) != 2 || got[1] != "bbb" {
		t.Fatal(got)
	}
	if expr, err := CompileAll(); err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	bad := New(`(`)
	if expr, err := CompileAll(); err == nil || expr != `(` {
		t.Fatalf("a bad expression passed: %q %v", expr, err)
	}
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "regexp") {
			t.Fatalf("first use of a bad expression: %v", p)
		}
		mu.Lock()
		all = all[:len(all)-1] // leave the registry as it was
		mu.Unlock()
	}()
	bad.MatchString("x")
}
