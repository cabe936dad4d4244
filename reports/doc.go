// Package reports writes the excelize workbooks: the audit workbook
// (Summary, Vendors, Data inventory, Contracts, Attestations, Reviews,
// Findings, Incidents, Obligations) and the executive report (a one-page
// summary, then a sheet per section; its figures are also served as JSON
// by GET /api/v1/dashboard), and runs them in the background with their
// files stored by run id and sha256. Both take their colours from one
// severity palette (Palette) and show words for stored codes (style.go).
//
// Large sheets are written with the StreamWriter from rows that a Source
// streams in keyset batches (repository.ReportSource); what the writer
// keeps besides excelize's own buffers is a fixed set of counters and
// bounded lists, whatever the row count. The package imports neither gorm
// nor gin.
package reports
