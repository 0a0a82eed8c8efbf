package app

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/incident"
	"github.com/vigil-ir/vigil/internal/store"
)

// openIncidentStore is a temporary store with case IR-1 open.
func openIncidentStore(t *testing.T) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "vigil.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := OpenIncident(ctx, st, "web1 defaced", time.Time{}, store.Actor{User: "root", SudoUser: "alice"}); err != nil {
		t.Fatal(err)
	}
	return st
}

// A Chinese PDF is refused, naming the package, when no font has Chinese
// glyphs (Chromium would print empty boxes), before anything is written.
func TestIncidentPDFWithoutCJKFont(t *testing.T) {
	t.Setenv("VIGIL_CHROMIUM", "/bin/true") // a browser is "there": the font is what is missing
	st := openIncidentStore(t)
	none := incident.FontProbe{Dirs: []string{t.TempDir()}}
	var out bytes.Buffer
	_, err := IncidentReport(context.Background(), st, &out, IncidentReportOptions{Lang: "zh-CN", Format: incident.FormatPDF,
		Template: incident.TemplateReport, Fonts: none})
	var me *MsgError
	if !errors.As(err, &me) || me.Msg.ID != "incident.err.pdf-cjk-font" || me.Msg.Args[0] != incident.CJKPackage || out.Len() != 0 {
		t.Fatalf("zh-CN PDF without a CJK font: %v (%d bytes written)", err, out.Len())
	}
	for _, lang := range []string{"en", "zh-CN"} {
		if text := texts().Message(lang, me.Msg); !bytes.Contains([]byte(text), []byte("fonts-noto-cjk")) {
			t.Errorf("%s: the message does not name the package: %s", lang, text)
		}
	}
}
