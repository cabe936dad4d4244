// Package importing validates and applies spreadsheet imports of vendors,
// data handling, contracts and attestations: the columns of each kind with
// the header synonyms they accept, the mapping of a sheet's headers to
// them, cell parsing, and a dry run that reports every row before
// anything is written.
package importing
