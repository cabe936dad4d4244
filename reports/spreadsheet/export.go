package spreadsheet

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/importing"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// Values orders a record's values (by field) in kind's column layout.
func Values(kind importing.ImportKind, byField map[string]string) []string {
	cols := importing.ImportColumns(kind)
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = byField[c.Field]
	}
	return out
}

// VendorRef is how exports name a vendor in the vendor column: its
// external_ref when it has one, else its name (imports resolve both).
func VendorRef(v register.Vendor) string {
	if v.ExternalRef != "" {
		return v.ExternalRef
	}
	return v.Name
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// VendorValues is a vendor in the vendors layout.
func VendorValues(v register.Vendor) []string {
	return Values(importing.ImportVendors, map[string]string{
		"external_ref": v.ExternalRef, "name": v.Name, "legal_name": v.LegalName, "website": v.Website,
		"service": v.Service, "owner_email": v.OwnerEmail, "status": string(v.Status),
		"criticality": string(v.Criticality), "country": v.Country, "tier_override": string(v.TierOverride),
		"tier_override_reason": v.TierOverrideReason, "lei": v.LEI, "registration_number": v.RegistrationNumber,
		"domain": v.Domain,
	})
}

// ContractValues is a contract, with its clause in force, in the
// contracts layout.
func ContractValues(c contract.ContractView, vendor string) []string {
	m := map[string]string{
		"id": c.ID, "vendor": vendor, "title": c.Title, "reference": c.Reference, "status": string(c.Status),
		"effective_on": c.EffectiveOn.String(), "expires_on": c.ExpiresOn.String(), "auto_renew": FormatBool(c.AutoRenew),
		"renewal_notice_days": strconv.Itoa(c.RenewalNoticeDays), "governing_law": c.GoverningLaw,
		"right_to_audit": FormatBool(c.RightToAudit), "subprocessor_approval": FormatBool(c.SubprocessorApproval),
		"data_return_or_destruction": FormatBool(c.DataReturnOrDestruction), "security_standard": c.SecurityStandard,
		"dpa": FormatBool(c.DPA), "baa": FormatBool(c.BAA), "notes": c.Notes,
	}
	if c.AnnualValue != nil {
		m["annual_value"], m["annual_value_currency"] = importing.FormatMinor(c.AnnualValue.AmountMinor), c.AnnualValue.Currency
	}
	if c.CyberInsuranceMin != nil {
		m["cyber_insurance_min"], m["cyber_insurance_currency"] = importing.FormatMinor(c.CyberInsuranceMin.AmountMinor), c.CyberInsuranceMin.Currency
	}
	if t := c.Clause; t != nil {
		if t.Terms.Window != nil {
			m["breach_window_value"], m["breach_window_unit"] = strconv.Itoa(t.Terms.Window.Value), string(t.Terms.Window.Unit)
		}
		m["breach_standard"], m["breach_trigger"] = string(t.Terms.Standard), string(t.Terms.Trigger)
		m["breach_notify"] = importing.FormatRecipients(t.Terms.Notify)
		m["breach_required_content"] = t.Terms.RequiredContent
		if t.Terms.UpdateEveryHours != 0 {
			m["breach_update_every_hours"] = strconv.Itoa(t.Terms.UpdateEveryHours)
		}
	}
	return Values(importing.ImportContracts, m)
}

// AttestationValues is an attestation in the attestations layout.
func AttestationValues(a attestation.Attestation, vendor string) []string {
	return Values(importing.ImportAttestations, map[string]string{
		"id": a.ID, "vendor": vendor, "kind": string(a.Kind), "issuer": a.Issuer, "scope": a.Scope,
		"period_start": a.PeriodStart.String(), "period_end": a.PeriodEnd.String(), "issued_on": a.IssuedOn.String(),
		"expires_on": a.ExpiresOn.String(), "opinion": string(a.Opinion), "exceptions_count": itoa(a.ExceptionsCount),
		"review_status": string(a.ReviewStatus), "reviewer": a.Reviewer,
	})
}

// FindingColumns is the export-only layout of findings (the scanner's
// results are not imported).
var FindingColumns = []importing.ImportColumn{
	{Field: "id", Header: "Finding id", Type: importing.ColText},
	{Field: "rule_id", Header: "Rule", Type: importing.ColText},
	{Field: "severity", Header: "Severity", Type: importing.ColText},
	{Field: "vendor", Header: "Vendor", Type: importing.ColText},
	{Field: "subject_type", Header: "Subject type", Type: importing.ColText},
	{Field: "subject_id", Header: "Subject id", Type: importing.ColText},
	{Field: "status", Header: "Status", Type: importing.ColText},
	{Field: "first_seen_at", Header: "First seen at", Type: importing.ColText},
	{Field: "last_seen_at", Header: "Last seen at", Type: importing.ColText},
	{Field: "resolved_at", Header: "Resolved at", Type: importing.ColText},
	{Field: "accepted_reason", Header: "Accepted reason", Type: importing.ColText},
	{Field: "accepted_until", Header: "Accepted until", Type: importing.ColDate},
	{Field: "accepted_by", Header: "Accepted by", Type: importing.ColText},
	{Field: "facts", Header: "Facts", Type: importing.ColText},
}

// FindingValues is a finding in the findings layout.
func FindingValues(f finding.Finding, vendor string) []string {
	instant := func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	until := ""
	if f.AcceptedUntil != nil {
		until = f.AcceptedUntil.String()
	}
	facts, _ := json.Marshal(f.Facts)
	m := map[string]string{
		"id": f.ID, "rule_id": f.RuleID, "severity": string(f.Severity), "vendor": vendor,
		"subject_type": f.SubjectType, "subject_id": f.SubjectID, "status": string(f.Status),
		"first_seen_at": instant(&f.FirstSeenAt), "last_seen_at": instant(&f.LastSeenAt), "resolved_at": instant(f.ResolvedAt),
		"accepted_reason": f.AcceptedReason, "accepted_until": until, "accepted_by": f.AcceptedBy, "facts": string(facts),
	}
	out := make([]string, len(FindingColumns))
	for i, c := range FindingColumns {
		out[i] = m[c.Field]
	}
	return out
}

// DependencyValues is a supply-chain edge in the dependencies layout:
// vendor names the vendor (VendorRef), provider is the provider's record
// (its name, LEI and domain, on which an import matches it back).
func DependencyValues(d register.Dependency, vendor string, provider register.Vendor) []string {
	return Values(importing.ImportDependencies, map[string]string{
		"id": d.ID, "vendor": vendor, "provider": provider.Name, "provider_lei": provider.LEI,
		"provider_domain": provider.Domain, "service": string(d.Service),
		"data_categories": strings.Join(d.DataCategories, ", "), "countries": strings.Join(d.Countries, ", "),
		"source": string(d.Source), "as_of": d.AsOf.String(), "evidence_ref": d.EvidenceRef, "notes": d.Notes,
	})
}
