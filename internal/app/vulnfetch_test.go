package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/vuln/vulntest"
)

// TestFetchAdvisories: vigil db update against a local server with the
// public paths (never the internet).
func TestFetchAdvisories(t *testing.T) {
	f, err := vulntest.Write(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) []byte { b, _ := os.ReadFile(p); return b }
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(read(f.EPSS))
	zw.Close()
	files := map[string][]byte{
		"/Debian/all.zip":    read(f.OSVZip),
		"/tracker/data/json": read(f.Tracker),
		"/sites/default/files/feeds/known_exploited_vulnerabilities.json": read(f.KEV),
		"/epss_scores-current.csv.gz":                                     gz.Bytes(),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "v.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	names := []string{"osv:Debian", "debian-tracker", "kev", "epss"}
	stats, err := FetchAdvisories(context.Background(), st, names, srv.URL, srv.Client())
	if err != nil || len(stats) != 4 {
		t.Fatalf("%+v %v", stats, err)
	}
	// A source the mirror lacks: refused before anything is written.
	_, err = FetchAdvisories(context.Background(), st, []string{"kev", "osv:Ubuntu"}, srv.URL, srv.Client())
	var me *MsgError
	if !errors.As(err, &me) || me.Msg.ID != "vuln.err.fetch" {
		t.Errorf("missing file: %v", err)
	}
	if _, err := FetchAdvisories(context.Background(), st, []string{"nvd"}, srv.URL, srv.Client()); !errors.As(err, &me) || me.Msg.ID != "vuln.err.unknown-source" {
		t.Errorf("unknown source: %v", err)
	}
	srcs, _ := st.AdvisorySources(context.Background())
	if len(srcs) != 4 {
		t.Errorf("sources %+v", srcs)
	}
}
