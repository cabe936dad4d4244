// Package reports will hold the excelize workbooks: the audit workbook and
// the executive summary, written with the StreamWriter so memory stays
// flat as rows grow. Nothing is generated yet: reports arrive with their
// own issue.
package reports
