// Package contain is the core of `vigil contain` and `vigil undo`: the one
// part of Vigil that changes a host. Every action follows one path:
//
//	plan → journal → apply → verify → (undo)
//
// A kind of action (file quarantine, a commented persistence line, a locked
// account, a stopped process, an nftables table ...) lives in its own
// subpackage and implements Kind. Its planner captures, before anything
// changes, every datum its undo needs; the Runner writes the action with
// that undo data to the store's journal (synced to disk) before Apply runs,
// verifies the result, and reverts it when applying or verifying fails. A
// run that finds a journal entry left in state applying or undoing (Vigil
// was killed, the host lost power) rolls it back first: nothing is left
// half-done. Kind.Undo is therefore written for any state between "not yet
// started" and "fully applied", and is idempotent.
//
// Actions operate on a Target: the live host ("/") or a root directory, so
// every file, account and persistence action is tested on temporary roots.
package contain
