package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/termtext"
)

func newScansCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var format, targetKey string
	var limit int
	cmd := &cobra.Command{
		Use:   "scans",
		Short: "List saved scans: id, time, target, host, counts by severity, duration, version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return &exitError{code: ExitError, err: errors.New(g.t("cli.err.format", format, "table, json"))}
			}
			st, err := sf.openReadOnly(cmd.Context(), g)
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := listScans(cmd.Context(), st, targetKey, limit)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if format == "json" {
				if list == nil {
					list = []store.ScanInfo{}
				}
				return writeJSON(g.stdout, list)
			}
			return writeScans(g, list, st.Path())
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	cmd.Flags().StringVar(&targetKey, "target", "", "only scans of this target: \"live\", a root path, a hostname, or a target key from --format json")
	cmd.Flags().IntVarP(&limit, "limit", "n", 50, "at most this many scans, newest first (0: all)")
	return cmd
}

func writeScans(g *globals, list []store.ScanInfo, path string) error {
	lang := g.Lang()
	if len(list) == 0 {
		_, err := fmt.Fprintln(g.stdout, word(lang, "no_scans"))
		return err
	}
	t := &table{right: map[int]bool{0: true, 5: true, 6: true, 7: true, 8: true, 9: true, 10: true}}
	head := []string{word(lang, "id"), word(lang, "started"), word(lang, "kind"), word(lang, "target"), word(lang, "host")}
	for s := model.Critical; s >= model.Info; s-- {
		head = append(head, termtext.Severity(lang, s))
	}
	t.add(append(head, word(lang, "duration"), word(lang, "version"), "")...)
	for _, s := range list {
		mode := word(lang, "live")
		if !s.Live {
			mode = word(lang, "offline")
		}
		where := mode // a live host is one target per machine; a root is one per path
		if !s.Live {
			where = s.Root + " (" + mode + ")"
		}
		host := s.Hostname
		if s.MachineID != "" {
			host += " (" + app.ShortID(s.MachineID) + ")"
		}
		row := []string{strconv.FormatInt(s.ID, 10), s.Started.UTC().Format("2006-01-02 15:04:05"), kindWord(lang, s.Kind), where, strings.TrimSpace(host)}
		for sev := model.Critical; sev >= model.Info; sev-- {
			row = append(row, strconv.Itoa(s.Counts[sev]))
		}
		mark := ""
		if s.Baseline {
			mark = word(lang, "baseline")
		}
		t.add(append(row, s.Duration().Round(time.Millisecond).String(), s.Version, mark)...)
	}
	if err := t.write(g.stdout); err != nil {
		return err
	}
	_, err := fmt.Fprintf(g.stdout, "\n%d %s · %s %s\n", len(list), word(lang, "scans"), word(lang, "store"), path)
	return err
}

// listScans lists scans, newest first, of the target named by target: its
// key (model.TargetInfo.ID, as the JSON shows it), "live", a root path, or
// a hostname; "" lists every target.
func listScans(ctx context.Context, st store.Store, target string, limit int) ([]store.ScanInfo, error) {
	if target == "" || strings.Contains(target, "|") {
		return st.Scans(ctx, store.ScanQuery{TargetKey: target, Limit: limit})
	}
	all, err := st.Scans(ctx, store.ScanQuery{})
	if err != nil {
		return nil, err
	}
	var out []store.ScanInfo
	for _, s := range all {
		if s.Target().Where() == target || s.Hostname == target {
			out = append(out, s)
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

// kindWord names a run's kind (the command that made it) in lang.
func kindWord(lang, kind string) string {
	switch kind {
	case model.KindFiles, model.KindLogs, model.KindHarden:
		return word(lang, "kind."+kind)
	}
	return word(lang, "kind.scan")
}
