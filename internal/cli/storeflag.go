package cli

import (
	"context"
	"encoding/json"
	"io"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/store"
)

// storeFlag is the --store flag of the history commands.
type storeFlag struct{ path string }

const storeHelp = "the store file (default $" + app.StoreEnv + ", else " + app.DefaultStorePath + ")"

func (s *storeFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.path, "store", "", storeHelp)
}

// open opens the store. Read-only commands pass mustExist: they never
// create a store, they say there is none.
func (s *storeFlag) open(ctx context.Context, g *globals, mustExist bool) (store.Store, error) {
	st, err := store.Open(ctx, app.StorePath(s.path, g.getenv), store.Options{MustExist: mustExist})
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	return st, nil
}

// openReadOnly opens an existing store for queries only (scans, findings,
// show, diff): a store on write-protected media, or a copy handed over
// read-only, can be queried.
func (s *storeFlag) openReadOnly(ctx context.Context, g *globals) (store.Store, error) {
	st, err := store.Open(ctx, app.StorePath(s.path, g.getenv), store.Options{ReadOnly: true})
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	return st, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
