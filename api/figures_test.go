package api_test

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/reports"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// summaryFigure reads a labelled figure of a workbook sheet (label in
// column A, value in B).
func summaryFigure(t *testing.T, body []byte, sheet, label string) int64 {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	_, cells := findRow(t, f, sheet, 1, label)
	if len(cells) < 2 {
		t.Fatalf("%s: %q has no value", sheet, label)
	}
	n, err := strconv.ParseInt(cells[1], 10, 64)
	if err != nil {
		t.Fatalf("%s: %q = %q", sheet, label, cells[1])
	}
	return n
}

// TestFiguresAgree seeds vendors in every lifecycle status and asserts
// that the dashboard, the scan, the audit workbook and the executive
// report give each shared figure the same value, by one definition:
// vendors in service (active, offboarding, onboarding holding data) for
// reviews and attestations; every vendor for notices and obligations.
func TestFiguresAgree(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		mgr := e.keys[domain.RoleVendorManager]
		vendor := func(name, status string, data bool) string {
			t.Helper()
			id := e.createVendor(map[string]any{"name": name, "status": status, "criticality": "high",
				"tier_override": "high", "tier_override_reason": "test"})["id"].(string)
			if data {
				mustStatus(t, e.do("POST", "/api/v1/vendors/"+id+"/data-handling", mgr, map[string]any{
					"category": "cardholder_data", "access": []string{"stores"}, "record_count": 2000,
					"jurisdictions": []string{"US-CA", "US-FL"}}), http.StatusCreated)
			}
			return id
		}
		// Never reviewed: judged for the onboarding vendor holding data and
		// the active one; not for the prospect, the onboarding vendor
		// without data or the terminated one.
		vendor("Prospect Co", "prospect", false)
		onbData := vendor("Onboarding With Data", "onboarding", true)
		vendor("Onboarding Empty", "onboarding", false)
		active := vendor("Active Co", "active", true)
		term := vendor("Terminated Co", "terminated", true)
		// Reviewed long ago (12-month cadence): overdue, judged unless
		// terminated.
		off := vendor("Offboarding Co", "offboarding", true)
		active2 := vendor("Active Two", "active", true)
		term2 := vendor("Terminated Two", "terminated", true)
		for _, v := range []string{off, active2, term2} {
			e.review(v, "2024-06-01")
		}
		// Attestations: expired and the latest of its kind (counted for the
		// active and the onboarding vendor holding data); expired but
		// superseded, or of a terminated vendor (not counted).
		att := func(vendor, kind, expires string) {
			e.createAttestation(map[string]any{"vendor_id": vendor, "kind": kind, "issued_on": "2024-01-01", "expires_on": expires})
		}
		att(active, "soc2_type2", "2026-06-01")
		att(active, "iso27001", "2025-01-01")
		att(active, "iso27001", "2027-06-01")
		att(onbData, "pci_dss_aoc", "2026-10-01")
		att(term, "soc2_type2", "2026-06-01")
		// Notices, judged for every vendor: late at the terminated vendor
		// (contract), overdue at the active one, late in law only at the
		// offboarding one (Florida's 10 days; the 30-day contract met).
		clause := func(v string, value int, unit string) {
			e.createContract(map[string]any{"vendor_id": v, "title": "MSA", "status": "active", "effective_on": "2025-01-01",
				"breach_notification": map[string]any{"window": map[string]any{"value": value, "unit": unit}, "trigger": "discovery"}})
		}
		clause(term, 72, "hours")
		clause(active, 72, "hours")
		clause(off, 30, "calendar_days")
		e.createIncident(map[string]any{"vendor_id": term, "title": "Late", "vendor_discovered_at": "2026-10-01T00:00:00Z",
			"vendor_notified_us_at": "2026-10-20T00:00:00Z", "we_learned_at": "2026-10-20T00:00:00Z", "learned_via": "vendor_notice"})
		overdueInc := e.createIncident(map[string]any{"vendor_id": active, "title": "Overdue", "vendor_discovered_at": "2026-11-01T00:00:00Z",
			"we_learned_at": "2026-11-10T00:00:00Z", "learned_via": "press"})["id"].(string)
		lawInc := e.createIncident(map[string]any{"vendor_id": off, "title": "Law only", "vendor_discovered_at": "2026-09-01T00:00:00Z",
			"vendor_notified_us_at": "2026-09-20T00:00:00Z", "we_learned_at": "2026-09-20T00:00:00Z", "learned_via": "vendor_notice"})["id"].(string)
		if n, _ := e.explained(lawInc); n.Broken != "law" || n.Status != "on_time" {
			t.Fatalf("law-only incident: status %s broken %q", n.Status, n.Broken)
		}
		if n, _ := e.explained(overdueInc); n.Broken != "both" || n.Status != "overdue" {
			t.Fatalf("overdue incident: status %s broken %q", n.Status, n.Broken)
		}

		want := map[string]int64{"never": 2, "reviews": 2, "attestations": 2, "late": 3, "overdue_notices": 1}

		// The scan.
		e.runScan()
		scan := map[string]int64{}
		for _, f := range e.live() {
			scan[f.RuleID]++
		}
		fromScan := map[string]int64{"never": scan[finding.RuleReviewMissing], "reviews": scan[finding.RuleReviewOverdue],
			"attestations":    scan[finding.RuleAttestationExpired],
			"late":            scan[finding.RuleIncidentNoticeLate] + scan[finding.RuleIncidentNoticeOverdue],
			"overdue_notices": scan[finding.RuleIncidentNoticeOverdue], "obligations": scan[finding.RuleObligationOverdue]}
		want["obligations"] = fromScan["obligations"]
		if want["obligations"] == 0 {
			t.Fatal("no overdue obligation in the portfolio")
		}

		// The dashboard.
		res := e.do("GET", "/api/v1/dashboard", e.keys[domain.RoleExecutive], nil)
		mustStatus(t, res, http.StatusOK)
		var dash struct {
			Overdue struct {
				Reviews       int64 `json:"reviews"`
				NeverReviewed int64 `json:"never_reviewed"`
				Attestations  int64 `json:"attestations_expired"`
				Obligations   int64 `json:"obligations"`
				VendorNotices int64 `json:"vendor_notices"`
			}
			LateTotal int64 `json:"late_notices_total"`
		}
		res.decode(t, &dash)
		fromDash := map[string]int64{"never": dash.Overdue.NeverReviewed, "reviews": dash.Overdue.Reviews,
			"attestations": dash.Overdue.Attestations, "late": dash.LateTotal, "overdue_notices": dash.Overdue.VendorNotices,
			"obligations": dash.Overdue.Obligations}

		// The audit workbook and the executive report.
		_, audit := e.runReport(e.keys[domain.RoleAuditor], map[string]any{"kind": "audit"})
		fromAudit := map[string]int64{}
		for k, label := range map[string]string{"never": "Vendors never reviewed", "reviews": "Reviews overdue",
			"attestations": "Attestations expired", "late": "Incidents with late notices (late or overdue)",
			"overdue_notices": "Vendor notices overdue now", "obligations": "Obligations overdue"} {
			fromAudit[k] = summaryFigure(t, audit, "Summary", label)
		}
		// The workbook says which deadline each notice broke, and lists
		// the regimes not applied beside the obligations, with titles.
		af, err := excelize.OpenReader(bytes.NewReader(audit))
		if err != nil {
			t.Fatal(err)
		}
		_, cells := findRow(t, af, "Incidents", headerCol(t, af, "Incidents", "Title"), "Law only")
		if c := cells[headerCol(t, af, "Incidents", "Broken")-1]; c != "legal deadline" {
			t.Errorf("Incidents sheet, law-only incident: broken %q", c)
		}
		if c := cells[headerCol(t, af, "Incidents", "Law basis")-1]; c != "Fla. Stat. 501.171(6): 10 calendar days" {
			t.Errorf("Incidents sheet, law-only incident: law basis %q", c)
		}
		_, cells = findRow(t, af, "Obligations", 4, "visa-accounts")
		if c := cells[headerCol(t, af, "Obligations", "What is required")-1]; c != "Give Visa the compromised account numbers within 10 business days" {
			t.Errorf("Obligations sheet, visa-accounts: %q", c)
		}
		// One row per incident and reason, naming the regimes.
		rows, err := af.GetRows("Obligations")
		if err != nil {
			t.Fatal(err)
		}
		status, why := headerCol(t, af, "Obligations", "Status")-1, headerCol(t, af, "Obligations", "Why not applied")-1
		found := false
		for _, r := range rows {
			if len(r) > why && r[1] == "Late" && r[status] == "not applied" && strings.HasPrefix(r[why], "jurisdiction not affected: ") {
				found = strings.Contains(r[why], "GDPR: concerns EU; UK GDPR: concerns GB;") &&
					strings.HasSuffix(r[why], "(the incident affects US-CA, US-FL)") && strings.HasPrefix(r[3], "gdpr-33-1, gdpr-34, ukgdpr-33-1")
				if !found {
					t.Errorf("Obligations sheet, jurisdictions not affected: %q", r)
				}
			}
		}
		if !found {
			t.Error("Obligations sheet: no row of regimes not applied for the late incident")
		}
		_ = af.Close()
		_, exec := e.runReport(e.keys[domain.RoleExecutive], map[string]any{"kind": "executive"})
		fromExec := map[string]int64{}
		for k, label := range map[string]string{"never": "Vendors never reviewed", "reviews": "Reviews overdue",
			"attestations": "Attestations expired", "overdue_notices": "Vendor notices overdue", "obligations": "Obligations overdue"} {
			fromExec[k] = summaryFigure(t, exec, reports.SheetExecutive, label)
		}
		fromExec["late"] = dash.LateTotal // the executive sheet states it in its late-notice heading
		ef, err := excelize.OpenReader(bytes.NewReader(exec))
		if err != nil {
			t.Fatal(err)
		}
		findRow(t, ef, reports.SheetVendorNotices, 1, "Vendor notices late or overdue: 3 incidents (the latest 25 listed)")
		_ = ef.Close()

		for k, w := range want {
			for name, got := range map[string]map[string]int64{"scan": fromScan, "dashboard": fromDash, "audit workbook": fromAudit,
				"executive report": fromExec} {
				if got[k] != w {
					t.Errorf("%s: %s = %d, want %d", k, name, got[k], w)
				}
			}
		}
	})
}
