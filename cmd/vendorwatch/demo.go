package main

import (
	"context"
	"fmt"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// demoAdminEmail is the demo's console admin, whom serve --demo gives a
// new one-time password at each start.
const demoAdminEmail = "demo-admin@example.com"

// demoVendor is one fictitious vendor of the demo register.
type demoVendor struct {
	name, service, owner, country string
	status                        register.VendorStatus
	criticality                   register.Criticality
	handling                      []register.DataHandlingInput
}

var demoVendors = []demoVendor{
	{"Acme Chat Widgets", "Customer-service chat widget on our checkout pages", "ecommerce@example.com", "US",
		register.StatusActive, register.CriticalityHigh, []register.DataHandlingInput{
			{Category: register.CatChatTranscripts, Access: []string{"stores", "processes"}, RecordCount: 2_000_000, Jurisdictions: []string{"US", "US-CA", "EU"}},
			{Category: register.CatCardholderData, Access: []string{"transmits"}, RecordCount: 400_000, Jurisdictions: []string{"US", "US-CA"}},
		}},
	{"Northwind Payroll", "Payroll and benefits administration", "hr@example.com", "US",
		register.StatusActive, register.CriticalityCritical, []register.DataHandlingInput{
			{Category: register.CatSSN, Access: []string{"stores", "processes"}, RecordCount: 4_800, Jurisdictions: []string{"US-NY", "US-TX"}},
			{Category: register.CatEmployeeRecords, Access: []string{"stores"}, RecordCount: 4_800, Jurisdictions: []string{"US-NY", "US-TX"}},
			{Category: register.CatFinancialAccount, Access: []string{"stores", "transmits"}, RecordCount: 4_800, Jurisdictions: []string{"US-NY", "US-TX"}},
		}},
	{"Contoso Cloud Hosting", "Infrastructure hosting for the customer portal", "platform@example.com", "IE",
		register.StatusActive, register.CriticalityCritical, []register.DataHandlingInput{
			{Category: register.CatContactPII, Access: []string{"stores"}, RecordCount: 3_500_000, Jurisdictions: []string{"EU", "GB", "US"}},
			{Category: register.CatCredentials, Access: []string{"stores"}, RecordCount: 3_500_000, Jurisdictions: []string{"EU", "GB", "US"}},
		}},
	{"Globex Marketing Analytics", "Email campaign analytics", "marketing@example.com", "GB",
		register.StatusOnboarding, register.CriticalityLow, []register.DataHandlingInput{
			{Category: register.CatContactPII, Access: []string{"processes"}, RecordCount: 250_000, Jurisdictions: []string{"GB", "EU"}},
		}},
	{"Initech Benefits Health", "Employee health plan administration", "hr@example.com", "US",
		register.StatusProspect, register.CriticalityModerate, []register.DataHandlingInput{
			{Category: register.CatHealthPHI, Access: []string{"stores", "processes"}, RecordCount: 4_800, Jurisdictions: []string{"US-NY"}},
		}},
}

// loadDemo adds the demo vendors when the register is empty and returns how
// many it added.
func loadDemo(ctx context.Context, vendors *register.VendorService) (int, error) {
	page, err := vendors.List(ctx, register.VendorFilter{}, domain.PageRequest{Limit: 1})
	if err != nil {
		return 0, err
	}
	if len(page.Items) > 0 {
		return 0, nil
	}
	for _, d := range demoVendors {
		v, err := vendors.Create(ctx, register.VendorInput{Name: &d.name, Service: &d.service, OwnerEmail: &d.owner,
			Country: &d.country, Status: &d.status, Criticality: &d.criticality})
		if err != nil {
			return 0, fmt.Errorf("vendor %s: %w", d.name, err)
		}
		for _, h := range d.handling {
			if _, _, err := vendors.PutHandling(ctx, v.ID, h); err != nil {
				return 0, fmt.Errorf("vendor %s data %s: %w", d.name, h.Category, err)
			}
		}
	}
	return len(demoVendors), nil
}
