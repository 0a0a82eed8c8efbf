package app

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
)

// TestRefusalsInBothLanguages: the refusals to compare two targets name
// both scans in the reader's language and still match ErrDifferentTargets.
func TestRefusalsInBothLanguages(t *testing.T) {
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	a := store.ScanInfo{ID: 3, Started: at, Live: true, TargetKey: "live", MachineKey: "m1", Hostname: "web1", MachineID: "0123456789abcdef"}
	b := store.ScanInfo{ID: 4, Started: at, Root: "/mnt/web1", TargetKey: "root", MachineKey: "m1", Hostname: "web1"}
	c := store.ScanInfo{ID: 5, Started: at, Root: "/mnt/db1", TargetKey: "root2", MachineKey: "m2"}
	ascii := regexp.MustCompile(`[A-Za-z]{3,}`)
	h := a
	h.ID, h.Kind = 6, model.KindHarden // a `vigil harden` run of the same host
	for _, err := range []error{SameTarget(a, b, false), SameTarget(b, c, false), SameTarget(a, h, false)} {
		if !errors.Is(err, ErrDifferentTargets) {
			t.Fatalf("%v is not ErrDifferentTargets", err)
		}
		var le LocalizedError
		if !errors.As(err, &le) {
			t.Fatalf("%T is not localized", err)
		}
		en, zh := le.In(catalog.English), le.In(catalog.Chinese)
		if !strings.Contains(en, "scan 3") && !strings.Contains(en, "scan 4") || !strings.Contains(en, "--force") {
			t.Errorf("English: %q", en)
		}
		// Left in Chinese: only names (force, web1, mnt, machine id hex).
		for _, w := range ascii.FindAllString(zh, -1) {
			switch w {
			case "force", "web", "mnt", "abcdef", "UTC", "vigil", "scan", "harden": // names and commands
			default:
				t.Errorf("Chinese refusal has English word %q: %s", w, zh)
			}
		}
	}
	if err := SameTarget(a, h, false); err == nil || !strings.Contains(err.Error(), "'vigil harden' run") {
		t.Errorf("a scan and a harden run compared: %v", err)
	}
	if err := SameTarget(a, a, false); err != nil {
		t.Errorf("same target refused: %v", err)
	}
	if err := SameTarget(a, c, true); err != nil {
		t.Errorf("--force refused: %v", err)
	}
}

func TestSelectChecksErrorInChinese(t *testing.T) {
	_, err := SelectChecks(nil, []string{"nosuch"}, nil)
	var le LocalizedError
	if !errors.As(err, &le) || !strings.Contains(le.In(catalog.Chinese), "未知的检查 nosuch") {
		t.Fatalf("got %v", err)
	}
}
