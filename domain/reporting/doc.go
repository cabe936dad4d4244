// Package reporting is the report read model: the rows the audit workbook
// and the executive report show, the filter and as-of instant they cover,
// the figures aggregated in the database (Source), and the record of
// report runs (RunStore). The repository implements these ports with
// set-based, keyset-batched queries; package reports renders them.
package reporting
