package cli

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/evidence"
	"github.com/vigil-ir/vigil/internal/lowprio"
	"github.com/vigil-ir/vigil/internal/target"
)

func newCollectCmd(g *globals) *cobra.Command {
	var sf storeFlag
	var root, output, profile, keyPath string
	var secrets bool
	var encryptTo []string
	var memPIDs []int
	cmd := &cobra.Command{
		Use:   "collect -o OUT",
		Short: "Collect evidence into one signed archive (tar + zstd), most volatile first",
		Long: `Collect evidence from the live host, or a mounted root with --root, into one
archive (tar + zstd) with a manifest of every item (path, size, mode, owner,
times, SHA-256) and of everything skipped with the reason, signed with an
Ed25519 key made on first use beside the store.

Order of volatility (RFC 3227): on a live host first the clock, network
connections and routes, processes (with copies of the executables of
suspicious ones), logged-in users, kernel modules and mounts, read from /proc;
then logs, configuration, persistence places, shell histories and package
databases. Profiles: triage (fast) and full (also staging directories, web
roots, package file lists).

The archive must lie outside a --root target; nothing is written on the
target. -o - streams the archive to stdout (pipe it over ssh). Shadow files
and private keys are collected only with --secrets.

--encrypt-to encrypts the archive with age to a public key (age1..., or an
SSH public key, or a file of them; repeatable): only the private key's
holder can read it (age -d -i KEY, or vigil evidence verify --identity KEY).
The signed manifest inside is unchanged.

--memory-pid PID copies the readable memory regions of a process first
(from /proc/PID/maps and /proc/PID/mem, each hashed; unreadable regions are
listed). Whole memory: LiME or AVML, when present, are named with how to run
them; Vigil does not run them.`,
		Example: `  # the live host, to external media
  vigil collect -o /media/ir/web1.tar.zst
  # a mounted disk, everything
  vigil collect --root /mnt/web1 --profile full -o /media/ir/web1-disk.tar.zst
  # the memory of two suspicious processes first
  vigil collect --memory-pid 4242,4243 -o /media/ir/web1.tar.zst
  # encrypted to the responder's SSH key
  vigil collect --encrypt-to ~/.ssh/id_ed25519.pub -o /media/ir/web1.tar.zst.age`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output == "" {
				return errExit(errors.New(g.t("evidence.err.no-output")))
			}
			var t *target.Target
			if root != "" {
				var err error
				if t, err = target.OpenRoot(root); err != nil {
					return errExit(err)
				}
			} else {
				t = target.Live()
				lowprio.Apply()
			}
			rep, err := app.Collect(cmd.Context(), app.CollectOptions{
				Target: t, Output: output, Stdout: g.stdout, Profile: profile, Secrets: secrets,
				KeyPath: app.KeyPath(keyPath, sf.path, g.getenv), Command: os.Args, Getenv: g.getenv,
				Store: app.StorePath(sf.path, g.getenv), EncryptTo: encryptTo, MemoryPIDs: memPIDs,
			})
			if err != nil {
				return errExit(err)
			}
			writeCollectReport(g, rep)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&root, "root", "", "collect from a mounted image or extracted root filesystem instead of the live host")
	fl.StringVarP(&output, "output", "o", "", "the archive to write (a new file outside the target), or - for stdout")
	fl.StringVar(&profile, "profile", evidence.ProfileTriage, "triage or full")
	fl.BoolVar(&secrets, "secrets", false, "also collect shadow files and private keys (the manifest says so)")
	fl.IntSliceVar(&memPIDs, "memory-pid", nil, "copy the readable memory of these processes first (live host; comma-separated or repeated)")
	fl.StringArrayVar(&encryptTo, "encrypt-to", nil, "encrypt the archive with age to this public key (age1..., ssh-ed25519 ..., ssh-rsa ...) or the recipients in this file; repeatable")
	fl.StringVar(&keyPath, "key", "", "the Ed25519 signing key (default: evidence-signing.key beside the store; made on first use)")
	sf.register(cmd)
	return cmd
}

// writeCollectReport tells the operator, on stderr (stdout may carry the
// archive), what was written and with which key.
func writeCollectReport(g *globals, rep *app.CollectReport) {
	m := rep.Manifest
	secrets := 0
	for _, s := range m.Skipped {
		if s.Reason.ID == "evidence.skip.secret" {
			secrets++
		}
	}
	g.notef("%s", g.t("evidence.cli.done", rep.Output, m.Totals.Items, m.Totals.Skipped, m.Totals.Bytes, rep.Archive.Bytes))
	g.notef("%s", g.t("evidence.cli.sha256", rep.Archive.SHA256))
	if n := len(m.EncryptedTo); n > 0 {
		g.notef("%s", g.t("evidence.cli.encrypted", n))
	}
	g.notef("%s", g.t("evidence.cli.key", rep.PublicKey, rep.KeyFP))
	if rep.KeyCreated {
		g.notef("%s", g.t("evidence.cli.key-created", rep.KeyPath))
	}
	if m.Secrets {
		g.notef("%s", g.t("evidence.cli.secrets"))
	} else if secrets > 0 {
		g.notef("%s", g.t("evidence.cli.secrets-skipped", secrets))
	}
	if m.Case != "" {
		g.notef("%s", g.t("evidence.cli.case", m.Case))
	}
}

// errExit is a failure of the evidence commands: exit 2 with the error.
func errExit(err error) error { return &exitError{code: ExitError, err: err} }
