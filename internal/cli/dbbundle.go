package cli

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/evidence"
	"github.com/vigil-ir/vigil/internal/store"
)

// bundleFlags are vigil db import's flags for signed offline bundles.
type bundleFlags struct {
	keys       []string
	insecure   bool
	allowOlder bool
}

func (b *bundleFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringSliceVar(&b.keys, "keys", nil, "trusted public key files for bundles (default: $VIGIL_DB_KEYS, else "+app.DefaultTrustedKeys+" when it exists)")
	cmd.Flags().BoolVar(&b.insecure, "insecure", false, "import a bundle whose signature is missing or does not verify (its content must still be whole)")
	cmd.Flags().BoolVar(&b.allowOlder, "allow-older", false, "import a bundle whose data is older than the store's (a deliberate rollback)")
}

func (b *bundleFlags) options(g *globals) (app.ImportOptions, error) {
	keys, err := app.TrustedKeys(b.keys, g.getenv)
	return app.ImportOptions{Trusted: keys, Insecure: b.insecure, AllowOlder: b.allowOlder}, err
}

func newDbExportCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var keyFile string
	var unsigned bool
	cmd := &cobra.Command{
		Use:   "export FILE",
		Short: "Write the store's vulnerability data to one signed offline bundle",
		Long: "Write every imported source (advisories, KEV, EPSS) to FILE as one bundle: a\n" +
			"manifest (sources, their data dates, record counts, SHA-256 of the content)\n" +
			"signed with an Ed25519 key (vigil db keygen), and the compressed content.\n" +
			"vigil db import FILE on another host verifies the signature against its\n" +
			"trusted keys before anything is written. FILE is written once the bundle is\n" +
			"complete.",
		Example: "  vigil db keygen vigil-db.key                        # once: the key pair\n  vigil db export --key vigil-db.key advisories.vdb",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fail := func(err error) error { return &exitError{code: ExitError, err: err} }
			if (keyFile == "") == !unsigned {
				return fail(errors.New(g.t("vuln.err.export-key")))
			}
			var key ed25519.PrivateKey
			if keyFile != "" {
				var err error
				if key, err = app.BundleKey(keyFile); err != nil {
					return fail(err)
				}
			}
			st, err := openAdvisories(cmd.Context(), g, sf, store.Options{MustExist: true})
			if err != nil {
				return fail(err)
			}
			defer st.Close()
			var buf bytes.Buffer
			m, err := app.ExportAdvisoryBundle(cmd.Context(), st, &buf, key, time.Now())
			if err != nil {
				return fail(err)
			}
			if err := os.WriteFile(args[0], buf.Bytes(), 0o644); err != nil {
				return fail(err)
			}
			n := 0
			for _, s := range m.Sources {
				n += s.Records
			}
			signer := g.t("vuln.db.unsigned")
			if key != nil {
				signer = evidence.KeyFingerprint(key.Public().(ed25519.PublicKey))
			}
			fmt.Fprintln(g.stdout, g.t("vuln.db.exported", args[0], len(m.Sources), n, signer))
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVar(&keyFile, "key", "", "the secret key file that signs the bundle (vigil db keygen)")
	cmd.Flags().BoolVar(&unsigned, "unsigned", false, "write an unsigned bundle (importing it needs --insecure)")
	return cmd
}

func newDbKeygenCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "keygen FILE",
		Short: "Make an Ed25519 key pair for signing offline bundles: FILE (secret) and FILE.pub",
		Long: "Make the key pair of a bundle producer. FILE (PKCS#8 PEM, mode 0600) signs\n" +
			"bundles (vigil db export --key); FILE.pub (ed25519:BASE64) goes to the hosts\n" +
			"that import them, in the trusted keys file (/etc/vigil/db-keys.pub, one key a\n" +
			"line, or --keys). Existing files are never overwritten.",
		Example: "  vigil db keygen vigil-db.key   # writes vigil-db.key and vigil-db.key.pub",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pub, id, err := app.NewBundleKey(args[0])
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			fmt.Fprintln(g.stdout, g.t("vuln.db.keygen", args[0], pub, id))
			return nil
		},
	}
}
