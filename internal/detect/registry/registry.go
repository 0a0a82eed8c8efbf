// Package registry lists Vigil's detectors explicitly: no init-time
// registration, no blank imports. Adding a detector is adding one line here.
package registry

import (
	"github.com/vigil-ir/vigil/internal/engine"
)

// constructors maps each detector's name to its constructor.
var constructors = []func() engine.Detector{
}

// All returns a fresh instance of every detector, in a stable order.
func All() []engine.Detector {
	out := make([]engine.Detector, 0, len(constructors))
	for _, c := range constructors {
		out = append(out, c())
	}
	return out
}
