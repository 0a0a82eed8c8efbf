package logs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// TestWebGolden parses each web fixture (testdata/web; a .format file
// beside one holds its configured log_format / LogFormat).
func TestWebGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/web/*.log")
	if len(files) < 6 {
		t.Fatalf("%d fixtures", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			format := FormatWebAccess
			if strings.HasSuffix(f, ".error.log") {
				format = FormatWebError
			}
			layout, _ := os.ReadFile(f + ".format")
			evs, cov := parseText(t, Source{Format: format, LogFormat: string(layout)}, string(b), time.FixedZone("UTC+8", 8*3600))
			cov.Name = ""
			testutil.Golden(t, strings.TrimSuffix(f, ".log")+".golden", goldenEvents(t, evs, cov))
		})
	}
}

// parseText reads text as the Source would be read from stdin.
func parseText(t testing.TB, src Source, text string, loc *time.Location) ([]model.Event, Coverage) {
	src.Name = "-"
	var evs []model.Event
	cov, err := Read(nil, nil, src, Options{Stdin: strings.NewReader(text), Location: loc}, func(ev *model.Event) error {
		evs = append(evs, *ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs, cov
}

func TestWebLayouts(t *testing.T) {
	for _, tc := range []struct{ format, want string }{
		{LayoutCombined, "client user time_local request status bytes referer user_agent"},
		{`%h %l %u %t \"%r\" %>s %b`, "client - user time_apache request status bytes"},
		{`$remote_addr ${request_time}s $unknown_var`, "client request_time -"},
		{`%{%d/%b/%Y}t %{X-Forwarded-For}i %`, "- xff"},
	} {
		var got []string
		for _, p := range compileLayout(tc.format).parts {
			if p.field != "" {
				got = append(got, p.field)
			}
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: %q, want %q", tc.format, strings.Join(got, " "), tc.want)
		}
	}
}

func FuzzWebAccess(f *testing.F) {
	for _, p := range []string{"testdata/web/nginx-combined.access.log", "testdata/web/apache-vhost.access.log"} {
		b, _ := os.ReadFile(p)
		for _, l := range strings.Split(string(b), "\n") {
			f.Add(l, "")
		}
	}
	f.Add("a|b", "$remote_addr|$status")
	f.Add(`1.2.3.4 "x\"" 200`, `%h "%r" %>s`)
	f.Fuzz(func(t *testing.T, line, layout string) {
		evs, cov := parseText(t, Source{Format: FormatWebAccess, LogFormat: layout}, line, time.UTC)
		if cov.Parsed+cov.Unparsed != cov.Lines || int64(len(evs)) != cov.Events {
			t.Fatalf("coverage %+v, %d events", cov, len(evs))
		}
		for _, ev := range evs {
			if ev.Time.IsZero() || ev.Kind != "web.request" || ev.Fields["status"] == "" {
				t.Fatalf("bad event %+v", ev)
			}
		}
	})
}

func FuzzWebError(f *testing.F) {
	for _, p := range []string{"testdata/web/nginx.error.log", "testdata/web/apache.error.log"} {
		b, _ := os.ReadFile(p)
		for _, l := range strings.Split(string(b), "\n") {
			f.Add(l)
		}
	}
	f.Fuzz(func(t *testing.T, line string) {
		evs, cov := parseText(t, Source{Format: FormatWebError}, line, time.UTC)
		if cov.Parsed+cov.Unparsed != cov.Lines || int64(len(evs)) != cov.Events {
			t.Fatalf("coverage %+v, %d events", cov, len(evs))
		}
	})
}
