package advisory

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// parseEPSS reads FIRST's daily EPSS CSV: an optional comment line
// "#model_version:v2025.03.14,score_date:2025-12-05T12:55:00Z", the header
// "cve,epss,percentile", then one row per CVE. A short or malformed row
// rejects the file (a truncated download ends in one).
func parseEPSS(origin string, b []byte) (*Batch, error) {
	out := &Batch{Source: "epss", Kind: KindEPSS}
	if bytes.HasPrefix(b, []byte("#")) {
		line, rest, _ := bytes.Cut(b, []byte("\n"))
		for _, kv := range strings.Split(strings.TrimSpace(string(line[1:])), ",") {
			if k, v, ok := strings.Cut(kv, ":"); ok && k == "score_date" {
				out.DataDate, _ = time.Parse(time.RFC3339, v)
			}
		}
		b = rest
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = 3
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil || head[0] != "cve" || head[1] != "epss" || head[2] != "percentile" {
		return nil, fmt.Errorf("%w: %s: EPSS CSV without the header cve,epss,percentile", ErrFormat, origin)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: EPSS CSV: %v", ErrFormat, origin, err)
		}
		line, _ := r.FieldPos(0)
		score, err1 := strconv.ParseFloat(rec[1], 64)
		pct, err2 := strconv.ParseFloat(rec[2], 64)
		if !strings.HasPrefix(rec[0], "CVE-") || err1 != nil || err2 != nil || score < 0 || score > 1 || pct < 0 || pct > 1 {
			return nil, fmt.Errorf("%w: %s: EPSS CSV line %d: %q", ErrFormat, origin, line, strings.Join(rec, ","))
		}
		out.EPSS = append(out.EPSS, EPSS{CVE: rec[0], Score: score, Percentile: pct})
	}
	if len(out.EPSS) == 0 {
		return nil, fmt.Errorf("%w: %s: EPSS CSV without scores", ErrFormat, origin)
	}
	if !bytes.HasSuffix(bytes.TrimRight(b, " \t"), []byte("\n")) {
		return nil, fmt.Errorf("%w: %s: EPSS CSV does not end with a line break (truncated?)", ErrFormat, origin)
	}
	sort.Slice(out.EPSS, func(i, j int) bool { return out.EPSS[i].CVE < out.EPSS[j].CVE })
	return out, nil
}
