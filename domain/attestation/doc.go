// Package attestation holds a vendor's assurance evidence (SOC reports,
// PCI DSS AOCs, ISO certificates, pen tests, questionnaires...): the
// catalogue of kinds with their default validity, the attestations with
// their evidence files, and the requirements that say which attestations a
// vendor needs for the data it handles and its tier (EvaluateEvidence).
package attestation
