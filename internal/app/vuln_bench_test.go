package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
	"github.com/vigil-ir/vigil/internal/vuln/match"
)

// benchRows is the size of the synthetic Debian 12 slice: the real
// tracker holds about 60,000 (source package, CVE) rows for bookworm.
const benchRows = 60000

// synthBatch is match.Synthetic's slice as a tracker batch.
func synthBatch(sl *advisory.Slice, digest string) *advisory.Batch {
	b := &advisory.Batch{Source: "debian-tracker", Kind: advisory.KindDebianTracker, Digest: digest, DataDate: time.Now()}
	for _, a := range sl.Affected {
		b.Affected = append(b.Affected, a.Affected)
	}
	for _, v := range sl.Vulns {
		b.Vulns = append(b.Vulns, v)
	}
	return b
}

// synthRoot writes a root with the 2,000 packages in its dpkg database.
func synthRoot(b *testing.B, n int) string {
	pkgs, _ := match.Synthetic(n, 0)
	root := b.TempDir()
	var st strings.Builder
	for _, p := range pkgs {
		name, _, _ := strings.Cut(p.Name, ":")
		fmt.Fprintf(&st, "Package: %s\nStatus: install ok installed\nArchitecture: amd64\nSource: %s\nVersion: %s\n\n", name, p.Source, p.Version)
	}
	for path, body := range map[string]string{"etc/passwd": "root:x:0:0::/root:/bin/sh\n", "etc/os-release": "ID=debian\nVERSION_ID=12\n",
		"var/lib/dpkg/status": st.String(), "var/lib/dpkg/info/bin00000.list": "/usr\n"} {
		p := filepath.Join(root, path)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return root
}

// BenchmarkVulnImport: a full-size release slice imported into an empty
// store (rows/s is the throughput).
func BenchmarkVulnImport(b *testing.B) {
	_, sl := match.Synthetic(0, benchRows)
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "v.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		batch := synthBatch(sl, fmt.Sprint(i))
		b.StartTimer()
		if _, err := st.ImportAdvisories(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkVulnReimport: the same data again under another digest: every
// row compared, nothing written.
func BenchmarkVulnReimport(b *testing.B) {
	_, sl := match.Synthetic(0, benchRows)
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "v.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	st.ImportAdvisories(context.Background(), synthBatch(sl, "first"))
	for i := 0; b.Loop(); i++ {
		if s, err := st.ImportAdvisories(context.Background(), synthBatch(sl, fmt.Sprint(i))); err != nil || s.Added+s.Changed+s.Removed != 0 {
			b.Fatal(s, err)
		}
	}
}

// BenchmarkVulnMatch2000: vigil vuln on a 2,000-package host against the
// full-size slice, warm (the store's pages cached): load the slice, read
// the package database, match, grade.
func BenchmarkVulnMatch2000(b *testing.B) {
	_, sl := match.Synthetic(0, benchRows)
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "v.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.ImportAdvisories(context.Background(), synthBatch(sl, "x")); err != nil {
		b.Fatal(err)
	}
	cat, _ := catalog.Load()
	root := synthRoot(b, 2000)
	var n int
	cpu0 := cpuTime()
	for b.Loop() {
		rep, err := VulnScan(context.Background(), st, VulnOptions{Target: target.NewUnchecked(root, false), Catalog: cat})
		if err != nil {
			b.Fatal(err)
		}
		n = len(rep.Vulnerabilities)
	}
	b.ReportMetric(float64(n), "vulns")
	// CPU seconds per scan: on a shared, loaded machine the wall time
	// (ns/op) says more about the neighbours than about the scan.
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
