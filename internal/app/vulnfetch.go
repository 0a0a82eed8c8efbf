package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
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

// FetchAdvisories downloads the named sources — from mirror instead of the
// public host when mirror is set (same paths) — into memory (nothing is
// written to the host but the store) and imports them like
// ImportAdvisoryFiles: every download completes and parses before anything
// is written.
func FetchAdvisories(ctx context.Context, st store.Advisories, names []string, mirror string, client *http.Client) ([]store.ImportStats, error) {
	var batches []*advisory.Batch
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
		b, date, err := download(ctx, client, u)
		if err != nil {
			return nil, &MsgError{Msg: model.Msg("vuln.err.fetch", n, u, err.Error())}
		}
		bs, err := advisory.Parse(u, b, date)
		if err != nil {
			return nil, &MsgError{Msg: model.Msg("vuln.err.import-rejected", u, err.Error())}
		}
		batches = append(batches, bs...)
	}
	return st.ImportAdvisoryBatches(ctx, batches)
}

// download fetches u whole. The date is the server's Last-Modified (the
// data date of a file without its own, like the tracker's JSON), else now.
func download(ctx context.Context, client *http.Client, u string) ([]byte, time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, time.Time{}, err
	}
	req.Header.Set("User-Agent", "vigil/"+Version)
	resp, err := client.Do(req)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, time.Time{}, fmt.Errorf("HTTP %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, fetchLimit+1))
	switch {
	case err != nil:
		return nil, time.Time{}, err
	case len(b) > fetchLimit:
		return nil, time.Time{}, fmt.Errorf("larger than %d bytes", fetchLimit)
	case resp.ContentLength > 0 && int64(len(b)) != resp.ContentLength:
		return nil, time.Time{}, fmt.Errorf("truncated: %d of %d bytes", len(b), resp.ContentLength)
	}
	date := time.Now()
	if lm, perr := http.ParseTime(resp.Header.Get("Last-Modified")); perr == nil {
		date = lm
	}
	return b, date, nil
}

// DefaultFetchClient is the HTTP client of vigil db update.
func DefaultFetchClient() *http.Client { return &http.Client{Timeout: 30 * time.Minute} }
