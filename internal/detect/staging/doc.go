// Package staging finds what intruders leave in the places they stage
// from, judged by name and by the first bytes of each file:
//
//   - files.masquerade.name: a file or directory named to pass for ".",
//     ".." or nothing ("...", " ", ". ", a name ending in a space or an
//     invisible character; places.Masquerade), in the walked places and in
//     the top level of the system directories (/, /etc, /usr/lib, /var/lib
//     ...) — T1564.001;
//   - files.staged.executable: a program (ELF, or a script with a "#!"
//     line, with an execute bit) in /tmp, /var/tmp, /dev/shm: low by place
//     alone (a build tool's or a self-extracting installer's files look the
//     same), medium in a hidden directory there, high when it is named like
//     a system daemon (kworker, crond, sshd, systemd-*, a packaged sbin
//     name) or is a byte-for-byte copy of a packaged system program (same
//     digest as the package database records) under another name or in a
//     hidden directory. In homes, /opt and /srv only the high cases are
//     reported — T1036.005, T1036.003;
//   - files.masquerade.extension: a program named as an image, a text, a
//     log or a style sheet (.png, .jpg, .gif, .txt, .log, .css ...) —
//     T1036.008;
//   - files.staged.hidden: the first hidden file or directory on a path in
//     a temporary directory (places.Hidden; X11's socket directories are
//     conventional) — T1564.001, low;
//   - files.credential.copy: a file outside /etc in the format of shadow
//     (crypt hashes such as $6$ or $y$, or shadow's nine fields), of passwd
//     (several name:x:uid:gid lines) or a store of PEM private keys (two or
//     more) — T1003.008, high. Debian's own /var/backups/*.bak copies,
//     packaged files and files in a nested root's etc directory (a chroot
//     or a container image) are quiet.
//
// Places walked for content: /tmp, /var/tmp, /dev/shm, /run/shm, /root,
// /home/*, /opt, /srv, /usr/local, /var/backups and the web roots. Files a
// package installed are not judged.
//
// The content test is a magic-byte check (ELF's four bytes, "#!") rather
// than a MIME library: the question is only "is this a program?", which
// two prefixes answer without reading more than a few bytes of each file.
//
// Limits: the walk is bounded (depth 10, 200,000 files; .git,
// node_modules and build caches are not entered) and each limit leaves a
// gap; only the first 64 KiB of a file are read for the credential test,
// and outside the temporary directories only files whose name suggests a
// copy (no extension, .txt, .bak, .old, a name with passwd, shadow, hash
// ...) are read for it. A digest copy is recognised only against packaged
// programs in the bin, sbin and libexec directories.
package staging
