// Package cmdscan grades a shell command, a script line or a process
// command line by what it does: downloads piped to a shell, reverse shells,
// encoded or evaluated payloads, execution from world-writable or hidden
// places, miners, anti-forensics, account and key manipulation.
//
// It is shared by every detector that reads "a line that runs" (cron,
// systemd ExecStart, init scripts, rc files, shell histories, process
// command lines), so the same line gets the same grade wherever it hides.
// Each Match carries an indicator id whose text, in English and Chinese,
// lives in rules/indicators.yaml.
//
// # Prefilter
//
// Nearly every line a scan reads matches nothing, and running every
// regular expression over it costs about a tenth of a millisecond. Each
// pattern therefore declares groups of literal keywords (need): every text
// its expression matches contains one keyword of each group ("curl" or
// "wget", then "|", then "sh" for a download piped to a shell). Scan folds
// the line once (ASCII lower case, plus U+017F and U+212A, which (?i)
// equates with s and k), looks each keyword up at most once, and runs an
// expression only when all its groups are met. The prefilter only skips
// expressions that cannot match, so it never changes a result:
// TestPrefilterProved proves each group from the expression's syntax tree,
// and TestPrefilterSoundCorpus and FuzzPrefilterSound check that a line an
// expression matches always passes, and that Scan gives the same answer
// with and without the prefilter. A new pattern must declare keywords that
// the proof accepts.
//
// # Exceptions
//
// Some ordinary lines look like attacks. A pattern may carry an ok function
// that judges each match; Scan tries the next match of the same expression
// when one is excused, so an ordinary eval does not hide a hostile one on
// the same line.
//
//   - obfuscation.eval: eval "$(tool ...)" is ordinary when the substitution
//     is one simple command (no pipe, list or nested substitution; a
//     redirection to /dev/null is fine) of a tool that prints its own shell
//     set-up: start-up helpers (lesspipe, dircolors, ssh-agent, pyenv,
//     brew shellenv, perl -Mlocal::lib ...), Debian maintainer-script
//     helpers (apt-config shell, dpkg-architecture, locale, resize), and any
//     tool's completion (kubectl completion bash, _X_COMPLETE=... tool,
//     register-python-argcomplete) unless the tool fetches, decodes or
//     interprets (curl, echo, base64, python ...) or sits in a world-writable
//     directory.
//   - exec-hidden-path: a path at a command start (also ~/, $HOME/,
//     ${HOME}/ and quoted forms such as "/root/.acme.sh"/acme.sh; a colon
//     ends it, as in PATH values) with a component that starts with a dot
//     (... counts; /.* does not). It fires when the first hidden component
//     sits in a system or world-writable directory (/usr/lib/.sshd,
//     /tmp/.x/miner, /var/lib/.x). In a home or a project directory it is
//     silent when, from the hidden directory on, the path follows a
//     toolchain's own layout with no further hidden component
//     (.local/bin/NAME, .cargo/bin/NAME, .acme.sh/acme.sh,
//     .nvm/versions/node/..., .pyenv/ and .rbenv/ shims and versions,
//     .sdkman/candidates/..., virtualenvs such as .venv/bin/NAME and
//     .virtualenvs/ENV/bin/NAME, .dotnet/tools/NAME, .pm2/modules/...) or
//     names one of its directories (~/.local/bin in a PATH value), and when
//     the hidden component is the last one ($HOME/.nvm, ~/.kshrc,
//     /srv/app/.env: values that name configuration). Anything else fires: a
//     hidden directory inside a hidden directory above all
//     (~/.config/.cache/kworker, ~/.local/share/.x/run), or a tool
//     directory the path leaves (~/.cargo/registry/x). A dot written after
//     a quote (/root/".x"/y) is not seen.
//   - account-change: passwd alone (one's own password) and passwd -S are
//     silent; sudo passwd (root's password) and passwd USER stay medium.
//     Locking an account out (passwd -l/-e, usermod -L, -e DATE, -s
//     nologin) is graded low: containment as a rule, though an intruder may
//     lock the admins out. useradd -o -u 0 stays critical.
//   - download-exec also covers a download saved then run by a shell or an
//     interpreter by the same file name (curl -o get-docker.sh URL && sh
//     get-docker.sh), graded high with medium confidence, below a download
//     piped to a shell (critical).
//
// # Encoded one-liners
//
// obfuscation.encoded-oneliner (high) is an interpreter given its program
// on the command line (python -c, perl -e, ruby -e, php -r, node -e) whose
// program both decodes (base64, hex, zlib, rot13, marshal or pickle,
// chr() chains, \x escapes) and executes (exec, eval, system, child_process
// ...), or whose program a shell decoder produces (python -c "$(... |
// base64 -d)"), and a shell decoder piped into an interpreter. Decoding to
// print, or executing a literal, is ordinary and stays silent.
//
// Limits: it reads text, not semantics. Variables, aliases and functions
// that assemble a command at run time are caught only through their
// tell-tale parts (eval, base64, /dev/tcp). The exceptions trust tool
// names: a hostile program installed as ~/.local/bin/NAME or named
// dircolors is for the detectors that look at files to find. Patterns are
// chosen so that ordinary administration (a download of a tarball, a find
// in /tmp, a packaged service's reload) does not match.
package cmdscan
