package register

// DataCategory is one kind of data a vendor may handle. The catalogue is
// fixed in code (seeded into the database by migration so rows can refer to
// it); Sensitivity drives the inherent risk tier.
type DataCategory struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Sensitivity runs from 1 (low) to 4 (highest): 4 for data whose
	// exposure alone enables fraud or is specially regulated, 3 for
	// government identifiers and HR records, 2 for contact details and free
	// text, 1 for business data without personal data.
	Sensitivity int `json:"sensitivity"`
	// Personal is true when the category is personal data in the sense of
	// breach-notification law (it triggers the breach-clause policy).
	Personal bool `json:"personal"`
	// Regimes names the notification and security regimes the category
	// brings into play. Source: shared/reference/regulatory-facts.md §2.
	Regimes []string `json:"regimes"`
}

// Data category codes.
const (
	CatCardholderData    = "cardholder_data"
	CatSensitiveAuthData = "sensitive_auth_data"
	CatSSN               = "ssn"
	CatDriversLicense    = "drivers_license"
	CatFinancialAccount  = "financial_account"
	CatHealthPHI         = "health_phi"
	CatCredentials       = "credentials"
	CatBiometric         = "biometric"
	CatContactPII        = "contact_pii"
	CatChatTranscripts   = "chat_transcripts"
	CatEmployeeRecords   = "employee_records"
)

var dataCategories = []DataCategory{
	{CatCardholderData, "Cardholder data", "PAN, cardholder name, expiry date, service code (PCI DSS account data)", 4, true,
		[]string{"PCI DSS", "card brand incident rules", "US state breach laws", "GDPR"}},
	{CatSensitiveAuthData, "Sensitive authentication data", "Full track data, CVV2/CVC2/CID, PIN or PIN block; never retained after authorisation (PCI DSS 3.3.1)", 4, true,
		[]string{"PCI DSS", "card brand incident rules", "US state breach laws"}},
	{CatSSN, "Social Security numbers", "US Social Security numbers", 4, true,
		[]string{"US state breach laws", "GLBA Safeguards Rule"}},
	{CatDriversLicense, "Driver's licence and government IDs", "Driver's licence, state ID, passport, tax or military ID numbers", 3, true,
		[]string{"US state breach laws", "GDPR"}},
	{CatFinancialAccount, "Financial account data", "Bank account numbers with access codes, nonpublic financial customer information", 4, true,
		[]string{"US state breach laws", "GLBA Safeguards Rule", "SEC Regulation S-P", "NYDFS 500"}},
	{CatHealthPHI, "Health information (PHI)", "Individually identifiable health information, health insurance identifiers", 4, true,
		[]string{"HIPAA", "FTC Health Breach Notification Rule", "US state breach laws", "GDPR Art. 9"}},
	{CatCredentials, "Account credentials", "Username or email with password or security answers", 4, true,
		[]string{"US state breach laws", "GDPR"}},
	{CatBiometric, "Biometric data", "Biometric data used to authenticate a person", 4, true,
		[]string{"US state breach laws", "GDPR Art. 9"}},
	{CatContactPII, "Contact details", "Names, email and postal addresses, phone numbers", 2, true,
		[]string{"GDPR", "UK GDPR"}},
	{CatChatTranscripts, "Chat transcripts", "Free-text customer conversations, which may carry any other category", 3, true,
		[]string{"GDPR", "UK GDPR"}},
	{CatEmployeeRecords, "Employee records", "HR and payroll records of our staff", 3, true,
		[]string{"US state breach laws", "GDPR"}},
}

var categoryByCode = func() map[string]DataCategory {
	m := make(map[string]DataCategory, len(dataCategories))
	for _, c := range dataCategories {
		m[c.Code] = c
	}
	return m
}()

// DataCategories returns the catalogue in its fixed order.
func DataCategories() []DataCategory {
	out := make([]DataCategory, len(dataCategories))
	copy(out, dataCategories)
	return out
}

// LookupCategory returns the category with the given code.
func LookupCategory(code string) (DataCategory, bool) {
	c, ok := categoryByCode[code]
	return c, ok
}
