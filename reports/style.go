package reports

import (
	"fmt"
	"math"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Severity is one step of the severity palette: the tiers of risk
// (critical, high, moderate, low) and the severities of findings
// (critical, high, medium, low) share it.
type Severity struct {
	Name  string // as stored: "critical", "moderate", "medium"
	Label string // as shown: "Critical"
	Fill  string // RGB of the bars, markers and cell fills
	Font  string // RGB of text on Fill
}

// Palette is the one severity palette of both workbooks: critical red,
// high orange, medium (moderate) amber, low grey. Charts and cells take
// their colours from here and nowhere else.
var Palette = []Severity{
	{Name: "critical", Label: "Critical", Fill: "C00000", Font: "FFFFFF"},
	{Name: "high", Label: "High", Fill: "ED7D31", Font: "000000"},
	{Name: "moderate", Label: "Moderate", Fill: "FFC000", Font: "000000"},
	{Name: "medium", Label: "Medium", Fill: "FFC000", Font: "000000"},
	{Name: "low", Label: "Low", Fill: "A6A6A6", Font: "000000"},
}

// SeverityOf returns the palette entry of a tier or finding severity.
func SeverityOf(name string) (Severity, bool) {
	for _, s := range Palette {
		if s.Name == name {
			return s, true
		}
	}
	return Severity{}, false
}

// fill is an excelize solid fill of colour rgb.
func fill(rgb string) excelize.Fill {
	return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{rgb}}
}

// Neutral colours of the workbooks.
const (
	headerFill = "1F4E78" // header rows, white bold text
	lateFill   = "FFC7CE" // a late or overdue row; text lateFont
	lateFont   = "9C0006"
	soonFill   = "FFEB9C" // due soon; text soonFont
	soonFont   = "7F4F00"
)

// labels turn stored codes into the words a reader expects. The code
// keeps its own column where people filter on it (rule, regime ID).
var labels = map[string]string{
	// notice status
	"on_time": "on time", "no_clause": "no clause in force", "pending": "pending (window open)",
	// how we learned of an incident
	"vendor_notice": "vendor notice", "law_enforcement": "law enforcement",
	// findings, attestations, reviews, clause audit
	"risk_accepted": "risk accepted", "false_positive": "false positive", "too_weak": "too weak",
	"soc2_type1": "SOC 2 Type I", "soc2_type2": "SOC 2 Type II", "soc1_type2": "SOC 1 Type II", "iso27001": "ISO 27001",
	"pci_dss_aoc": "PCI DSS attestation of compliance", "hitrust_r2": "HITRUST r2", "pentest": "penetration test",
	"sig": "SIG questionnaire", "caiq": "CAIQ questionnaire", "insurance_certificate": "insurance certificate",
	// contract clauses
	"without_undue_delay": "without undue delay", "most_expedient": "most expedient time", "reasonable_belief": "reasonable belief",

	// recipients of the regimes (shared/reference/regimes.json spells them as codes)
	"Amex_EIRP":                            "American Express (EIRP)",
	"Visa_via_acquirer":                    "Visa, through the acquirer",
	"Visa_and_acquirer":                    "Visa and the acquirer",
	"brands_entity_acquirer":               "the card brands, the entity and its acquirer",
	"SEC_public":                           "SEC (public filing)",
	"OAIC_then_individuals":                "OAIC, then the individuals",
	"Dept_of_Legal_Affairs":                "Department of Legal Affairs",
	"individuals_and_FTC":                  "the individuals and the FTC",
	"patient_and_CDPH":                     "the patient and CDPH",
	"(internal assessment)":                "internal assessment",
	"Privacy_Commissioner_and_individuals": "the Privacy Commissioner and the individuals",
}

// brokenLabels say which deadline a vendor notice broke
// (incident.NoticeBreach's Broken).
var brokenLabels = map[string]string{"contract": "contract window", "law": "legal deadline", "both": "contract and legal deadline"}

// brokenLabel is the words for which deadline a notice broke.
func brokenLabel(b string) string {
	if l, ok := brokenLabels[b]; ok {
		return l
	}
	return label(b)
}

// regimeNames spell out the regimes whose catalogue name is an acronym.
var regimeNames = map[string]string{
	"Mastercard ADC": "Mastercard Account Data Compromise",
	"Visa WTDIC":     "Visa What To Do If Compromised",
	"Amex DSOP":      "American Express Data Security Operating Policy",
	"AU NDB":         "Australian Notifiable Data Breaches scheme",
	"FTC HBNR":       "FTC Health Breach Notification Rule",
}

// label is the words for a stored code: its entry in labels, else the
// code with underscores as spaces.
func label(code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	return strings.ReplaceAll(code, "_", " ")
}

// regimeLabel spells out a regime's name ("Mastercard ADC" reads
// "Mastercard Account Data Compromise").
func regimeLabel(name string) string {
	parts := strings.Split(name, "; ")
	for i, p := range parts {
		if l, ok := regimeNames[p]; ok {
			parts[i] = l
		}
	}
	return strings.Join(parts, "; ")
}

// durationText is a duration in words: hours under two days, whole days
// under a year, then years and days ("1 year 102 days").
func durationText(days float64) string {
	if days < 0 {
		days = -days
	}
	if days < 2 {
		return domain.Count(int64(math.Round(days*24)), "hour", "hours")
	}
	d := int64(math.Floor(days))
	if d < 365 {
		return domain.Count(d, "day", "days")
	}
	y, rest := d/365, d%365
	if rest == 0 {
		return domain.Count(y, "year", "years")
	}
	return fmt.Sprintf("%s %s", domain.Count(y, "year", "years"), domain.Count(rest, "day", "days"))
}
