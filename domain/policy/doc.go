// Package policy is the organisation's configurable policy in one value:
// the clause requirements and the windows standards in words count as,
// the attestation requirements, the review cadence per tier and the
// compliance scan's thresholds, with defaults and a JSON policy file
// (LoadPolicy).
package policy
