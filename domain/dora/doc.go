// Package dora keeps what the DORA register of information needs beyond the
// rest of the register (Regulation (EU) 2022/2554 Art. 28(3); templates in
// Commission Implementing Regulation (EU) 2024/2956): the financial entities
// that file it, a vendor's facts as an ICT third-party service provider, a
// contract's facts as a contractual arrangement, the functions, and the ICT
// services of each contract with their assessment.
//
// It also owns the register's templates as the EBA DORA 4.0 taxonomy lays
// them out (module DORA010100: the cNNNN columns, the closed lists written as
// the taxonomy's QNames), the row each template writes from the stored facts
// (rows.go), and the pre-flight check of the rules a supervisor's portal
// rejects a package for (check.go). The report package itself (the zip) is
// written by reports/dora from a Source this package declares.
package dora
