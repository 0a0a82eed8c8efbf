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
