package dora

import (
	"regexp"
	"slices"
)

// The closed lists of the register, keyed by the short value Vendorwatch
// stores, to the QName the taxonomy expects in the CSV. Source: the EBA's
// list of possible values as transcribed in intuitem/ciso-assistant-community
// documentation/dora-roi-specification.md (Appendix A), the source named in
// shared/reference/regulatory-facts.md §6; identifier types (eba_qCO) and the
// "not applicable" country from the EBA DORA 4.0 validation rules (v8817_m,
// v8821_m).

// ClosedList maps the stored values of one list to their QNames.
type ClosedList struct {
	Name   string // the EBA list, e.g. LIST0201020
	values []string
	qnames map[string]string
}

func newList(name string, pairs ...string) ClosedList {
	l := ClosedList{Name: name, qnames: map[string]string{}}
	for i := 0; i+1 < len(pairs); i += 2 {
		l.values = append(l.values, pairs[i])
		l.qnames[pairs[i]] = pairs[i+1]
	}
	return l
}

// Valid reports whether v is one of the list's values.
func (l ClosedList) Valid(v string) bool { _, ok := l.qnames[v]; return ok }

// Values are the list's stored values, in the EBA's order.
func (l ClosedList) Values() []string { return slices.Clone(l.values) }

// QName is the taxonomy's QName of v ("" for "" or an unknown value).
func (l ClosedList) QName(v string) string { return l.qnames[v] }

// The lists.
var (
	// ArrangementTypes is LIST0201020 (B_02.01.0020).
	ArrangementTypes = newList("LIST0201020",
		"standalone", "eba_CO:x1", "overarching", "eba_CO:x2", "subsequent", "eba_CO:x3")
	// TerminationReasons is LIST0202090 (B_02.02.0090).
	TerminationReasons = newList("LIST0202090",
		"expired_not_renewed", "eba_CO:x4", "provider_breach", "eba_CO:x5", "provider_impediments", "eba_CO:x6",
		"provider_data_weakness", "eba_CO:x7", "authority_request", "eba_CO:x8", "other", "eba_CO:x9")
	// Sensitivities is LIST0202170 (B_02.02.0170).
	Sensitivities = newList("LIST0202170", "low", "eba_ZZ:x791", "medium", "eba_ZZ:x792", "high", "eba_ZZ:x793")
	// Reliances is LIST0202180 (B_02.02.0180).
	Reliances = newList("LIST0202180", "not_significant", "eba_ZZ:x794", "low", "eba_ZZ:x795",
		"material", "eba_ZZ:x796", "full", "eba_ZZ:x797")
	// PersonTypes is LIST0501040 (B_05.01.0070).
	PersonTypes = newList("LIST0501040", "legal", "eba_CT:x212", "individual", "eba_CT:x213")
	// Assessments is LIST0601050 (B_06.01.0050, B_07.01.0110).
	Assessments = newList("LIST0601050", "yes", "eba_BT:x28", "no", "eba_BT:x29", "not_assessed", "eba_BT:x21")
	// Impacts is LIST0601100 (B_06.01.0100, B_07.01.0100).
	Impacts = newList("LIST0601100", "low", "eba_ZZ:x791", "medium", "eba_ZZ:x792", "high", "eba_ZZ:x793",
		"not_assessed", "eba_ZZ:x799")
	// Substitutabilities is LIST0701050 (B_07.01.0050).
	Substitutabilities = newList("LIST0701050", "not_substitutable", "eba_ZZ:x959", "highly_complex", "eba_ZZ:x960",
		"medium", "eba_ZZ:x961", "easy", "eba_ZZ:x962")
	// NotSubstitutableReasons is LIST0701060 (B_07.01.0060).
	NotSubstitutableReasons = newList("LIST0701060", "no_alternatives", "eba_ZZ:x963",
		"migration_difficulties", "eba_ZZ:x964", "both", "eba_ZZ:x965")
	// Reintegrations is LIST0701090 (B_07.01.0090).
	Reintegrations = newList("LIST0701090", "easy", "eba_ZZ:x798", "difficult", "eba_ZZ:x966",
		"highly_complex", "eba_ZZ:x967")
	// Hierarchies is LIST0102050 (B_01.02.0050).
	Hierarchies = newList("LIST0102050", "ultimate_parent", "eba_RP:x53", "parent", "eba_RP:x551",
		"subsidiary", "eba_RP:x56", "outside_group", "eba_RP:x21", "outsourcing", "eba_RP:x210")
	// EntityTypes is LIST0101040 (B_01.01.0040, B_01.02.0040); the stored
	// value is the QName's code.
	EntityTypes = newList("LIST0101040",
		"x12", "eba_CT:x12", "x599", "eba_CT:x599", "x643", "eba_CT:x643", "x639", "eba_CT:x639",
		"x301", "eba_CT:x301", "x302", "eba_CT:x302", "x303", "eba_CT:x303", "x304", "eba_CT:x304",
		"x305", "eba_CT:x305", "x306", "eba_CT:x306", "x300", "eba_CT:x300", "x316", "eba_CT:x316",
		"x315", "eba_CT:x315", "x314", "eba_CT:x314", "x313", "eba_CT:x313", "x312", "eba_CT:x312",
		"x311", "eba_CT:x311", "x320", "eba_CT:x320", "x309", "eba_CT:x309", "x308", "eba_CT:x308",
		"x307", "eba_CT:x307", "x318", "eba_CT:x318", "x317", "eba_CT:x317", "x310", "eba_CT:x310")
	// ServiceTypes is LISTANNEXIII, the ICT services S01 to S19 (B_02.02.0060,
	// B_05.02.0020, B_07.01.0040).
	ServiceTypes = newList("LISTANNEXIII",
		"S01", "eba_TA:S01", "S02", "eba_TA:S02", "S03", "eba_TA:S03", "S04", "eba_TA:S04", "S05", "eba_TA:S05",
		"S06", "eba_TA:S06", "S07", "eba_TA:S07", "S08", "eba_TA:S08", "S09", "eba_TA:S09", "S10", "eba_TA:S10",
		"S11", "eba_TA:S11", "S12", "eba_TA:S12", "S13", "eba_TA:S13", "S14", "eba_TA:S14", "S15", "eba_TA:S15",
		"S16", "eba_TA:S16", "S17", "eba_TA:S17", "S18", "eba_TA:S18", "S19", "eba_TA:S19")
	// IdentifierTypes is the type of code of a provider (B_02.02.0040,
	// B_05.01.0020...): an LEI or an EUID, the two a supervisor accepts for a
	// legal person (v8817_m).
	IdentifierTypes = newList("LISTIDTYPE", "LEI", "eba_qCO:qx2000", "EUID", "eba_qCO:qx2002")
	// Natures is LIST0401030 (B_04.01.0030).
	Natures = newList("LIST0401030", "branch", "eba_ZZ:x838", "not_branch", "eba_ZZ:x839")
)

// Yes and No are LISTBINARY (B_02.02.0140, B_07.01.0080).
const (
	Yes = "eba_BT:x28"
	No  = "eba_BT:x29"
)

// licensedActivity is the form of a LIST0601020 QName (B_06.01.0020): the
// list has 128 entries, checked by form only.
var licensedActivity = regexp.MustCompile(`^eba_TA:x[0-9]{1,4}$`)

// ValidLicensedActivity reports whether q has the form of a licensed
// activity's QName (eba_TA:xNNN).
func ValidLicensedActivity(q string) bool { return licensedActivity.MatchString(q) }

// Country is the QName of an ISO 3166-1 alpha-2 country ("" for "").
func Country(cc string) string {
	if cc == "" {
		return ""
	}
	return "eba_GA:" + cc
}

// Currency is the QName of an ISO 4217 currency ("" for "").
func Currency(c string) string {
	if c == "" {
		return ""
	}
	return "eba_CU:" + c
}

// Binary is LISTBINARY's QName of b ("" when unknown).
func Binary(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return Yes
	default:
		return No
	}
}
