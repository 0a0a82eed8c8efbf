package app

import (
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/model"
)

// SelectChecks turns vigil scan --only and --skip into the set of checks
// not to run. Names are detector names (as vigil rules lists them); an
// unknown name is an error that lists the valid ones.
func SelectChecks(ds []engine.Detector, only, skip []string) (map[string]bool, error) {
	known := make(map[string]bool, len(ds))
	names := make([]string, 0, len(ds))
	for _, d := range ds {
		known[d.Name()] = true
		names = append(names, d.Name())
	}
	sort.Strings(names)
	check := func(flag string, list []string) (map[string]bool, error) {
		set := map[string]bool{}
		var bad []string
		for _, n := range list {
			n = strings.TrimSpace(n)
			if n == "" {
				continue
			}
			if !known[n] {
				bad = append(bad, n)
			}
			set[n] = true
		}
		if len(bad) > 0 {
			return nil, &MsgError{Msg: model.Msg("app.checks.unknown", flag, strings.Join(bad, ", "), strings.Join(names, ", "))}
		}
		return set, nil
	}
	onlySet, err := check("--only", only)
	if err != nil {
		return nil, err
	}
	skipSet, err := check("--skip", skip)
	if err != nil {
		return nil, err
	}
	if len(only) > 0 && len(onlySet) == 0 {
		return nil, &MsgError{Msg: model.Msg("app.checks.none", strings.Join(names, ", "))}
	}
	out := map[string]bool{}
	for _, n := range names {
		if skipSet[n] || (len(onlySet) > 0 && !onlySet[n]) {
			out[n] = true
		}
	}
	return out, nil
}
