// Package shscript reads shell start-up files, hook scripts and command
// strings the way a POSIX shell would split them, far enough for a detector
// to reason about what runs: logical lines (continuations, multi-line
// quotes, here-documents), simple commands split at ; & | && || ( ),
// quote-removed words, assignments, aliases and function definitions. It
// also classifies paths (world-writable or hidden places) and grades every
// logical line with cmdscan.
//
// It is shared by the shellinit, loader (modprobe install commands) and
// hooks (udev RUN, APT hooks, network scripts) detectors, so a command gets
// the same reading wherever it hides.
//
// Limits: it is a lexer, not an interpreter. Parameter expansion, eval and
// command substitution are not performed (their text is kept and graded),
// here-document bodies are returned as lines of their own, and a logical
// line is at most maxJoin physical lines (an unbalanced quote never
// swallows the rest of a file).
package shscript
