// Package registry lists Vigil's detectors explicitly: no init-time
// registration, no blank imports. Adding a detector is adding one line here.
package registry

import (
	"github.com/vigil-ir/vigil/internal/detect/accounts"
	"github.com/vigil-ir/vigil/internal/detect/authn"
	"github.com/vigil-ir/vigil/internal/detect/autostart"
	"github.com/vigil-ir/vigil/internal/detect/changed"
	"github.com/vigil-ir/vigil/internal/detect/files"
	"github.com/vigil-ir/vigil/internal/detect/harden"
	"github.com/vigil-ir/vigil/internal/detect/history"
	"github.com/vigil-ir/vigil/internal/detect/hooks"
	"github.com/vigil-ir/vigil/internal/detect/integrity"
	"github.com/vigil-ir/vigil/internal/detect/loader"
	"github.com/vigil-ir/vigil/internal/detect/logs"
	"github.com/vigil-ir/vigil/internal/detect/logtamper"
	"github.com/vigil-ir/vigil/internal/detect/network"
	"github.com/vigil-ir/vigil/internal/detect/process"
	"github.com/vigil-ir/vigil/internal/detect/schedule"
	"github.com/vigil-ir/vigil/internal/detect/services"
	"github.com/vigil-ir/vigil/internal/detect/shellinit"
	"github.com/vigil-ir/vigil/internal/detect/ssh"
	"github.com/vigil-ir/vigil/internal/detect/staging"
	"github.com/vigil-ir/vigil/internal/detect/tools"
	"github.com/vigil-ir/vigil/internal/detect/webroot"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/vuln/match"
)

// constructors maps each detector's name to its constructor.
var constructors = []func() engine.Detector{
	func() engine.Detector { return shellinit.New() },
	func() engine.Detector { return loader.New() },
	func() engine.Detector { return hooks.New() },
	func() engine.Detector { return process.New() },
	func() engine.Detector { return network.New() },
	func() engine.Detector { return accounts.New() },
	func() engine.Detector { return authn.New() },
	func() engine.Detector { return ssh.New() },
	func() engine.Detector { return history.New() },
	func() engine.Detector { return integrity.New() },
	func() engine.Detector { return schedule.New() },
	func() engine.Detector { return services.New() },
	func() engine.Detector { return autostart.New() },
	func() engine.Detector { return logtamper.New() },
	func() engine.Detector { return webroot.New() },
	func() engine.Detector { return files.New() },
	func() engine.Detector { return tools.New() },
	func() engine.Detector { return staging.New() },
	func() engine.Detector { return changed.New() },
}

// All returns a fresh instance of every detector, in a stable order.
func All() []engine.Detector {
	out := make([]engine.Detector, 0, len(constructors))
	for _, c := range constructors {
		out = append(out, c())
	}
	return out
}

// Standalone returns the detectors that are not part of `vigil scan` but
// run alone under their own command, in their default configuration (for
// declaring their rules): logs (`vigil logs`) and the hardening baseline
// (`vigil harden`), and the vulnerability matcher (`vigil vuln`, which
// injects the advisory data).
func Standalone() []engine.Detector {
	return append([]engine.Detector{logs.New(logs.Options{}), &match.Detector{}}, Harden()...)
}

// Harden returns the detectors of the hardening baseline (`vigil harden`,
// `vigil scan --harden`): the system's and sshd's.
func Harden() []engine.Detector {
	return []engine.Detector{harden.New(), ssh.NewBaseline()}
}
