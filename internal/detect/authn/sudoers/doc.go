// Package sudoers parses sudo's policy files: /etc/sudoers and everything
// it includes (@include, @includedir and their #-forms), with line
// continuations, comments, aliases (User_Alias, Runas_Alias, Host_Alias,
// Cmnd_Alias), Defaults with their scopes, and user specifications down to
// each command's runas list and tags (NOPASSWD, SETENV ...).
//
// It follows sudoers(5) closely enough for grading, not for enforcing:
// host lists are kept but not evaluated, digests and option specs (ROLE=,
// CWD= ...) are skipped, "%h" in include paths is not expanded (a gap), and
// sudo's LDAP/SSSD sources are not read. Included files follow sudo's
// rules: a directory's files are read in sorted order, skipping names that
// end in '~' or contain '.'. A line it cannot make sense of is skipped with
// a gap, like every unreadable file.
package sudoers
