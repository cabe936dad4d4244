// Package domain is the shared kernel of Vendorwatch: identifiers, civil
// dates and notification windows, money, the error kinds (ErrNotFound,
// FieldErrors...), pages, the clock and the business calendar, the acting
// principal and its role, the audit trail (events, their hash chain and
// the Auditor every service writes through), domain events, evidence
// files, jurisdictions and the sources that figures cite, and the
// Transactor every store joins.
//
// The capabilities live in the packages below it (register, contract,
// incident, attestation, review, finding, importing, access, webhook,
// jobrun, policy, reporting), each with its entities, its services and the
// store interfaces it consumes. The kernel imports none of them.
//
// Like every package under domain/, it imports only the standard library
// and small pure helpers: no HTTP framework, no ORM, no spreadsheet
// library. TestDomainImports and golangci-lint's depguard rules enforce
// that.
package domain
