package attestation

import "github.com/vendorwatch/vendorwatch/domain"

// Expired is the expiry verdict, the one definition the scan's rules, the
// list filter and the reports use: an attestation expiring on expiresOn
// has expired today when expiresOn is before today (on its expiry date it
// is still valid). A zero expiresOn never expires. The SQL that filters
// or counts expired attestations states the same condition
// (repository's attestationExpiredSQL).
func Expired(expiresOn, today domain.Date) bool {
	return !expiresOn.IsZero() && expiresOn.Before(today)
}

// ExpiresWithin reports whether an attestation expiring on expiresOn
// expires within days of today: expiresOn is at most today plus days
// (an expired one included). Expiring is ExpiresWithin and not Expired.
// The SQL that selects expiring attestations states the same condition
// (repository's attestationExpiresBySQL, with today plus days).
func ExpiresWithin(expiresOn, today domain.Date, days int) bool {
	return !expiresOn.IsZero() && !expiresOn.After(today.AddDays(days))
}
