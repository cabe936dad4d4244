package register

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Residual risk is the inherent score moved by the state of the vendor's
// controls. Each factor adds points (a control missing or failing) or takes
// them off (a control evidenced), within its cap; the score is clamped to
// 0-100 and cut into tiers like the inherent one. The weights, caps,
// cut-offs and the risk appetite are configuration (ResidualConfig, the
// policy file's "residual_risk" section) with the defaults below; they are
// product policy, not regulatory figures.
//
//	evidence       +8 per required attestation requirement not current, at most +16;
//	               -10 when every requirement that applies is current
//	review         never reviewed +15; last outcome rejected +20, approved with
//	               conditions +5; overdue against the cadence +10; approved and
//	               not overdue -10
//	open findings  critical +10, high +5, medium +2, low 0 each, at most +25
//	               (open or acknowledged; risk-accepted ones and
//	               risk.above_appetite itself do not count)
//	clause gaps    +4 per clause requirement no active contract meets, at most +12
//	notices        late +5, overdue +10 per incident discovered in the last
//	               24 months whose vendor notice broke a deadline, at most +20
//
// Tier cut-offs: critical >= 70, high >= 50, moderate >= 25, low below.

// ResidualConfig are the weights, caps, cut-offs and appetite of the
// residual risk.
type ResidualConfig struct {
	Evidence   EvidenceWeights  `json:"evidence"`
	Review     ReviewWeights    `json:"review"`
	Findings   FindingWeights   `json:"findings"`
	ClauseGaps ClauseGapWeights `json:"clause_gaps"`
	Notices    NoticeWeights    `json:"notices"`
	CutOffs    TierCutOffs      `json:"cut_offs"`
	Appetite   map[Tier]Tier    `json:"appetite"`
}

// EvidenceWeights score the required attestations.
type EvidenceWeights struct {
	PerGap     int `json:"per_gap"`     // per requirement whose evidence is missing or expired
	Max        int `json:"max"`         // cap of the gaps' points
	AllCurrent int `json:"all_current"` // points (negative: a credit) when every requirement that applies is current
}

// ReviewWeights score the last due-diligence review.
type ReviewWeights struct {
	Never                  int `json:"never"`
	Overdue                int `json:"overdue"`
	Rejected               int `json:"rejected"`
	ApprovedWithConditions int `json:"approved_with_conditions"`
	ApprovedCurrent        int `json:"approved_current"` // approved and not overdue (negative: a credit)
}

// FindingWeights score the open findings by severity.
type FindingWeights struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Max      int `json:"max"`
}

// ClauseGapWeights score the clause audit of the active contracts.
type ClauseGapWeights struct {
	PerGap int `json:"per_gap"`
	Max    int `json:"max"`
}

// NoticeWeights score the vendor's notification timeliness.
type NoticeWeights struct {
	Late    int `json:"late"`
	Overdue int `json:"overdue"`
	Max     int `json:"max"`
	Months  int `json:"months"` // incidents discovered in the last Months months count
}

// TierCutOffs are the lowest scores of the tiers above low.
type TierCutOffs struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Moderate int `json:"moderate"`
}

// Tier applies the cut-offs to a score.
func (c TierCutOffs) Tier(score int) Tier {
	switch {
	case score >= c.Critical:
		return TierCritical
	case score >= c.High:
		return TierHigh
	case score >= c.Moderate:
		return TierModerate
	default:
		return TierLow
	}
}

// DefaultResidualConfig is the documented default: the weights above, the
// inherent tier cut-offs, and an appetite that accepts a residual of at
// most high for critical and high vendors and at most moderate for the
// others.
func DefaultResidualConfig() ResidualConfig {
	return ResidualConfig{
		Evidence:   EvidenceWeights{PerGap: 8, Max: 16, AllCurrent: -10},
		Review:     ReviewWeights{Never: 15, Overdue: 10, Rejected: 20, ApprovedWithConditions: 5, ApprovedCurrent: -10},
		Findings:   FindingWeights{Critical: 10, High: 5, Medium: 2, Low: 0, Max: 25},
		ClauseGaps: ClauseGapWeights{PerGap: 4, Max: 12},
		Notices:    NoticeWeights{Late: 5, Overdue: 10, Max: 20, Months: 24},
		CutOffs:    TierCutOffs{Critical: cutCritical, High: cutHigh, Moderate: cutModerate},
		Appetite: map[Tier]Tier{TierCritical: TierHigh, TierHigh: TierHigh, TierModerate: TierModerate,
			TierLow: TierModerate},
	}
}

// Validate checks a configuration read from the policy file, naming each
// offending field.
func (c ResidualConfig) Validate() error {
	var fe domain.FieldErrors
	weight := func(field string, v int) {
		if v < -100 || v > 100 {
			fe.Add(field, "must be from -100 to 100")
		}
	}
	nonNeg := func(field string, v int) {
		if v < 0 || v > 100 {
			fe.Add(field, "must be from 0 to 100")
		}
	}
	nonNeg("evidence.per_gap", c.Evidence.PerGap)
	nonNeg("evidence.max", c.Evidence.Max)
	weight("evidence.all_current", c.Evidence.AllCurrent)
	weight("review.never", c.Review.Never)
	weight("review.overdue", c.Review.Overdue)
	weight("review.rejected", c.Review.Rejected)
	weight("review.approved_with_conditions", c.Review.ApprovedWithConditions)
	weight("review.approved_current", c.Review.ApprovedCurrent)
	nonNeg("findings.critical", c.Findings.Critical)
	nonNeg("findings.high", c.Findings.High)
	nonNeg("findings.medium", c.Findings.Medium)
	nonNeg("findings.low", c.Findings.Low)
	nonNeg("findings.max", c.Findings.Max)
	nonNeg("clause_gaps.per_gap", c.ClauseGaps.PerGap)
	nonNeg("clause_gaps.max", c.ClauseGaps.Max)
	nonNeg("notices.late", c.Notices.Late)
	nonNeg("notices.overdue", c.Notices.Overdue)
	nonNeg("notices.max", c.Notices.Max)
	if c.Notices.Months < 1 || c.Notices.Months > 120 {
		fe.Add("notices.months", "must be from 1 to 120")
	}
	if c.CutOffs.Moderate < 1 || c.CutOffs.High <= c.CutOffs.Moderate || c.CutOffs.Critical <= c.CutOffs.High ||
		c.CutOffs.Critical > 100 {
		fe.Add("cut_offs", "must rise from moderate to critical, each from 1 to 100")
	}
	for _, t := range Tiers {
		if a, ok := c.Appetite[t]; !ok || !a.Valid() {
			fe.Add("appetite."+string(t), "must be a tier (critical, high, moderate, low)")
		}
	}
	for t := range c.Appetite {
		if !t.Valid() {
			fe.Add("appetite."+string(t), "is not a tier (critical, high, moderate, low)")
		}
	}
	return fe.Err()
}

// ID identifies the scoring part of the configuration (weights, caps and
// cut-offs, not the appetite): the first 12 hex digits of the SHA-256 of
// its JSON. A score stored with another ID was computed under other
// weights; the next scan recomputes it.
func (c ResidualConfig) ID() string {
	c.Appetite = nil
	js, _ := json.Marshal(c) // plain structs of ints: cannot fail
	sum := sha256.Sum256(js)
	return hex.EncodeToString(sum[:6])
}

// Accepts returns the highest residual tier the appetite accepts for a
// vendor of the (effective) tier, and whether residual is within it.
func (c ResidualConfig) Accepts(tier, residual Tier) (Tier, bool) {
	limit, ok := c.Appetite[tier]
	if !ok {
		limit = TierCritical
	}
	return limit, tierRank(residual) <= tierRank(limit)
}

// tierRank orders tiers: low 1 ... critical 4.
func tierRank(t Tier) int {
	switch t {
	case TierCritical:
		return 4
	case TierHigh:
		return 3
	case TierModerate:
		return 2
	case TierLow:
		return 1
	}
	return 0
}

// ResidualInputs are the state of a vendor's controls, as the scan and the
// risk endpoint gather them.
type ResidualInputs struct {
	Inherent InherentRisk
	Tier     Tier // effective tier: the appetite is by it
	// EvidenceRequired is how many attestation requirements apply;
	// EvidenceGaps names those whose evidence is missing or expired.
	EvidenceRequired int
	EvidenceGaps     []string
	// The last review: zero LastReviewOn when never reviewed.
	LastReviewOn  domain.Date
	ReviewOutcome string // approved, approved_with_conditions, rejected
	NextReviewDue domain.Date
	ReviewOverdue bool
	Open          OpenFindings
	// ClauseRequired is how many clause requirements apply; ClauseGaps
	// names those no active contract meets.
	ClauseRequired int
	ClauseGaps     []string
	// LateNotices and OverdueNotices count the incidents discovered in the
	// notices window whose vendor notice was late or is overdue.
	LateNotices    int
	OverdueNotices int
}

// ResidualRisk is the computed residual score and tier with their factors
// and the configuration that produced them.
type ResidualRisk struct {
	Score         int          `json:"score"`
	Tier          Tier         `json:"tier"`
	InherentScore int          `json:"inherent_score"`
	Factors       []RiskFactor `json:"factors"`
	Config        string       `json:"config"`
	// Appetite is the highest residual tier accepted for the vendor's
	// effective tier; AboveAppetite says the residual tier is higher.
	Appetite      Tier `json:"appetite"`
	AboveAppetite bool `json:"above_appetite"`
}

// StoredResidual is the residual risk the scan last stored on the vendor.
type StoredResidual struct {
	Score      int       `json:"score"`
	Tier       Tier      `json:"tier"`
	ComputedAt time.Time `json:"computed_at"`
	Config     string    `json:"config"`
}

// Worsening returns the factors that add points, in order: what put a
// vendor above its appetite.
func (r ResidualRisk) Worsening() []RiskFactor {
	var out []RiskFactor
	for _, f := range r.Factors {
		if f.Points > 0 {
			out = append(out, f)
		}
	}
	return out
}

// ComputeResidualRisk scores a vendor's controls under c.
func ComputeResidualRisk(in ResidualInputs, c ResidualConfig) ResidualRisk {
	return NewResidualScorer(c).Score(in)
}

// ResidualScorer scores vendors' controls under one configuration, whose
// ID it computes once (the scan scores every vendor in service).
type ResidualScorer struct {
	config ResidualConfig
	id     string
}

// NewResidualScorer returns the scorer of c.
func NewResidualScorer(c ResidualConfig) ResidualScorer {
	return ResidualScorer{config: c, id: c.ID()}
}

// Score scores a vendor's controls: ComputeResidualRisk.
func (s ResidualScorer) Score(in ResidualInputs) ResidualRisk {
	c := s.config
	factors := []RiskFactor{
		evidenceFactor(in, c.Evidence),
		reviewFactor(in, c.Review),
		findingsFactor(in.Open, c.Findings),
		clauseFactor(in, c.ClauseGaps),
		noticesFactor(in, c.Notices),
	}
	score := in.Inherent.Score
	for _, f := range factors {
		score += f.Points
	}
	score = max(0, min(100, score))
	tier := c.CutOffs.Tier(score)
	limit, ok := c.Accepts(in.Tier, tier)
	return ResidualRisk{Score: score, Tier: tier, InherentScore: in.Inherent.Score, Factors: factors, Config: s.id,
		Appetite: limit, AboveAppetite: !ok}
}

func evidenceFactor(in ResidualInputs, w EvidenceWeights) RiskFactor {
	f := RiskFactor{Factor: "evidence", MaxPoints: w.Max}
	gaps := len(in.EvidenceGaps)
	switch {
	case in.EvidenceRequired == 0:
		f.Value = "none required"
		f.Explanation = "no attestation requirement applies to the vendor's data or tier: no points"
	case gaps == 0:
		f.Value = fmt.Sprintf("%d of %d current", in.EvidenceRequired, in.EvidenceRequired)
		f.Points = w.AllCurrent
		f.Explanation = fmt.Sprintf("every required attestation is current (%s): %+d",
			domain.Count(in.EvidenceRequired, "requirement", "requirements"), w.AllCurrent)
	default:
		f.Value = fmt.Sprintf("%d of %d not current", gaps, in.EvidenceRequired)
		f.Points = min(gaps*w.PerGap, w.Max)
		f.Explanation = fmt.Sprintf("%s without current evidence (%s): %+d each, at most %+d",
			domain.Count(gaps, "required attestation", "required attestations"), strings.Join(in.EvidenceGaps, ", "),
			w.PerGap, w.Max)
	}
	return f
}

func reviewFactor(in ResidualInputs, w ReviewWeights) RiskFactor {
	f := RiskFactor{Factor: "review", MaxPoints: max(w.Never, w.Rejected+w.Overdue, w.ApprovedWithConditions+w.Overdue)}
	if in.LastReviewOn.IsZero() {
		f.Value, f.Points = "never reviewed", w.Never
		f.Explanation = fmt.Sprintf("no due-diligence review recorded: %+d", w.Never)
		return f
	}
	f.Value = in.ReviewOutcome
	var parts []string
	switch in.ReviewOutcome {
	case "rejected":
		f.Points += w.Rejected
		parts = append(parts, fmt.Sprintf("the last review (%s) rejected the vendor: %+d", in.LastReviewOn, w.Rejected))
	case "approved_with_conditions":
		f.Points += w.ApprovedWithConditions
		parts = append(parts, fmt.Sprintf("the last review (%s) approved with conditions: %+d", in.LastReviewOn, w.ApprovedWithConditions))
	case "approved":
		if !in.ReviewOverdue {
			f.Points += w.ApprovedCurrent
			parts = append(parts, fmt.Sprintf("the last review (%s) approved the vendor and the next is due %s: %+d",
				in.LastReviewOn, in.NextReviewDue, w.ApprovedCurrent))
		} else {
			parts = append(parts, fmt.Sprintf("the last review (%s) approved the vendor", in.LastReviewOn))
		}
	}
	if in.ReviewOverdue {
		f.Value += ", overdue"
		f.Points += w.Overdue
		parts = append(parts, fmt.Sprintf("the next review was due %s and is overdue: %+d", in.NextReviewDue, w.Overdue))
	}
	f.Explanation = strings.Join(parts, "; ")
	return f
}

func findingsFactor(o OpenFindings, w FindingWeights) RiskFactor {
	f := RiskFactor{Factor: "open_findings", MaxPoints: w.Max,
		Value: fmt.Sprintf("%d critical, %d high, %d medium, %d low", o.Critical, o.High, o.Medium, o.Low)}
	raw := o.Critical*w.Critical + o.High*w.High + o.Medium*w.Medium + o.Low*w.Low
	f.Points = min(raw, w.Max)
	total := o.Critical + o.High + o.Medium + o.Low
	if total == 0 {
		f.Explanation = "no open finding: no points"
		return f
	}
	f.Explanation = fmt.Sprintf("%s (critical %+d, high %+d, medium %+d, low %+d each, at most %+d)",
		domain.Count(total, "open finding", "open findings"), w.Critical, w.High, w.Medium, w.Low, w.Max)
	return f
}

func clauseFactor(in ResidualInputs, w ClauseGapWeights) RiskFactor {
	f := RiskFactor{Factor: "clause_gaps", MaxPoints: w.Max}
	gaps := len(in.ClauseGaps)
	switch {
	case in.ClauseRequired == 0:
		f.Value, f.Explanation = "none required", "no clause requirement applies to the vendor's data: no points"
	case gaps == 0:
		f.Value = fmt.Sprintf("%d of %d met", in.ClauseRequired, in.ClauseRequired)
		f.Explanation = "the active contracts meet every clause requirement that applies: no points"
	default:
		f.Value = fmt.Sprintf("%d of %d not met", gaps, in.ClauseRequired)
		f.Points = min(gaps*w.PerGap, w.Max)
		f.Explanation = fmt.Sprintf("%s that no active contract meets (%s): %+d each, at most %+d",
			domain.Count(gaps, "clause requirement", "clause requirements"), strings.Join(in.ClauseGaps, ", "), w.PerGap, w.Max)
	}
	return f
}

func noticesFactor(in ResidualInputs, w NoticeWeights) RiskFactor {
	f := RiskFactor{Factor: "notification_timeliness", MaxPoints: w.Max,
		Value: fmt.Sprintf("%d late, %d overdue", in.LateNotices, in.OverdueNotices)}
	if in.LateNotices+in.OverdueNotices == 0 {
		f.Explanation = fmt.Sprintf("no late or overdue vendor notice of an incident discovered in the last %s: no points",
			domain.Count(w.Months, "month", "months"))
		return f
	}
	f.Points = min(in.LateNotices*w.Late+in.OverdueNotices*w.Overdue, w.Max)
	f.Explanation = fmt.Sprintf("of the incidents discovered in the last %s, the vendor notified us late of %s and has not "+
		"notified us of %s past a deadline (late %+d, overdue %+d each, at most %+d)",
		domain.Count(w.Months, "month", "months"), domain.Count(in.LateNotices, "incident", "incidents"),
		domain.Count(in.OverdueNotices, "incident", "incidents"), w.Late, w.Overdue, w.Max)
	return f
}
