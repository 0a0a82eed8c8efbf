package cli

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/store/storetest"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// truncatedStore returns a store with a big scan cut in half.
func truncatedStore(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "cut.db")
	st, err := store.Open(context.Background(), p, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveScan(context.Background(), storetest.Result(time.Now(), storetest.Many(3000, "x"), "check"), store.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// setSchema records a schema version in a store, as a newer vigil would.
func setSchema(path string, v int) error {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(`INSERT INTO schema_migrations VALUES (?, '2030-01-01', 'from the future')`, v)
	return err
}
