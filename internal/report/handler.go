package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
)

// Handler receives a scan as a stream: Begin, then findings and gaps in any
// order, then End.
type Handler interface {
	Begin(model.ScanMeta) error
	Finding(model.Finding) error
	Gap(model.Gap) error
	End(model.Summary) error
}

// MetaUpdater is implemented by handlers that take the final scan meta
// (its finish time) just before End.
type MetaUpdater interface{ UpdateMeta(model.ScanMeta) }

// UpdateMeta gives h the final meta when it wants it.
func UpdateMeta(h Handler, meta model.ScanMeta) {
	if mu, ok := h.(MetaUpdater); ok {
		mu.UpdateMeta(meta)
	}
}

// Formats lists the values --format accepts.
var Formats = []string{"table", "json", "jsonl"}

// Options configure a handler.
type Options struct {
	Lang    string
	Catalog *catalog.Catalog
	Verbose bool // table: print why, how to verify and remediation under each finding
	Color   bool
	// Width is the terminal's width in cells, for the table to wrap long
	// paths in; 0 when the output is not a terminal: lines are whole.
	Width int
}

// New returns the handler for format writing to w.
func New(format string, w io.Writer, opt Options) (Handler, error) {
	if opt.Lang == "" {
		opt.Lang = catalog.English
	}
	switch strings.ToLower(format) {
	case "", "table":
		return &Table{w: w, opt: opt}, nil
	case "json":
		return &JSON{w: w, opt: opt}, nil
	case "jsonl":
		return &JSONL{w: w, opt: opt}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

func localize(opt Options, f *model.Finding) {
	if opt.Catalog != nil {
		opt.Catalog.Localize(f, opt.Lang)
	}
}

// Multi fans a stream out to several handlers.
type Multi []Handler

// Begin implements Handler.
func (m Multi) Begin(meta model.ScanMeta) error {
	for _, h := range m {
		if err := h.Begin(meta); err != nil {
			return err
		}
	}
	return nil
}

// Finding implements Handler.
func (m Multi) Finding(f model.Finding) error {
	for _, h := range m {
		if err := h.Finding(f); err != nil {
			return err
		}
	}
	return nil
}

// UpdateMeta implements MetaUpdater for every handler that wants it.
func (m Multi) UpdateMeta(meta model.ScanMeta) {
	for _, h := range m {
		UpdateMeta(h, meta)
	}
}

// Gap implements Handler.
func (m Multi) Gap(g model.Gap) error {
	for _, h := range m {
		if err := h.Gap(g); err != nil {
			return err
		}
	}
	return nil
}

// End implements Handler.
func (m Multi) End(s model.Summary) error {
	for _, h := range m {
		if err := h.End(s); err != nil {
			return err
		}
	}
	return nil
}

// Replay streams a saved result into h.
func Replay(r *model.Result, h Handler) error {
	if err := h.Begin(r.Meta); err != nil {
		return err
	}
	for _, f := range r.Findings {
		if err := h.Finding(f); err != nil {
			return err
		}
	}
	for _, g := range r.Gaps {
		if err := h.Gap(g); err != nil {
			return err
		}
	}
	return h.End(r.Summary)
}

// Collector is a Handler that keeps the whole result in memory.
type Collector struct{ Result model.Result }

// Begin implements Handler.
func (c *Collector) Begin(meta model.ScanMeta) error {
	c.Result = model.Result{SchemaVersion: model.SchemaVersion, Meta: meta}
	return nil
}

// Finding implements Handler.
func (c *Collector) Finding(f model.Finding) error {
	c.Result.Findings = append(c.Result.Findings, f)
	return nil
}

// Gap implements Handler.
func (c *Collector) Gap(g model.Gap) error { c.Result.Gaps = append(c.Result.Gaps, g); return nil }

// UpdateMeta implements MetaUpdater.
func (c *Collector) UpdateMeta(m model.ScanMeta) { c.Result.Meta = m }

// End implements Handler.
func (c *Collector) End(s model.Summary) error { c.Result.Summary = s; return nil }
