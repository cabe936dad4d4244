package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// vendorRowTemplate is the vendor list's rows as a template, which
// VendorRows replaces for speed: both must write the same bytes.
const vendorRowTemplate = `{{define "tier"}}<span class="tier tier-{{.}}">{{.}}</span>{{end}}{{range .}}<tr>
    <th scope="row"><a href="/vendors/{{.ID}}">{{.Name}}</a>{{with .Service}}<span class="sub">{{.}}</span>{{end}}</th>
    <td>{{label (print .Status)}}</td>
    <td>{{label (print .Criticality)}}</td>
    <td>{{template "tier" .Tier}} {{if .Overridden}}<span class="sub">set by override (score {{.Score}})</span>{{else}}<span class="score" title="inherent score out of 100">{{.Score}}</span>{{end}}</td>
    <td>{{with .Residual}}{{template "tier" .Tier}} <span class="score" title="residual score out of 100">{{.Score}}</span>{{else}}<span class="muted">not scored yet</span>{{end}}</td>
    <td>{{if .NextReviewDue.IsZero}}<span class="muted">never reviewed</span>{{else}}<time datetime="{{.NextReviewDue}}">{{.NextReviewDue}}</time>{{if .ReviewOverdue}} <strong class="flag">overdue</strong>{{end}}{{end}}</td>
  </tr>
  {{end}}`

// TestVendorRowsAsTheTemplate: VendorRows writes what the template
// writes, escaping included.
func TestVendorRowsAsTheTemplate(t *testing.T) {
	due, _ := domain.ParseDate("2027-01-31")
	rows := []VendorRow{
		{ID: "01a19430-f9d0-7639-81bc-b579c88b2e55", Name: `<script>alert("x")</script> & Sons`, Service: `"Chat" <b>`,
			Status: register.VendorStatus("active"), Criticality: register.CriticalityHigh, Tier: register.TierCritical, Score: 87,
			Residual: &register.StoredResidual{Score: 41, Tier: register.TierModerate}, NextReviewDue: due, ReviewOverdue: true},
		{ID: "01a19430-f9d0-7639-81bc-b579c88b2e56", Name: "Quill Stationery", Status: register.VendorStatus("prospect"),
			Criticality: register.CriticalityLow, Tier: register.TierHigh, Score: 12, Overridden: true},
		{ID: "x y", Name: "O'Brien", Service: "it's", Status: register.VendorStatus("onboarding"),
			Criticality: register.CriticalityModerate, Tier: register.TierLow, NextReviewDue: due},
	}
	tpl := template.Must(template.New("rows").Funcs(funcs).Parse(vendorRowTemplate))
	var want strings.Builder
	if err := tpl.Execute(&want, rows); err != nil {
		t.Fatal(err)
	}
	if got := string(VendorRows(rows)); got != want.String() {
		t.Errorf("VendorRows:\n%s\nthe template:\n%s", got, want.String())
	}
}

// BenchmarkVendorRows: 50 rows by the template and by VendorRows.
func BenchmarkVendorRows(b *testing.B) {
	due, _ := domain.ParseDate("2027-01-31")
	rows := make([]VendorRow, 50)
	for i := range rows {
		rows[i] = VendorRow{ID: "01a19430-f9d0-7639-81bc-b579c88b2e55", Name: "Birch Payments 031936", Service: "Payroll",
			Status: register.VendorStatus("active"), Criticality: register.CriticalityHigh, Tier: register.TierHigh, Score: 61,
			Residual: &register.StoredResidual{Score: 41, Tier: register.TierModerate}, NextReviewDue: due}
	}
	tpl := template.Must(template.New("rows").Funcs(funcs).Parse(vendorRowTemplate))
	b.Run("template", func(b *testing.B) {
		for b.Loop() {
			var w strings.Builder
			_ = tpl.Execute(&w, rows)
		}
	})
	b.Run("VendorRows", func(b *testing.B) {
		for b.Loop() {
			_ = VendorRows(rows)
		}
	})
}

// BenchmarkVendorsPage: the whole vendor list page of 50 rows, with its
// filters, layout and pager.
func BenchmarkVendorsPage(b *testing.B) {
	due, _ := domain.ParseDate("2027-01-31")
	body := Vendors{Rows: make([]VendorRow, 50), Pager: Pager{Next: "/vendors?cursor=abc", First: "/vendors"},
		Filters: []Select{
			{Name: "status", Label: "Status", Options: []Option{{"prospect", "prospect"}, {"onboarding", "onboarding"}, {"active", "active"}, {"offboarding", "offboarding"}, {"terminated", "terminated"}}},
			{Name: "tier", Label: "Inherent tier", Options: []Option{{"critical", "critical"}, {"high", "high"}, {"moderate", "moderate"}, {"low", "low"}}},
			{Name: "residual_tier", Label: "Residual tier", Options: []Option{{"critical", "critical"}, {"high", "high"}, {"moderate", "moderate"}, {"low", "low"}}},
			{Name: "criticality", Label: "Criticality", Options: []Option{{"critical", "critical"}, {"high", "high"}, {"moderate", "moderate"}, {"low", "low"}}},
		},
		Sort: Select{Name: "sort", Label: "Order", Required: true, Options: []Option{{"name", "by name"}, {"residual", "by residual score"}}}}
	for i := range body.Rows {
		body.Rows[i] = VendorRow{ID: "01a19430-f9d0-7639-81bc-b579c88b2e55", Name: "Birch Payments 031936", Service: "Payroll",
			Status: register.VendorStatus("active"), Criticality: register.CriticalityHigh, Tier: register.TierHigh, Score: 61,
			Residual: &register.StoredResidual{Score: 41, Tier: register.TierModerate}, NextReviewDue: due}
	}
	page := Page{Title: "Vendors", User: &User{Name: "Eve", Role: "executive"}, CSRF: "x", Nav: "vendors", Body: body}
	for b.Loop() {
		var w strings.Builder
		if err := Render(&w, PageVendors, page); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSelectFieldAsTheTemplate: SelectField writes what parts.html's
// "select" writes, escaping included.
func TestSelectFieldAsTheTemplate(t *testing.T) {
	tpl := template.Must(template.New("parts").Funcs(funcs).ParseFS(files, "templates/parts.html"))
	for _, s := range []Select{
		{Name: "status", Label: "Status", Options: []Option{{"active", "active"}, {"risk_accepted", "risk_accepted"}}},
		{Name: "tier", Label: `Tier <"&'>`, Value: "high", Options: []Option{{"critical", "critical"}, {"high", "high"}}},
		{Name: "sort", Label: "Order", Required: true, Value: `x"y`, Options: []Option{{`x"y`, "by <name>"}, {"b", "b & c"}}},
		{Name: "q", Label: "None", Options: nil},
	} {
		var want strings.Builder
		if err := tpl.ExecuteTemplate(&want, "select", s); err != nil {
			t.Fatal(err)
		}
		if got := string(SelectField(s)); got != want.String() {
			t.Errorf("SelectField:\n%s\nthe template:\n%s", got, want.String())
		}
	}
}
