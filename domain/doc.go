// Package domain holds Vendorwatch's entities, their validation rules, the
// risk model, the regulatory catalogues and the store interfaces that the
// outer packages implement (repository) or consume (api, jobs, reports).
//
// It imports only the standard library and small pure helpers: no HTTP
// framework, no ORM, no spreadsheet library. A test in this package
// enforces that.
package domain
