// Package target is the one way Vigil reads the system it examines.
//
// A Target is a root directory (the live host's "/", a mounted disk image, an
// extracted root filesystem or a test fixture) and whether it is the running
// system. Every collector and detector reads through it with paths as seen
// inside the target ("/etc/passwd"), never with host paths, so that the same
// code runs on a live host, on `--root /mnt/img` and on testdata/.
//
// Guarantees:
//   - Symlinks are resolved inside the root, as if chrooted: an absolute link
//     in an image (/etc/alternatives/x -> /usr/bin/y) points into the image,
//     never at the analyst's own machine. Loops end in an error.
//   - Reads never block and never change the target: files are opened with
//     O_NONBLOCK and O_NOATIME (where permitted), FIFOs, sockets and devices are
//     refused with ErrNotRegular before any read, and reads stop at a size
//     limit with ErrTooLarge.
//   - OpenRoot refuses a directory that does not look like a root filesystem
//     (no /etc/passwd, no os-release, no package database): an empty mount
//     point must never scan as clean.
package target
