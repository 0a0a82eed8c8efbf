package rules

import "github.com/vigil-ir/vigil/internal/model"

// WebConfig tunes the web rules.
type WebConfig struct{}

func defaultWeb() WebConfig              { return WebConfig{} }
func (w WebConfig) normalize() WebConfig { return w }

type webState struct{}

func (w *webState) init(*WebConfig)  {}
func (w *webState) finish(*Set)      {}
func (s *Set) webEvent(*model.Event) {}
