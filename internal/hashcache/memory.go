package hashcache

import (
	"context"
	"maps"
	"sync"
)

// Memory is a Store in memory, for tests and for runs without a store
// file. Foreign, when set, makes every load report a store changed outside
// Vigil.
type Memory struct {
	mu      sync.Mutex
	targets map[string]Snapshot
	Foreign bool
	// Saves counts SaveHashes calls.
	Saves int
}

// LoadHashes implements Store.
func (m *Memory) LoadHashes(_ context.Context, target string) (Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.targets[target]
	s.Entries = maps.Clone(s.Entries)
	s.Intact = !m.Foreign
	return s, nil
}

// SaveHashes implements Store.
func (m *Memory) SaveHashes(_ context.Context, target string, s Snapshot) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.targets == nil {
		m.targets = map[string]Snapshot{}
	}
	s.Entries = maps.Clone(s.Entries)
	m.targets[target] = s
	m.Saves++
	if s.Full {
		m.Foreign = false // a full pass makes the store trusted again
	}
	return nil
}
