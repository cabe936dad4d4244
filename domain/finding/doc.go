// Package finding holds the compliance scan and its findings. Rules are
// pure functions of facts: the store gathers each rule family's candidate
// rows with one set-based query (ScanStore), RuleContext turns them into
// findings, and ScanService writes only new and changed findings and
// resolves those no longer seen. FindingService reads findings and moves
// them through their lifecycle (acknowledged, risk accepted, resolved).
package finding
