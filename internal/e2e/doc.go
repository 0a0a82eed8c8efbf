// Package e2e holds end-to-end tests of the whole command line: a real
// Debian root built with debootstrap (VIGIL_E2E_ROOT, see
// scripts/debian-root.sh) must scan with no finding at medium or above, a
// fixture root of a compromised server must show each planted trick, and a
// live scan of the machine running the tests must complete.
package e2e
