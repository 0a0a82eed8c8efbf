// Package version compares package versions the way each distribution's
// package manager does: dpkg (epochs, "~" sorting before everything,
// Debian revisions), rpm (rpmvercmp with epochs and releases) and apk.
// It wraps the comparers Trivy uses (github.com/knqyf263/go-deb-version,
// go-rpm-version, go-apk-version) behind one function, refusing versions
// the dpkg and apk comparers cannot parse instead of guessing.
package version

import (
	"fmt"

	apk "github.com/knqyf263/go-apk-version"
	deb "github.com/knqyf263/go-deb-version"
	rpm "github.com/knqyf263/go-rpm-version"
)

// Families.
const (
	Dpkg = "dpkg"
	RPM  = "rpm"
	Apk  = "apk"
)

// Compare returns -1, 0 or +1 as a is older than, equal to or newer than b
// in the ordering of family (Dpkg, RPM, Apk). An error says a version does
// not parse: the caller must not decide "fixed" or "vulnerable" from it.
func Compare(family, a, b string) (int, error) {
	switch family {
	case Dpkg:
		va, err := deb.NewVersion(a)
		if err != nil {
			return 0, fmt.Errorf("dpkg version %q: %w", a, err)
		}
		vb, err := deb.NewVersion(b)
		if err != nil {
			return 0, fmt.Errorf("dpkg version %q: %w", b, err)
		}
		return sign(va.Compare(vb)), nil // the dpkg comparer returns a distance, not -1/0/1
	case RPM:
		if a == "" || b == "" {
			return 0, fmt.Errorf("empty rpm version")
		}
		return sign(rpm.NewVersion(a).Compare(rpm.NewVersion(b))), nil
	case Apk:
		va, err := apk.NewVersion(a)
		if err != nil {
			return 0, fmt.Errorf("apk version %q: %w", a, err)
		}
		vb, err := apk.NewVersion(b)
		if err != nil {
			return 0, fmt.Errorf("apk version %q: %w", b, err)
		}
		return sign(va.Compare(vb)), nil
	}
	return 0, fmt.Errorf("unknown version family %q", family)
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
