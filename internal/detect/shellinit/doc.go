// Package shellinit finds persistence and credential traps in shell
// start-up files (ATT&CK T1546.004) and in the environment files that PAM
// and systemd hand to every session (T1574.006 dynamic linker hijacking,
// T1574.007 PATH interception).
//
// It reads the system-wide files (/etc/profile and profile.d, bash.bashrc,
// zsh and csh files, /etc/skel, /etc/environment, pam_env.conf,
// environment.d) and, for every home of every account (including /root),
// the user's own (.bashrc, .profile, .bash_aliases, .zshrc, .cshrc,
// ~/.pam_environment, ~/.config/environment.d ...). Every logical line is
// graded by cmdscan; on top of that it understands what a start-up file
// can do silently: aliases and functions that shadow sudo, ssh, ls, ps ...,
// PROMPT_COMMAND and traps that run on every prompt or exit, LD_PRELOAD and
// interpreter variables (PYTHONPATH, PERL5OPT, NODE_OPTIONS, BASH_ENV ...),
// PATH entries searched before the system's, and files sourced from
// world-writable or hidden places (followed two levels deep).
//
// In a home start-up or logout file, every line that runs a command and
// is not in the template (/etc/skel's version, or for root Debian's
// /usr/share/base-files/dot.* defaults) and that no other rule reported is
// listed (persistence.shell.added-command, low); medium when it writes
// into a temporary or hidden place, uses a network tool, handles encoded
// data or runs a program from a hidden place. Declarations stay quiet:
// comments, aliases, exports and assignments, shell options, traps,
// completions, sourcing, eval, tests and command -v.
//
// A file that a package installed and that is unchanged (pkgdb Pristine),
// or a home file identical to the packaged /etc/skel template, is not read
// further. Evidence.User is the account whose sessions run the file, "*"
// for system-wide files; Evidence.When is login (or logout).
//
// Limits: it lexes shell, it does not run it: values built at run time
// (eval, variables holding commands) are graded only through cmdscan's
// tell-tale parts. Files sourced through variables are not followed. zsh
// frameworks (oh-my-zsh) and fish beyond config.fish are not read.
package shellinit
