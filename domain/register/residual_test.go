package register_test

import (
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// baseline is a moderate vendor (inherent 40) whose controls are neutral:
// nothing required, reviewed with conditions (+5) and not overdue, nothing
// open, no incidents. Its residual is 45.
func baseline() register.ResidualInputs {
	return register.ResidualInputs{
		Inherent:     register.InherentRisk{Score: 40, Tier: register.TierModerate},
		Tier:         register.TierModerate,
		LastReviewOn: domain.NewDate(2026, 1, 10), ReviewOutcome: "approved_with_conditions",
		NextReviewDue: domain.NewDate(2028, 1, 10),
	}
}

func factor(r register.ResidualRisk, name string) register.RiskFactor {
	for _, f := range r.Factors {
		if f.Factor == name {
			return f
		}
	}
	return register.RiskFactor{}
}

func TestResidualFactorsMoveTheScore(t *testing.T) {
	cfg := register.DefaultResidualConfig()
	base := register.ComputeResidualRisk(baseline(), cfg)
	if base.Score != 45 || base.Tier != register.TierModerate || base.AboveAppetite || len(base.Factors) != 5 {
		t.Fatalf("baseline = %+v", base)
	}
	for _, c := range []struct {
		name   string
		factor string
		change func(*register.ResidualInputs)
		delta  int
	}{
		// Evidence: a gap adds, every requirement current takes off; the
		// cap holds at two gaps.
		{"evidence current", "evidence", func(in *register.ResidualInputs) { in.EvidenceRequired = 2 }, -10},
		{"evidence one gap", "evidence", func(in *register.ResidualInputs) {
			in.EvidenceRequired, in.EvidenceGaps = 2, []string{"soc2"}
		}, +8},
		{"evidence capped", "evidence", func(in *register.ResidualInputs) {
			in.EvidenceRequired, in.EvidenceGaps = 3, []string{"a", "b", "c"}
		}, +16},
		// Review: never, rejected, approved and current, overdue.
		{"never reviewed", "review", func(in *register.ResidualInputs) { in.LastReviewOn = domain.Date{} }, +15 - 5},
		{"rejected", "review", func(in *register.ResidualInputs) { in.ReviewOutcome = "rejected" }, +20 - 5},
		{"approved current", "review", func(in *register.ResidualInputs) { in.ReviewOutcome = "approved" }, -10 - 5},
		{"approved overdue", "review", func(in *register.ResidualInputs) {
			in.ReviewOutcome, in.ReviewOverdue = "approved", true
		}, +10 - 5},
		{"conditions overdue", "review", func(in *register.ResidualInputs) { in.ReviewOverdue = true }, +10},
		// Open findings by severity, capped at 25.
		{"one critical", "open_findings", func(in *register.ResidualInputs) { in.Open.Critical = 1 }, +10},
		{"one high one medium", "open_findings", func(in *register.ResidualInputs) { in.Open.High, in.Open.Medium = 1, 1 }, +7},
		{"lows weigh nothing", "open_findings", func(in *register.ResidualInputs) { in.Open.Low = 9 }, 0},
		{"findings capped", "open_findings", func(in *register.ResidualInputs) { in.Open.Critical = 4 }, +25},
		// Clause gaps.
		{"clauses met", "clause_gaps", func(in *register.ResidualInputs) { in.ClauseRequired = 3 }, 0},
		{"one clause gap", "clause_gaps", func(in *register.ResidualInputs) {
			in.ClauseRequired, in.ClauseGaps = 3, []string{"dpa"}
		}, +4},
		{"clause gaps capped", "clause_gaps", func(in *register.ResidualInputs) {
			in.ClauseRequired, in.ClauseGaps = 4, []string{"a", "b", "c", "d"}
		}, +12},
		// Notices.
		{"late notice", "notification_timeliness", func(in *register.ResidualInputs) { in.LateNotices = 1 }, +5},
		{"overdue notice", "notification_timeliness", func(in *register.ResidualInputs) { in.OverdueNotices = 1 }, +10},
		{"notices capped", "notification_timeliness", func(in *register.ResidualInputs) { in.OverdueNotices = 3 }, +20},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := baseline()
			c.change(&in)
			got := register.ComputeResidualRisk(in, cfg)
			if got.Score-base.Score != c.delta {
				t.Errorf("score %d, baseline %d: moved %+d, want %+d (%+v)", got.Score, base.Score, got.Score-base.Score, c.delta, got.Factors)
			}
			if f := factor(got, c.factor); f.Explanation == "" || f.Value == "" || f.MaxPoints <= 0 {
				t.Errorf("factor %s = %+v", c.factor, f)
			}
		})
	}
}

func TestResidualScoreClampsAndTiers(t *testing.T) {
	cfg := register.DefaultResidualConfig()
	in := baseline()
	in.Inherent.Score, in.Open.Critical, in.OverdueNotices, in.LastReviewOn = 95, 3, 2, domain.Date{}
	if r := register.ComputeResidualRisk(in, cfg); r.Score != 100 || r.Tier != register.TierCritical || !r.AboveAppetite ||
		r.Appetite != register.TierModerate {
		t.Errorf("worst case = %+v", r)
	}
	in = baseline()
	in.Inherent.Score, in.ReviewOutcome, in.EvidenceRequired = 5, "approved", 1
	if r := register.ComputeResidualRisk(in, cfg); r.Score != 0 || r.Tier != register.TierLow || r.AboveAppetite {
		t.Errorf("best case = %+v", r)
	}
	// The cut-offs: 69 high, 70 critical; 24 low, 25 moderate.
	for score, want := range map[int]register.Tier{69: register.TierHigh, 70: register.TierCritical, 24: register.TierLow,
		25: register.TierModerate, 49: register.TierModerate, 50: register.TierHigh} {
		if got := cfg.CutOffs.Tier(score); got != want {
			t.Errorf("tier of %d = %s, want %s", score, got, want)
		}
	}
}

func TestResidualAppetite(t *testing.T) {
	cfg := register.DefaultResidualConfig()
	for _, c := range []struct {
		tier, residual register.Tier
		above          bool
	}{
		{register.TierCritical, register.TierCritical, true},
		{register.TierCritical, register.TierHigh, false},
		{register.TierHigh, register.TierHigh, false},
		{register.TierModerate, register.TierHigh, true},
		{register.TierModerate, register.TierModerate, false},
		{register.TierLow, register.TierModerate, false},
		{register.TierLow, register.TierHigh, true},
	} {
		if _, ok := cfg.Accepts(c.tier, c.residual); ok == c.above {
			t.Errorf("%s vendor with residual %s: within appetite %v, want %v", c.tier, c.residual, ok, !c.above)
		}
	}
	// A moderate vendor pushed to high residual is above appetite, and the
	// worsening factors say why.
	in := baseline()
	in.Open.Critical = 1
	r := register.ComputeResidualRisk(in, cfg)
	if r.Tier != register.TierHigh || !r.AboveAppetite || len(r.Worsening()) != 2 {
		t.Errorf("moderate vendor with a critical finding = %+v", r)
	}
}

func TestResidualConfig(t *testing.T) {
	cfg := register.DefaultResidualConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	id := cfg.ID()
	if len(id) != 12 {
		t.Errorf("config id %q", id)
	}
	// The appetite is not part of the scoring id; a weight is.
	other := register.DefaultResidualConfig()
	other.Appetite[register.TierLow] = register.TierLow
	if other.ID() != id {
		t.Error("the appetite changed the scoring configuration's id")
	}
	other.Findings.High = 6
	if other.ID() == id {
		t.Error("a weight did not change the configuration's id")
	}
	bad := register.DefaultResidualConfig()
	bad.CutOffs.High = 80
	bad.Notices.Months = 0
	bad.Appetite[register.TierHigh] = "severe"
	err := bad.Validate()
	for _, field := range []string{"cut_offs", "notices.months", "appetite.high"} {
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("Validate = %v, want it to name %s", err, field)
		}
	}
}
