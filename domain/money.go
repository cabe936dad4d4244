package domain

import "regexp"

// Money is an amount in integer minor units (cents) of an ISO 4217
// currency. Floating point never touches it.
type Money struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// Check validates m as field.
func (m Money) Check(fe *FieldErrors, field string) {
	if m.AmountMinor < 0 {
		fe.Add(field+".amount_minor", "must not be negative")
	}
	if !currencyPattern.MatchString(m.Currency) {
		fe.Add(field+".currency", "must be an ISO 4217 code such as USD, EUR or GBP")
	}
}

// MinorDigits is how many minor-unit digits the currency has: 2 for most,
// 0 for the yen and others without a minor unit, 3 for the dinars.
func (m Money) MinorDigits() int {
	switch m.Currency {
	case "JPY", "KRW", "CLP", "ISK", "VND", "XOF", "XAF", "PYG", "UGX":
		return 0
	case "BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD":
		return 3
	}
	return 2
}
