package app

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/chromium"
	"github.com/vigil-ir/vigil/internal/incident"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
)

// casesOf is the store's incident part.
func casesOf(st store.Store) (store.Cases, error) {
	c, ok := st.(store.Cases)
	if !ok {
		return nil, errors.New("this store keeps no incident cases")
	}
	return c, nil
}

// OpenIncident starts a case. aware is when the organisation became aware
// of the incident (zero: now): the regulator's 72 hours run from it.
func OpenIncident(ctx context.Context, st store.Store, title string, aware time.Time, who store.Actor) (store.Case, error) {
	cs, err := casesOf(st)
	if err != nil {
		return store.Case{}, err
	}
	c, err := cs.OpenCase(ctx, title, aware, who)
	if errors.Is(err, store.ErrCaseOpen) {
		if cur, ok, _ := cs.CurrentCase(ctx); ok {
			return store.Case{}, &MsgError{model.Msg("incident.err.open", cur.Reference, cur.Title)}
		}
	}
	return c, err
}

// FindIncident is the case ref names ("" the open case, else the newest).
func FindIncident(ctx context.Context, st store.Store, ref string) (store.Case, error) {
	cs, err := casesOf(st)
	if err != nil {
		return store.Case{}, err
	}
	c, err := cs.CaseByRef(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		if ref == "" {
			return c, &MsgError{model.Msg("incident.err.none")}
		}
		return c, &MsgError{model.Msg("incident.err.not-found", ref)}
	}
	return c, err
}

// openIncident is the store's cases and the open case, or an error saying
// there is none.
func openIncident(ctx context.Context, st store.Store) (store.Cases, store.Case, error) {
	cs, err := casesOf(st)
	if err != nil {
		return nil, store.Case{}, err
	}
	c, ok, err := cs.CurrentCase(ctx)
	if err == nil && !ok {
		err = &MsgError{model.Msg("incident.err.none-open")}
	}
	return cs, c, err
}

// NoteIncident adds a note to the open case, for a playbook step ("" for
// none).
func NoteIncident(ctx context.Context, st store.Store, text, step string, who store.Actor) (store.Case, error) {
	if step != "" && !incident.ValidStep(step) {
		return store.Case{}, &MsgError{model.Msg("incident.err.step", step)}
	}
	cs, c, err := openIncident(ctx, st)
	if err != nil {
		return c, err
	}
	return c, cs.AddCaseEvent(ctx, store.CaseEvent{CaseID: c.ID, Actor: who.String(), Kind: incident.KindNote, Step: step, Detail: text})
}

// CloseIncident closes the open case.
func CloseIncident(ctx context.Context, st store.Store, who store.Actor) (store.Case, error) {
	cs, c, err := openIncident(ctx, st)
	if err != nil {
		return c, err
	}
	if err := cs.CloseCase(ctx, c.ID, who); err != nil {
		return c, err
	}
	return cs.CaseByRef(ctx, c.Reference)
}

// IncidentStatus is a case with its journal and the playbook checklist.
type IncidentStatus struct {
	Case      store.Case            `json:"case"`
	Events    []store.CaseEvent     `json:"journal"`
	Checklist []incident.StepStatus `json:"checklist"`
}

// StatusOfIncident loads case ref ("" the open or newest case).
func StatusOfIncident(ctx context.Context, st store.Store, ref string) (*IncidentStatus, error) {
	c, err := FindIncident(ctx, st, ref)
	if err != nil {
		return nil, err
	}
	cs, _ := casesOf(st)
	evs, err := cs.CaseEvents(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if evs == nil {
		evs = []store.CaseEvent{}
	}
	// The journal's scan lines name the scan and who ran it (the store's
	// trigger copies the operator); which command (scan, files, logs,
	// harden) is in the scan's own record.
	for i, e := range evs {
		if e.Kind != incident.KindScan {
			continue
		}
		if info, err := st.Scan(ctx, e.Ref); err == nil {
			evs[i].RunKind = info.Kind
		}
	}
	return &IncidentStatus{Case: c, Events: evs, Checklist: incident.Checklist(evs)}, nil
}

// CurrentIncident is the reference of the case open in the store at path,
// "" when there is no store or no open case: collect and image record it.
// It never creates a store.
func CurrentIncident(ctx context.Context, path string) string {
	st, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		return ""
	}
	defer st.Close()
	if c, ok, err := st.CurrentCase(ctx); err == nil && ok {
		return c.Reference
	}
	return ""
}

// AttachToIncident adds e to the case open in the store at path, if any;
// it never creates a store. It returns the case's reference, "" when
// nothing was attached.
func AttachToIncident(ctx context.Context, path string, e store.CaseEvent) (string, error) {
	st, err := store.Open(ctx, path, store.Options{MustExist: true})
	if errors.Is(err, store.ErrNoStore) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer st.Close()
	c, ok, err := st.CurrentCase(ctx)
	if err != nil || !ok {
		return "", err
	}
	e.CaseID = c.ID
	return c.Reference, st.AddCaseEvent(ctx, e)
}

// readTimelineFile reads one `vigil timeline --format jsonl` file.
func readTimelineFile(path string) ([]incident.Entry, int, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, 0, err
	}
	defer f.Close()
	return incident.ReadTimeline(f, incident.MaxExtra)
}

// IncidentReportOptions configure `vigil incident report`.
type IncidentReportOptions struct {
	Ref      string // "" the open case, else the newest
	Lang     string
	Format   string // md, json, html, pdf
	Template string // report, regulator
	Now      time.Time
	// Timelines are files `vigil timeline --format jsonl` wrote: their log
	// events (logins, web requests ...), log findings, process starts and
	// file times join the report's timeline.
	Timelines []string
	// Notef, when set, is told how many timeline lines were left out.
	Notef func(model.Message)
	// Fonts looks for a CJK font before a Chinese PDF is printed (the
	// zero value: the usual font directories).
	Fonts incident.FontProbe
}

// IncidentReport renders the report of a case from what the store holds:
// its journal, the scans attached to it (their findings), the containment
// actions attached to it, the timelines kept with it; log timelines from
// files (Timelines) join them through incident.Input.Extra.
func IncidentReport(ctx context.Context, st store.Store, w io.Writer, o IncidentReportOptions) (store.Case, error) {
	switch o.Format {
	case incident.FormatMarkdown, incident.FormatJSON, incident.FormatHTML, incident.FormatPDF:
	default:
		return store.Case{}, &MsgError{model.Msg("incident.err.format", o.Format)}
	}
	if o.Template != incident.TemplateReport && o.Template != incident.TemplateRegulator {
		return store.Case{}, &MsgError{model.Msg("incident.err.template", o.Template)}
	}
	if o.Format == incident.FormatPDF && strings.HasPrefix(o.Lang, "zh") {
		// Without a font that has Chinese glyphs Chromium prints empty
		// boxes and says nothing: refuse, naming the package.
		if _, err := chromium.Find(); err == nil && !o.Fonts.HasCJK() {
			return store.Case{}, &MsgError{model.Msg("incident.err.pdf-cjk-font", incident.CJKPackage)}
		}
	}
	s, err := StatusOfIncident(ctx, st, o.Ref)
	if err != nil {
		return store.Case{}, err
	}
	in := incident.Input{Case: s.Case, Events: s.Events, Catalog: texts(), Lang: o.Lang, Now: o.Now}
	// The timelines `vigil timeline` kept with the case while it was open.
	if in.Extra, err = caseTimeline(ctx, st, s.Case.ID); err != nil {
		return store.Case{}, err
	}
	for _, path := range o.Timelines {
		lines, dropped, bad, err := readTimelineFile(path)
		if err != nil {
			return store.Case{}, &MsgError{model.Msg("incident.err.timeline", path, err)}
		}
		in.Extra = append(in.Extra, lines...)
		if (dropped > 0 || bad > 0) && o.Notef != nil {
			o.Notef(model.Msg("incident.report.timeline-cut", path, len(lines), dropped, bad))
		}
	}
	journal, _ := st.(store.Journal)
	for _, e := range s.Events {
		switch e.Kind {
		case incident.KindScan:
			id, err := strconv.ParseInt(e.Ref, 10, 64)
			if err != nil {
				continue
			}
			if r, err := st.Result(ctx, id); err == nil {
				in.Scans = append(in.Scans, r)
			}
		case incident.KindAction:
			id, err := strconv.ParseInt(e.Ref, 10, 64)
			if err != nil || journal == nil {
				continue
			}
			if a, err := journal.ActionByID(ctx, id); err == nil {
				in.Actions = append(in.Actions, a)
			}
		}
	}
	r := incident.Build(in)
	if o.Format == incident.FormatPDF {
		err := incident.RenderPDF(ctx, w, r, in.Catalog, o.Template)
		if errors.Is(err, chromium.ErrNotFound) {
			err = &MsgError{model.Msg("incident.err.pdf-browser", strings.Join(chromium.Paths, ", "), chromium.Install)}
		}
		return s.Case, err
	}
	return s.Case, incident.Render(w, r, in.Catalog, o.Format, o.Template)
}
