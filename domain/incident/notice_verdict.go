package incident

import "time"

// JudgeNotice is the notice verdict, the one definition of on time, late,
// overdue and pending that every figure, finding and report uses: a notice
// given at notified (nil: not given yet) against a deadline due, as of
// asOf.
//
//   - on_time: given at or before due;
//   - late: given after due (lateBy = notified - due);
//   - overdue: not given and asOf is after due (lateBy = asOf - due);
//   - pending: not given and due has not passed.
//
// A notice given after asOf counts as not given: callers evaluating an
// earlier instant pass it as nil (reports.NoticeAt). The SQL statements
// that select or count notices (the scan's incident candidates, the
// executive figures) state the same conditions on stored instants.
func JudgeNotice(due time.Time, notified *time.Time, asOf time.Time) (NoticeStatus, *Span) {
	switch {
	case notified != nil && !notified.After(due):
		return NoticeOnTime, nil
	case notified != nil:
		return NoticeLate, SpanOf(notified.Sub(due))
	case asOf.After(due):
		return NoticeOverdue, SpanOf(asOf.Sub(due))
	}
	return NoticePending, nil
}

// Broke reports whether the verdict is a broken deadline: late or overdue.
func (s NoticeStatus) Broke() bool { return s == NoticeLate || s == NoticeOverdue }

// What a vendor's notice broke.
const (
	BrokeContract = "contract" // the contract's window only
	BrokeLaw      = "law"      // a fixed statutory deadline of the vendor only
	BrokeBoth     = "both"
)

// NoticeBreach judges a vendor's notice against both deadlines it had to
// meet: the contract's (nil without a clause in force at discovery) and
// the earliest fixed statutory deadline of the vendor's own duty to us
// (nil when the law fixes none). It returns the verdict against the
// earlier of the two (JudgeNotice), which of them the notice broke (late
// or overdue against it: "", contract, law or both), and by how much it
// missed the earlier one. A working deadline (policy) is never a deadline
// here. Without either deadline the verdict is no_clause.
func NoticeBreach(contractDue, lawDue *time.Time, notified *time.Time, asOf time.Time) (NoticeStatus, string, *Span) {
	broke := func(due *time.Time) bool {
		if due == nil {
			return false
		}
		s, _ := JudgeNotice(*due, notified, asOf)
		return s.Broke()
	}
	earliest := contractDue
	if lawDue != nil && (earliest == nil || lawDue.Before(*earliest)) {
		earliest = lawDue
	}
	if earliest == nil {
		return NoticeNoClause, "", nil
	}
	status, lateBy := JudgeNotice(*earliest, notified, asOf)
	switch c, l := broke(contractDue), broke(lawDue); {
	case c && l:
		return status, BrokeBoth, lateBy
	case c:
		return status, BrokeContract, lateBy
	case l:
		return status, BrokeLaw, lateBy
	}
	return status, "", lateBy
}
