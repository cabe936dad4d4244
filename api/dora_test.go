package api_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// Synthetic LEIs with valid ISO 17442 check digits.
const (
	doraBankLEI   = "7245009VELDHAVENBK96"
	doraVendorLEI = "549300NORTHWINDIE003"
)

func fieldsOf(t *testing.T, res response) []string {
	t.Helper()
	var out []string
	for _, fe := range problemErrors(t, res) {
		out = append(out, fe.Field)
	}
	return out
}

// TestDoraRegisterFromEmptyToPackage walks the README's path through the
// API: an empty register refuses to file, the data is recorded (bad input
// is a 422 naming the field and writes nothing), the check names what is
// missing, the export refuses until it is clean (or force=true), and the
// package comes back as a zip named by the EBA convention.
func TestDoraRegisterFromEmptyToPackage(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		legal, auditor := e.keys[domain.RoleLegal], e.keys[domain.RoleAuditor]

		// Nothing to file yet: the filing entity is named in the answer.
		res := e.do("GET", "/api/v1/dora/register/check?reference_date=2025-12-31", auditor, nil)
		mustStatus(t, res, http.StatusUnprocessableEntity)
		if f := fieldsOf(t, res); len(f) != 1 || f[0] != "entity" {
			t.Errorf("empty register: fields %v, want [entity]", f)
		}

		entity := map[string]any{"name": "Veldhaven Bank N.V.", "country": "NL", "entity_type": "x12",
			"currency": "EUR", "competent_authority": "De Nederlandsche Bank", "hierarchy": "ultimate_parent",
			"total_assets_minor": 4_820_000_000_000}
		// A wrong check digit: 422 naming lei, nothing written.
		res = e.do("PUT", "/api/v1/dora/entities/7245009VELDHAVENBK97", legal, entity)
		mustStatus(t, res, http.StatusUnprocessableEntity)
		if f := fieldsOf(t, res); len(f) != 1 || f[0] != "lei" {
			t.Errorf("bad LEI: fields %v, want [lei]", f)
		}
		if n := e.countRows("dora_entities"); n != 0 {
			t.Errorf("a refused entity wrote %d rows", n)
		}
		mustStatus(t, e.do("PUT", "/api/v1/dora/entities/"+doraBankLEI, legal, entity), http.StatusCreated)
		mustStatus(t, e.do("PUT", "/api/v1/dora/entities/"+doraBankLEI, legal, entity), http.StatusOK)

		vendor := e.createVendor(map[string]any{"name": "Northwind", "legal_name": "Northwind Cloud Ireland Limited",
			"country": "IE", "lei": doraVendorLEI})["id"].(string)
		contractID := e.createContract(map[string]any{"vendor_id": vendor, "title": "Core platform SaaS",
			"status": "active", "effective_on": "2021-04-01", "governing_law": "IE",
			"annual_value": map[string]any{"amount_minor": 340_000_000, "currency": "EUR"}})["id"].(string)

		// A subsequent arrangement needs its overarching reference.
		res = e.do("PUT", "/api/v1/contracts/"+contractID+"/dora", legal, map[string]any{
			"entity_lei": doraBankLEI, "reference": "C-2021-001", "type": "subsequent"})
		mustStatus(t, res, http.StatusUnprocessableEntity)
		if f := fieldsOf(t, res); len(f) != 1 || f[0] != "overarching_ref" {
			t.Errorf("subsequent without overarching: fields %v", f)
		}
		mustStatus(t, e.do("PUT", "/api/v1/contracts/"+contractID+"/dora", legal, map[string]any{
			"entity_lei": doraBankLEI, "reference": "C-2021-001", "type": "standalone",
			"notice_entity_days": 180, "notice_provider_days": 365}), http.StatusOK)
		mustStatus(t, e.do("PUT", "/api/v1/vendors/"+vendor+"/dora", legal, map[string]any{"person_type": "legal"}),
			http.StatusOK)

		// A service naming a function the register lacks: 422 on functions[0].
		service := map[string]any{"provision_country": "IE", "stores_data": true, "storage_country": "NL",
			"processing_country": "IE", "reliance": "material", "substitutability": "highly_complex",
			"not_substitutable_reason": "migration_difficulties", "last_audit_on": "2025-05-20", "exit_plan": true,
			"reintegration": "difficult", "discontinuation_impact": "high", "alternatives": "yes",
			"functions": []map[string]any{{"entity_lei": doraBankLEI, "function_id": "F1"}}}
		res = e.do("PUT", "/api/v1/contracts/"+contractID+"/dora/services/S19", legal, service)
		mustStatus(t, res, http.StatusUnprocessableEntity)
		if f := fieldsOf(t, res); len(f) != 1 || f[0] != "functions[0]" {
			t.Errorf("unknown function: fields %v", f)
		}
		res = e.do("PUT", "/api/v1/contracts/"+contractID+"/dora/services/S20", legal, service)
		mustStatus(t, res, http.StatusUnprocessableEntity)
		if f := fieldsOf(t, res); len(f) == 0 || f[0] != "service_type" {
			t.Errorf("S20: fields %v", f)
		}
		// The function, recorded without its recovery objectives.
		mustStatus(t, e.do("PUT", "/api/v1/dora/entities/"+doraBankLEI+"/functions/F1", legal, map[string]any{
			"name": "Payment processing", "licensed_activity": "eba_TA:x222", "criticality": "yes",
			"last_assessed_on": "2025-09-15", "discontinuation_impact": "high"}), http.StatusOK)
		mustStatus(t, e.do("PUT", "/api/v1/contracts/"+contractID+"/dora/services/S19", legal, service), http.StatusOK)

		// The check names the function and the columns.
		res = e.do("GET", "/api/v1/dora/register/check?reference_date=2025-12-31", auditor, nil)
		mustStatus(t, res, http.StatusOK)
		var report struct {
			Errors int
			Issues []struct {
				Template, Column, Rule, Subject, Message string
				SubjectID                                string `json:"subject_id"`
			}
		}
		res.decode(t, &report)
		var got []string
		for _, i := range report.Issues {
			got = append(got, i.Template+" "+i.Column+" "+i.Rule+" "+i.Subject+" "+i.SubjectID)
		}
		want := []string{"B_06.01 c0080 mandatory function " + doraBankLEI + "/F1",
			"B_06.01 c0090 mandatory function " + doraBankLEI + "/F1",
			"B_02.02 c0170 mandatory contract " + contractID}
		if report.Errors != 3 || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("check: %d errors\n%s\nwant\n%s", report.Errors, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		// The export refuses while errors remain, unless forced.
		path := "/api/v1/dora/register?reference_date=2025-12-31&entity=" + doraBankLEI
		mustStatus(t, e.do("GET", path, auditor, nil), http.StatusConflict)
		mustStatus(t, e.do("GET", path+"&force=maybe", auditor, nil), http.StatusUnprocessableEntity)
		mustStatus(t, e.do("GET", path+"&force=true", auditor, nil), http.StatusOK)

		mustStatus(t, e.do("PUT", "/api/v1/dora/entities/"+doraBankLEI+"/functions/F1", legal, map[string]any{
			"name": "Payment processing", "licensed_activity": "eba_TA:x222", "criticality": "yes",
			"last_assessed_on": "2025-09-15", "rto_hours": 2, "rpo_hours": 1, "discontinuation_impact": "high"}),
			http.StatusOK)
		// The data's sensitiveness comes from the data the vendor handles.
		mustStatus(t, e.do("POST", "/api/v1/vendors/"+vendor+"/data-handling", e.keys[domain.RoleVendorManager],
			map[string]any{"category": "cardholder_data", "access": []string{"stores"}, "record_count": 250_000}),
			http.StatusCreated)
		res = e.do("GET", path+"&level=CON", auditor, nil)
		if res.Code != http.StatusOK {
			t.Fatalf("export: %d %s\n%s", res.Code, res.Body, e.do("GET", "/api/v1/dora/register/check?level=CON&reference_date=2025-12-31", auditor, nil).Body)
		}
		name := doraBankLEI + ".CON_NL_DORA010100_DORA_2025-12-31_"
		if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, name) || res.Header.Get("Content-Type") != "application/zip" {
			t.Errorf("headers %v", res.Header)
		}
		zr, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
		if err != nil {
			t.Fatal(err)
		}
		var b0202 string
		for _, f := range zr.File {
			if !strings.HasPrefix(f.Name, name) {
				t.Errorf("%s is outside the package's folder", f.Name)
			}
			if strings.HasSuffix(f.Name, "/reports/b_02.02.csv") {
				rc, _ := f.Open()
				var buf bytes.Buffer
				_, _ = buf.ReadFrom(rc)
				b0202 = buf.String()
			}
		}
		wantRow := "C-2021-001," + doraBankLEI + "," + doraVendorLEI + ",eba_qCO:qx2000,F1,eba_TA:S19,2021-04-01,9999-12-31,,180,365,eba_GA:IE,eba_GA:IE,eba_BT:x28,eba_GA:NL,eba_GA:IE,eba_ZZ:x793,eba_ZZ:x796"
		if !strings.Contains(b0202, wantRow) {
			t.Errorf("b_02.02.csv:\n%s\nwant the row\n%s", b0202, wantRow)
		}
	})
}
