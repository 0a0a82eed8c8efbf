package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/vuln/vulntest"
)

// TestDbBundle: keygen, export, import on a store of its own; without the
// producer's key the bundle is refused, in both languages.
func TestDbBundle(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db")
	f, err := vulntest.Write(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r := vigil(t, append([]string{"db", "import", "--store", src}, f.All()...)...); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	key, bundle := filepath.Join(dir, "p.key"), filepath.Join(dir, "a.vdb")
	if r := vigil(t, "db", "keygen", key); r.code != 0 || !strings.Contains(r.out, key+".pub") {
		t.Fatalf("keygen: %+v", r)
	}
	if r := vigil(t, "db", "keygen", key); r.code != ExitError {
		t.Fatalf("keygen over an existing key: %+v", r)
	}
	if r := vigil(t, "db", "export", "--store", src, bundle); r.code != ExitError || !strings.Contains(r.err, "--unsigned") {
		t.Fatalf("export without a key: %+v", r)
	}
	if r := vigil(t, "db", "export", "--store", src, "--key", key, bundle); r.code != 0 || !strings.Contains(r.out, "4 sources") {
		t.Fatalf("export: %+v", r)
	}
	t.Setenv("VIGIL_DB_KEYS", filepath.Join(dir, "none.pub")) // never the machine's /etc/vigil
	r := vigil(t, "db", "import", "--store", dst, "--keys", key+".pub", bundle)
	if r.code != 0 || !strings.Contains(r.out, "signature verified") || strings.Count(r.out, "added") != 4 {
		t.Fatalf("import: %+v", r)
	}
	other := filepath.Join(dir, "o.key")
	vigil(t, "db", "keygen", other)
	r = vigil(t, "db", "import", "--store", dst, "--keys", other+".pub", bundle)
	if r.code != ExitError || !strings.Contains(r.err, "does not verify") || r.out != "" {
		t.Fatalf("import with another key: %+v", r)
	}
	r = vigil(t, "db", "import", "--store", dst, "--keys", other+".pub", "--lang", "zh-CN", bundle)
	if r.code != ExitError || !strings.Contains(r.err, "未导入") {
		t.Fatalf("import with another key, in Chinese: %+v", r)
	}
	r = vigil(t, "db", "import", "--store", dst, "--keys", other+".pub", "--insecure", bundle)
	if r.code != 0 || !strings.Contains(r.out, "NOT verified") {
		t.Fatalf("--insecure: %+v", r)
	}
}
