// Package incident is the incident case: the playbook checklist a case's
// journal is judged against (playbook.go) and the incident report built
// from the store (report.go, render*.go). It reads what the store holds —
// the case journal, the scans and findings attached to it, containment
// actions — and leaves hooks (Sources) for timeline events and other
// records as they appear.
package incident
