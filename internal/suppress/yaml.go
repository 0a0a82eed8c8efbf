package suppress

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"gopkg.in/yaml.v3"
)

// FileVersion is the version of the YAML exchange format.
const FileVersion = 1

// maxFileSize bounds an imported file: thousands of entries fit in far less.
const maxFileSize = 8 << 20

// File is the YAML exchange format of suppressions (docs/store.md), kept in
// version control by a team and imported on other hosts.
type File struct {
	Version      int     `yaml:"version"`
	Suppressions []Entry `yaml:"suppressions"`
}

// Entry is one suppression in a File. Times are RFC 3339; Until also
// accepts a date (YYYY-MM-DD, to the end of that day).
type Entry struct {
	Fingerprint string `yaml:"fingerprint,omitempty"`
	Rule        string `yaml:"rule,omitempty"`
	Path        string `yaml:"path,omitempty"`
	Reason      string `yaml:"reason"`
	Until       string `yaml:"until,omitempty"`
	Created     string `yaml:"created,omitempty"`
	CreatedBy   string `yaml:"created_by,omitempty"`
}

const fileHeader = `# Vigil suppressions: findings marked as known (false positive or accepted
# risk), each with its reason. Apply on a host with: vigil ignore import FILE
# Format: docs/store.md. Every import is recorded in the host's audit trail.
`

// Encode writes the active suppressions of list as a File.
func Encode(w io.Writer, list []Suppression) error {
	f := File{Version: FileVersion, Suppressions: []Entry{}}
	for _, s := range list {
		e := Entry{Fingerprint: s.Fingerprint, Rule: s.Rule, Path: s.Path, Reason: s.Reason, CreatedBy: s.CreatedBy}
		if !s.Until.IsZero() {
			e.Until = s.Until.UTC().Format(time.RFC3339)
		}
		if !s.Created.IsZero() {
			e.Created = s.Created.UTC().Format(time.RFC3339)
		}
		f.Suppressions = append(f.Suppressions, e)
	}
	var buf bytes.Buffer
	buf.WriteString(fileHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Decode reads a File. Unknown keys, a missing reason, a malformed pattern
// or an unreadable time are errors naming the entry: an import applies all
// entries or none. Entries that have already expired are returned too (the
// caller decides; an import skips them). Dates are read in loc.
func Decode(r io.Reader, loc *time.Location) ([]Suppression, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("file larger than %d bytes", maxFileSize)
	}
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file")
		}
		return nil, fmt.Errorf("not a suppressions file: %w", err)
	}
	if f.Version != FileVersion {
		return nil, fmt.Errorf("version %d is not supported (this vigil reads version %d)", f.Version, FileVersion)
	}
	out := make([]Suppression, 0, len(f.Suppressions))
	for i, e := range f.Suppressions {
		s := Suppression{Fingerprint: e.Fingerprint, Rule: e.Rule, Path: e.Path, Reason: e.Reason, CreatedBy: e.CreatedBy}
		if e.Until != "" {
			t, err := parseFileTime(e.Until, loc)
			if err != nil {
				return nil, fmt.Errorf("entry %d: until: %w", i+1, err)
			}
			s.Until = t
		}
		if e.Created != "" {
			t, err := time.Parse(time.RFC3339, e.Created)
			if err != nil {
				return nil, fmt.Errorf("entry %d: created: %w", i+1, err)
			}
			s.Created = t.UTC()
		}
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i+1, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// parseFileTime is ParseUntil without the "must be in the future" rule:
// a file may carry entries that have expired since it was written.
func parseFileTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if loc == nil {
		loc = time.Local
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t.AddDate(0, 0, 1).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("cannot read %q as RFC 3339 or YYYY-MM-DD", s)
}
