// Package cli parses Vigil's command line into use-case options and maps
// results to exit codes. One file per subcommand.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/catalog"
)

// Exit codes (docs/exit-codes in README).
const (
	ExitOK       = 0 // nothing at or above --fail-on
	ExitFindings = 1 // findings at or above --fail-on
	ExitError    = 2 // usage error, unreadable target, failure
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// globals are the flags every command shares.
type globals struct {
	lang   string
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// Lang returns the output language: --lang, else the locale environment.
func (g *globals) Lang() string {
	if g.lang != "" {
		return catalog.NormalizeLang(g.lang)
	}
	return catalog.LangFromEnv(g.getenv)
}

// Run executes the command line args and returns the exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr, getenv: os.Getenv}
	root := newRoot(g)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	// Help is built before cobra parses, so --lang is read from the raw
	// arguments here (cobra sets g.lang itself for the commands).
	lang := catalog.LangFromEnv(g.getenv)
	if l := langFromArgs(args); l != "" {
		lang = catalog.NormalizeLang(l)
		g.lang = l // for errors cobra returns before it parses --lang
	}
	lazyHelp(root, lang)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "vigil:", g.errText(ee.err))
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "vigil:", g.errText(err))
	return ExitError
}

// newRoot builds the command tree with its English help texts.
func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "vigil",
		Short:         "Emergency response and vulnerability remediation for Linux servers",
		Long:          "Vigil triages a live Linux host or a mounted image for signs of intrusion,\nand reports what it found, what it could not check, and what to do.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       app.Version,
	}
	root.PersistentFlags().StringVar(&g.lang, "lang", "", "output language: en or zh-CN (default from LC_ALL, LC_MESSAGES, LANG)")
	root.AddCommand(newScanCmd(g), newRulesCmd(g), newScansCmd(g), newFindingsCmd(g), newShowCmd(g), newDiffCmd(g), newIgnoreCmd(g))
	root.AddCommand(newVulnCmd(g))
	root.AddCommand(newDbCmd(g))
	root.AddCommand(newCollectCmd(g))
	root.AddCommand(newEvidenceCmd(g))
	root.AddCommand(newContainCmd(g), newActionsCmd(g), newUndoCmd(g), newQuarantineCmd(g))
	root.AddCommand(newLogsCmd(g))
	root.AddCommand(newHardenCmd(g))
	root.AddCommand(newTimelineCmd(g))
	root.AddCommand(newImageCmd(g))
	root.AddCommand(newIncidentCmd(g))
	root.AddCommand(newFilesCmd(g))
	return root
}
