package model

import (
	"errors"
	"fmt"
	"testing"
)

func TestMessageOf(t *testing.T) {
	inner := ErrMsg("pam.gap.unknown-type", `"x"`)
	wrapped := fmt.Errorf("line 3: %w", inner)
	for _, err := range []error{inner, wrapped} {
		if m := MessageOf(err, "pam.gap.line"); m.ID != "pam.gap.unknown-type" || len(m.Args) != 1 || m.Args[0] != `"x"` {
			t.Errorf("MessageOf(%v) = %v", err, m)
		}
	}
	plain := errors.New("disk on fire")
	if m := MessageOf(plain, "pam.gap.line"); m.ID != "pam.gap.line" || m.Args[0] != "disk on fire" {
		t.Errorf("fallback = %v", m)
	}
	if m := MessageOf(plain, "x.y", "/etc/pam.d/sshd"); len(m.Args) != 2 || m.Args[1] != "disk on fire" {
		t.Errorf("fallback with args = %v", m)
	}
}
