package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
)

// AdvisoryURLs are the public locations vigil db update fetches from.
var AdvisoryURLs = map[string]string{
	"osv:Debian":      "https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip",
	"osv:Ubuntu":      "https://osv-vulnerabilities.storage.googleapis.com/Ubuntu/all.zip",
	"osv:Alpine":      "https://osv-vulnerabilities.storage.googleapis.com/Alpine/all.zip",
	"osv:AlmaLinux":   "https://osv-vulnerabilities.storage.googleapis.com/AlmaLinux/all.zip",
	"osv:Rocky Linux": "https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux/all.zip",
	"osv:Red Hat":     "https://osv-vulnerabilities.storage.googleapis.com/Red%20Hat/all.zip",
	"debian-tracker":  "https://security-tracker.debian.org/tracker/data/json",
	"kev":             "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
	"epss":            "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz",
}

// AdvisorySourceNames lists the names AdvisoryURLs knows, sorted.
func AdvisorySourceNames() []string {
	var out []string
	for k := range AdvisoryURLs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fetchLimit bounds one download (the largest, Ubuntu's OSV zip, is a few
// hundred MB).
const fetchLimit = 1 << 30

// FetchAdvisories downloads the named sources into dir — from mirror
// instead of the public host when mirror is set (same paths) — and imports
// them like ImportAdvisoryFiles: all downloads complete before anything
// is written.
func FetchAdvisories(ctx context.Context, st store.Advisories, names []string, mirror, dir string, client *http.Client) ([]store.ImportStats, error) {
	var paths []string
	for _, n := range names {
		u, ok := AdvisoryURLs[n]
		if !ok {
			return nil, &MsgError{Msg: model.Msg("vuln.err.unknown-source", n, strings.Join(AdvisorySourceNames(), ", "))}
		}
		if mirror != "" {
			pu, err := url.Parse(u)
			if err != nil {
				return nil, err
			}
			u = strings.TrimSuffix(mirror, "/") + pu.EscapedPath()
		}
		p := filepath.Join(dir, strings.NewReplacer(":", "-", " ", "-").Replace(n))
		if err := download(ctx, client, u, p); err != nil {
			return nil, &MsgError{Msg: model.Msg("vuln.err.fetch", n, u, err.Error())}
		}
		paths = append(paths, p)
	}
	return ImportAdvisoryFiles(ctx, st, paths)
}

func download(ctx context.Context, client *http.Client, u, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "vigil/"+Version)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %s", resp.Status)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(resp.Body, fetchLimit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > fetchLimit {
		err = fmt.Errorf("larger than %d bytes", fetchLimit)
	}
	if err == nil && resp.ContentLength > 0 && n != resp.ContentLength {
		err = fmt.Errorf("truncated: %d of %d bytes", n, resp.ContentLength)
	}
	if err == nil {
		// The data date of a file without one (the tracker's JSON) is its
		// mtime: the server's Last-Modified when it says.
		if lm, perr := http.ParseTime(resp.Header.Get("Last-Modified")); perr == nil {
			os.Chtimes(path, lm, lm)
		}
	}
	return err
}

// DefaultFetchClient is the HTTP client of vigil db update.
func DefaultFetchClient() *http.Client { return &http.Client{Timeout: 30 * time.Minute} }
