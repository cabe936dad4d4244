package register

import (
	"math"
	"strconv"
)

// Tier is a vendor's inherent risk tier.
type Tier string

// Tiers, highest first.
const (
	TierCritical Tier = "critical"
	TierHigh     Tier = "high"
	TierModerate Tier = "moderate"
	TierLow      Tier = "low"
)

// Tiers lists the tiers, highest first.
var Tiers = []Tier{TierCritical, TierHigh, TierModerate, TierLow}

// Valid reports whether t is a known tier.
func (t Tier) Valid() bool {
	switch t {
	case TierCritical, TierHigh, TierModerate, TierLow:
		return true
	}
	return false
}

// Risk model constants. The score is the sum of three factors, 0-100:
//
//	data sensitivity  0-40  (highest sensitivity handled, 1-4) x 10
//	record volume     0-30  log10(largest record count) x 3.75, capped at 10^8 records
//	criticality       0-30  low 0, moderate 10, high 20, critical 30
//
// Tier cut-offs: critical >= 70, high >= 50, moderate >= 25, low below.
// The cut-offs and weights are product policy (documented in the README),
// not regulatory figures.
const (
	pointsPerSensitivity = 10.0
	volumeMaxPoints      = 30.0
	volumeMaxLog10       = 8.0
	cutCritical          = 70
	cutHigh              = 50
	cutModerate          = 25
)

var criticalityPoints = map[Criticality]int{
	CriticalityLow: 0, CriticalityModerate: 10, CriticalityHigh: 20, CriticalityCritical: 30,
}

// RiskInputs are the facts the inherent risk is computed from.
type RiskInputs struct {
	MaxSensitivity int         // highest sensitivity of the data handled, 0 if none
	MaxRecords     int64       // largest record count of any category handled
	Criticality    Criticality // business criticality
}

// RiskFactor is one explained contribution to the score.
type RiskFactor struct {
	Factor      string `json:"factor"`
	Value       string `json:"value"`
	Points      int    `json:"points"`
	MaxPoints   int    `json:"max_points"`
	Explanation string `json:"explanation"`
}

// InherentRisk is the computed score and tier with their factors.
type InherentRisk struct {
	Score   int          `json:"score"`
	Tier    Tier         `json:"tier"`
	Factors []RiskFactor `json:"factors"`
}

// ComputeInherentRisk scores a vendor from its data and criticality.
func ComputeInherentRisk(in RiskInputs) InherentRisk {
	sens := int(math.Round(float64(in.MaxSensitivity) * pointsPerSensitivity))
	vol := 0
	if in.MaxRecords > 0 {
		l := math.Min(math.Log10(float64(in.MaxRecords)), volumeMaxLog10)
		vol = int(math.Round(l / volumeMaxLog10 * volumeMaxPoints))
	}
	crit := criticalityPoints[in.Criticality]
	score := sens + vol + crit
	return InherentRisk{
		Score: score,
		Tier:  TierForScore(score),
		Factors: []RiskFactor{
			{"data_sensitivity", strconv.Itoa(in.MaxSensitivity), sens, 40,
				"highest sensitivity (1-4) of the data categories handled, 10 points each"},
			{"record_volume", strconv.FormatInt(in.MaxRecords, 10), vol, 30,
				"log10 of the largest record count handled, 30 points at 100 million records"},
			{"criticality", string(in.Criticality), crit, 30,
				"business criticality: low 0, moderate 10, high 20, critical 30"},
		},
	}
}

// TierForScore applies the tier cut-offs to a 0-100 score.
func TierForScore(score int) Tier {
	switch {
	case score >= cutCritical:
		return TierCritical
	case score >= cutHigh:
		return TierHigh
	case score >= cutModerate:
		return TierModerate
	default:
		return TierLow
	}
}
