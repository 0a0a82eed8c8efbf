package advisory

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
)

// osvDecoder accepts fields newer schema versions add.
var osvDecoder = protojson.UnmarshalOptions{DiscardUnknown: true}

// osvSet collects OSV records into one batch per ecosystem.
type osvSet struct {
	origin  string
	batches map[string]*Batch
}

func newOSVSet(origin string) *osvSet { return &osvSet{origin: origin, batches: map[string]*Batch{}} }

func (s *osvSet) batch(base string) *Batch {
	b := s.batches[base]
	if b == nil {
		b = &Batch{Source: "osv:" + base, Kind: KindOSV}
		s.batches[base] = b
	}
	return b
}

// add decodes one OSV record (name says where it came from, for errors).
func (s *osvSet) add(name string, raw []byte) error {
	var v osvschema.Vulnerability
	if err := osvDecoder.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("%w: %s: %s: %v", ErrFormat, s.origin, name, err)
	}
	if v.GetId() == "" {
		return fmt.Errorf("%w: %s: %s: OSV record without an id", ErrFormat, s.origin, name)
	}
	mod := v.GetModified().AsTime()
	vu := Vuln{ID: v.GetId(), Aliases: append(append([]string(nil), v.GetAliases()...), v.GetUpstream()...), Summary: v.GetSummary(), Modified: mod}
	sort.SliceStable(vu.Aliases, func(i, j int) bool {
		return strings.HasPrefix(vu.Aliases[i], "CVE-") && !strings.HasPrefix(vu.Aliases[j], "CVE-")
	})
	for _, sev := range v.GetSeverity() {
		setCVSS(&vu, sev.GetType(), sev.GetScore())
	}
	seen := map[string]bool{}
	for _, a := range v.GetAffected() {
		eco := a.GetPackage().GetEcosystem()
		distro, release, ok := Ecosystem(eco)
		if !ok || a.GetPackage().GetName() == "" {
			continue
		}
		b := s.batch(ecosystemBase(eco))
		if v.GetWithdrawn() != nil {
			if !seen[b.Source] {
				b.Withdrawn = append(b.Withdrawn, vu.ID)
				seen[b.Source] = true
			}
			continue
		}
		for _, sev := range a.GetSeverity() {
			setCVSS(&vu, sev.GetType(), sev.GetScore())
		}
		row := Affected{Distro: distro, Release: release, Package: a.GetPackage().GetName(), ID: vu.ID, Status: NoFix,
			Severity: osvSeverity(a, v.GetSeverity())}
		for _, r := range a.GetRanges() {
			if r.GetType() != osvschema.Range_ECOSYSTEM {
				continue
			}
			for _, e := range r.GetEvents() {
				if f := e.GetFixed(); f != "" {
					row.Status, row.Fixed = Fixed, f
				}
			}
		}
		if row.Status == NoFix {
			row.Status = osvUnfixedStatus(a)
		}
		b.Affected = append(b.Affected, row)
		if !seen[b.Source] {
			b.Vulns = append(b.Vulns, vu)
			seen[b.Source] = true
		}
		if mod.After(b.DataDate) {
			b.DataDate = mod
		}
	}
	return nil
}

// osvUnfixedStatus reads what a source says about an affected package
// without a fix: Ubuntu's ecosystem_specific "status" ("deferred",
// "ignored", "end-of-life"...), Debian's "urgency" end-of-life.
func osvUnfixedStatus(a *osvschema.Affected) Status {
	for _, st := range []map[string]any{a.GetEcosystemSpecific().AsMap(), a.GetDatabaseSpecific().AsMap()} {
		for _, k := range []string{"status", "urgency", "fix_state"} {
			w, _ := st[k].(string)
			switch strings.ToLower(w) {
			case "ignored", "will not fix", "wont-fix", "won't fix", "not-fixed-will-not-fix":
				return WontFix
			case "end-of-life", "end of life", "out of support scope", "end-of-support":
				return EndOfSupport
			}
		}
	}
	return NoFix
}

// osvSeverity is the distribution's own rating where the record carries
// one: an Ubuntu severity entry, Debian's urgency, Alma/Red Hat's
// "severity" in database_specific.
func osvSeverity(a *osvschema.Affected, top []*osvschema.Severity) string {
	for _, s := range append(append([]*osvschema.Severity(nil), a.GetSeverity()...), top...) {
		if s.GetType() == osvschema.Severity_Ubuntu {
			if w := severityWord(s.GetScore()); w != "" {
				return w
			}
		}
	}
	for _, st := range []map[string]any{a.GetEcosystemSpecific().AsMap(), a.GetDatabaseSpecific().AsMap()} {
		for _, k := range []string{"urgency", "severity"} {
			if w, _ := st[k].(string); severityWord(w) != "" {
				return severityWord(w)
			}
		}
	}
	return ""
}

func setCVSS(v *Vuln, t osvschema.Severity_Type, score string) {
	switch {
	case t == osvschema.Severity_CVSS_V3 && v.CVSS3 == "":
		v.CVSS3 = score
	case t == osvschema.Severity_CVSS_V4 && v.CVSS4 == "":
		v.CVSS4 = score
	}
}

func (s *osvSet) result() []*Batch {
	out := make([]*Batch, 0, len(s.batches))
	for _, b := range s.batches {
		sortBatch(b)
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}

// isOSVRecord reports whether a JSON object looks like one OSV record.
func isOSVRecord(b []byte) bool {
	var probe struct {
		ID       *string          `json:"id"`
		Modified *string          `json:"modified"`
		Affected *json.RawMessage `json:"affected"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&probe); err != nil {
		return false
	}
	return probe.ID != nil && (probe.Modified != nil || probe.Affected != nil)
}

func parseOSVArray(origin string, b []byte) ([]*Batch, error) {
	var recs []json.RawMessage
	if err := json.Unmarshal(b, &recs); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrFormat, origin, err)
	}
	s := newOSVSet(origin)
	for i, r := range recs {
		if err := s.add(fmt.Sprintf("record %d", i+1), r); err != nil {
			return nil, err
		}
	}
	return s.result(), nil
}

func parseOSVZip(origin string, b []byte) ([]*Batch, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: damaged zip: %v", ErrFormat, origin, err)
	}
	s := newOSVSet(origin)
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		if f.UncompressedSize64 > maxRecord {
			return nil, fmt.Errorf("%w: %s: %s is larger than %d bytes", ErrFormat, origin, f.Name, maxRecord)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %s: %v", ErrFormat, origin, f.Name, err)
		}
		raw, err := io.ReadAll(io.LimitReader(rc, maxRecord+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %s: damaged zip entry: %v", ErrFormat, origin, f.Name, err)
		}
		if err := s.add(f.Name, raw); err != nil {
			return nil, err
		}
	}
	return s.result(), nil
}

func parseOSVDir(dir string) ([]*Batch, error) {
	files, err := osvFiles(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: %s: no .json files", ErrFormat, dir)
	}
	s := newOSVSet(dir)
	h := sha256.New()
	for _, p := range files {
		raw, err := readLimited(p, maxRecord)
		if err != nil {
			return nil, err
		}
		h.Write([]byte(p))
		h.Write(raw)
		if err := s.add(p, raw); err != nil {
			return nil, err
		}
	}
	out := s.result()
	digest := hex.EncodeToString(h.Sum(nil))
	for _, b := range out {
		b.Origin, b.Digest = dir, digest
	}
	return out, nil
}

func readLimited(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("%w: %s is larger than %d bytes", ErrFormat, p, limit)
	}
	return b, err
}
