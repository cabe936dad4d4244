package incident

import (
	"context"
	"slices"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// BlastRadius is everything an incident touches, in one answer: what the
// vendor holds, which contracts and clauses apply, and every deadline now
// running, soonest first.
type BlastRadius struct {
	Incident  IncidentView
	Vendor    register.Vendor
	Handling  []register.DataHandling
	Contracts []ContractClauses
	Deadlines []RunningDeadline
}

// ContractClauses is a vendor contract with its clause now and at the
// vendor's discovery.
type ContractClauses struct {
	Contract          contract.Contract
	ClauseNow         *contract.ClauseVersion
	ClauseAtDiscovery *contract.ClauseVersion
}

// RunningDeadline is one deadline on the incident: the vendor's notice to
// us, or one of our obligations.
type RunningDeadline struct {
	Kind      string     `json:"kind"` // vendor_notice (the contract\'s), vendor_notice_law (the law\'s) or obligation
	Title     string     `json:"title"`
	Recipient string     `json:"recipient"`
	DueAt     *time.Time `json:"due_at"` // nil: no number (words only) or not started
	// WorkingDueAt is the working deadline of a words-only duty (policy,
	// not law).
	WorkingDueAt *time.Time `json:"working_due_at,omitempty"`
	DeadlineText string     `json:"deadline_text"`
	Status       string     `json:"status"`
	Overdue      bool       `json:"overdue"`
	ObligationID string     `json:"obligation_id,omitempty"`
	Citation     string     `json:"citation,omitempty"`
	SourceStatus string     `json:"source_status,omitempty"`
}

// BlastRadius gathers an incident's reach.
func (s *IncidentService) BlastRadius(ctx context.Context, id string) (BlastRadius, error) {
	view, err := s.Get(ctx, id)
	if err != nil {
		return BlastRadius{}, err
	}
	b := BlastRadius{Incident: view}
	if b.Vendor, err = s.Vendors.Get(ctx, view.VendorID); err != nil {
		return BlastRadius{}, err
	}
	if b.Handling, err = s.Handling.ListByVendor(ctx, view.VendorID); err != nil {
		return BlastRadius{}, err
	}
	contracts, err := s.Contracts.ListByVendor(ctx, view.VendorID)
	if err != nil {
		return BlastRadius{}, err
	}
	cands, err := s.Clauses.ByVendor(ctx, view.VendorID)
	if err != nil {
		return BlastRadius{}, err
	}
	now := s.Clock.Now()
	for _, c := range contracts {
		cc := ContractClauses{Contract: c}
		for _, cand := range cands {
			if cand.ContractID != c.ID {
				continue
			}
			v := cand.Clause
			if v.InForceAt(now) {
				cc.ClauseNow = &v
			}
			if v.InForceAt(view.VendorDiscoveredAt) {
				cc.ClauseAtDiscovery = &v
			}
		}
		b.Contracts = append(b.Contracts, cc)
	}
	n := view.Notice
	if n.DueAt != nil && (n.Status == NoticePending || n.Status == NoticeOverdue) {
		b.Deadlines = append(b.Deadlines, RunningDeadline{Kind: "vendor_notice", Title: "Vendor's breach notice to us",
			Recipient: "us", DueAt: n.DueAt, DeadlineText: n.WindowText, Status: string(n.Status), Overdue: n.Status == NoticeOverdue})
	}
	if due := n.LawDueAt; due != nil {
		if st, _ := JudgeNotice(*due, view.VendorNotifiedUsAt, now); st == NoticePending || st == NoticeOverdue {
			r, _ := s.Catalogue.Regime(n.LawRegimeID)
			b.Deadlines = append(b.Deadlines, RunningDeadline{Kind: "vendor_notice_law", Title: "Vendor's notice to us, by law",
				Recipient: "us", DueAt: due, DeadlineText: r.DeadlineText(), Status: string(st), Overdue: st == NoticeOverdue,
				Citation: r.Citation, SourceStatus: r.Status})
		}
	}
	obligations, err := s.Obligations.ListByIncident(ctx, id)
	if err != nil {
		return BlastRadius{}, err
	}
	sortObligations(obligations)
	for _, o := range obligations {
		if o.Status != ObligationOpen {
			continue
		}
		title := o.Title
		if title == "" { // stored before obligations had titles
			title = o.Regime + ": notify " + o.Recipient
		}
		b.Deadlines = append(b.Deadlines, RunningDeadline{Kind: "obligation", Title: title, WorkingDueAt: o.WorkingDueAt,
			Recipient: o.Recipient, DueAt: o.DueAt, DeadlineText: o.DeadlineText, Status: string(o.Status),
			Overdue: o.DueAt != nil && o.DueAt.Before(now), ObligationID: o.ID, Citation: o.Citation, SourceStatus: o.SourceStatus})
	}
	// Soonest first; deadlines without a due instant last.
	slices.SortStableFunc(b.Deadlines, func(x, y RunningDeadline) int {
		switch {
		case x.DueAt != nil && y.DueAt != nil:
			return x.DueAt.Compare(*y.DueAt)
		case x.DueAt != nil:
			return -1
		case y.DueAt != nil:
			return 1
		}
		return 0
	})
	return b, nil
}
