// Package loader finds code that the dynamic linker or the kernel loads on
// an intruder's behalf: /etc/ld.so.preload entries and library directories
// or look-alike system libraries added through ld.so.conf (ATT&CK
// T1574.006), and kernel modules — loaded ones that are not on disk or hide
// from the module list, the kernel's taint flags, modules configured to load
// at boot, modprobe "install" commands, module files outside the module
// trees and files in the trees that no package installed (T1547.006).
//
// File checks run on a live host and on an offline root alike; the loaded
// module checks (/proc/modules, /sys/module, /proc/sys/kernel/tainted) need
// the live host and leave a not-applicable gap otherwise. Ownership comes
// from the shared package database (memo "pkgdb"): a file a package
// installed and that is unchanged is known-good.
//
// Limits: it reads what the kernel exposes; a rootkit that removes itself
// from both /proc/modules and /sys/module is seen only through the taint
// flags it leaves. Module names are compared after the kernel's own
// normalisation ('-' and '_' are the same). The walk for stray module files
// is bounded (entries and depth) and reports a gap when it stops early.
package loader
