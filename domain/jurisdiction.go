package domain

import (
	"slices"
	"strings"
)

// Jurisdiction codes name where data subjects live: an ISO 3166-1 alpha-2
// country ("US", "GB", "DE"), "EU" for the European Union as a whole, or a
// US state or territory as "US-" plus its USPS code ("US-CA").

// iso3166 lists the ISO 3166-1 alpha-2 codes that are officially assigned.
const iso3166 = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
	"MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
	"UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

// usStates lists the USPS codes of the 50 states, DC and the territories.
const usStates = "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK " +
	"OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP"

var (
	countryCodes = strings.Fields(iso3166)
	usStateCodes = strings.Fields(usStates)
)

// ValidCountry reports whether code is an assigned ISO 3166-1 alpha-2 code.
func ValidCountry(code string) bool { return slices.Contains(countryCodes, code) }

// CountryCodes returns the assigned ISO 3166-1 alpha-2 codes, sorted.
func CountryCodes() []string { return slices.Clone(countryCodes) }

// JurisdictionCodes returns every valid jurisdiction code: EU, the
// countries, then the US states and territories (US-CA...).
func JurisdictionCodes() []string {
	out := append([]string{"EU"}, countryCodes...)
	for _, s := range usStateCodes {
		out = append(out, "US-"+s)
	}
	return out
}

// CheckCountry explains what is wrong with a two-letter country code, or
// returns "" when it is an assigned ISO 3166-1 alpha-2 code. It is the one
// country check: a vendor's country and a country among jurisdictions,
// through the API and through imports, get the same message.
func CheckCountry(code string) string {
	switch {
	case ValidCountry(code):
		return ""
	case code == "UK":
		return `"UK" is not an ISO 3166 code; use "GB"`
	case code == "EU":
		return `"EU" is not a country; give a member state such as DE or FR`
	}
	return "unknown country code " + quote(code) + " (use ISO 3166-1 alpha-2, e.g. US, GB, DE)"
}

// CheckJurisdiction explains what is wrong with code, or returns "" when it
// is valid.
func CheckJurisdiction(code string) string {
	switch {
	case code == "EU":
		return ""
	case len(code) == 2:
		return CheckCountry(code)
	case strings.HasPrefix(code, "US-"):
		if slices.Contains(usStateCodes, code[3:]) {
			return ""
		}
		return "unknown US state " + quote(code) + " (use US- and the USPS code, e.g. US-CA)"
	default:
		return "unknown jurisdiction " + quote(code) + " (use a country such as US or GB, EU, or a US state such as US-CA)"
	}
}

// NormalizeJurisdictions upper-cases, trims, de-duplicates and sorts codes,
// and reports each invalid one against field[i].
func NormalizeJurisdictions(field string, codes []string, fe *FieldErrors) []string {
	return normalizeCodes(field, codes, CheckJurisdiction, fe)
}

// NormalizeCountries is NormalizeJurisdictions for a list of ISO 3166-1
// alpha-2 country codes only (no "EU", no US states).
func NormalizeCountries(field string, codes []string, fe *FieldErrors) []string {
	return normalizeCodes(field, codes, CheckCountry, fe)
}

// normalizeCodes upper-cases, trims, de-duplicates and sorts codes, and
// reports each one check finds wrong against field[i].
func normalizeCodes(field string, codes []string, check func(string) string, fe *FieldErrors) []string {
	out := make([]string, 0, len(codes))
	for i, c := range codes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if msg := check(c); msg != "" {
			fe.Add(IndexField(field, i), "%s", msg)
			continue
		}
		out = append(out, c)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// euMembers are the 27 member states of the European Union.
var euMembers = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
	"IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}

// JurisdictionMatches reports whether a data subject's jurisdiction falls
// under a condition's jurisdiction: equal codes, "EU" covers its member
// states, and a country covers its subdivisions ("US" covers "US-CA").
func JurisdictionMatches(condition, subject string) bool {
	switch {
	case condition == subject:
		return true
	case condition == "EU":
		return slices.Contains(euMembers, subject)
	case len(condition) == 2 && len(subject) > 3 && subject[:2] == condition && subject[2] == '-':
		return true
	}
	return false
}
