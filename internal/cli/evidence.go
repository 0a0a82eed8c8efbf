package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/app"
	"github.com/vigil-ir/vigil/internal/evidence"
)

func newEvidenceCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Check evidence archives written by vigil collect",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newEvidenceVerifyCmd(g))
	return cmd
}

func newEvidenceVerifyCmd(g *globals) *cobra.Command {
	var pubkey, format, identity string
	cmd := &cobra.Command{
		Use:   "verify ARCHIVE",
		Short: "Check every digest and the signature of an evidence archive, and name what was altered",
		Long: `Read an archive written by vigil collect, hash every entry and compare it with
the signed manifest, and check the manifest's Ed25519 signature. Every entry
altered, missing or added is named; a truncated archive or a forged
signature is reported.

Without --pubkey the signature is checked against the key named inside the
archive: that proves the archive unchanged since it was signed, not who
signed it. Give the collector's public key (printed by vigil collect, kept in
evidence-signing.key.pub) to check that too.

An archive encrypted with --encrypt-to is decrypted while it is read with
--identity: an age identity file or the SSH private key (without a
passphrase; otherwise decrypt first with age -d and verify the result).

Exit status: 0 when everything matches, 1 when anything does not, 2 when the
archive cannot be read.`,
		Example: `  # check who signed it too
  vigil evidence verify /media/ir/web1.tar.zst --pubkey /media/ir/evidence-signing.key.pub`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return errExit(errors.New(g.t("cli.err.format", format, "table, json")))
			}
			rep, err := app.VerifyEvidence(args[0], pubkey, identity)
			if err != nil {
				return errExit(err)
			}
			if format == "json" {
				if err := writeJSON(g.stdout, rep); err != nil {
					return errExit(err)
				}
			} else {
				writeVerifyReport(g, args[0], rep, pubkey != "")
			}
			if !rep.OK {
				return &exitError{code: ExitFindings}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&pubkey, "pubkey", "", "the public key the signature must verify with (file: ed25519:BASE64 or PEM)")
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	cmd.Flags().StringVar(&identity, "identity", "", "the private key that decrypts an encrypted archive: an age identity file or an SSH private key")
	return cmd
}

func writeVerifyReport(g *globals, path string, rep *evidence.Report, pinned bool) {
	out := func(id string, a ...any) { fmt.Fprintln(g.stdout, g.t(id, a...)) }
	if rep.Manifest != nil {
		m := rep.Manifest
		out("evidence.verify.header", m.Target.Hostname, m.Target.Root, m.Profile, m.Started.Format("2006-01-02 15:04:05Z"), m.Collector.User)
		if m.Case != "" {
			out("evidence.cli.case", m.Case)
		}
	}
	for _, p := range rep.Problems {
		arg := p.Name
		if p.Kind == evidence.ProblemTruncated || p.Kind == evidence.ProblemWrongKey {
			arg = p.Detail
		}
		out("evidence.problem."+p.Kind, arg)
	}
	out("evidence.verify.sha256", rep.ArchiveSH)
	if rep.Encrypted {
		out("evidence.verify.decrypted", rep.PlainSH)
	}
	if !rep.OK {
		out("evidence.verify.failed", path, len(rep.Problems))
		return
	}
	out("evidence.verify.ok", path, rep.Checked, rep.SignerFP)
	if !pinned {
		out("evidence.verify.unpinned")
	}
}
