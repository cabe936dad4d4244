package api_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// vendorRiskView is GET /vendors/{id}/risk.
type vendorRiskView struct {
	VendorID string                   `json:"vendor_id"`
	Tier     register.Tier            `json:"tier"`
	Inherent register.InherentRisk    `json:"inherent"`
	Residual *register.ResidualRisk   `json:"residual"`
	Stored   *register.StoredResidual `json:"stored"`
	Config   string                   `json:"config"`
}

func (e *testEnv) vendorRisk(id string) vendorRiskView {
	e.t.Helper()
	res := e.do("GET", "/api/v1/vendors/"+id+"/risk", e.keys[domain.RoleExecutive], nil)
	mustStatus(e.t, res, http.StatusOK)
	var v vendorRiskView
	res.decode(e.t, &v)
	return v
}

// vendorNames walks GET /vendors with the query, limit per page, and
// returns the names in order.
func (e *testEnv) vendorNames(query string, limit int) []string {
	e.t.Helper()
	var out []string
	cursor := ""
	for range 100 {
		q := "?limit=" + strconv.Itoa(limit) + "&" + query
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		res := e.do("GET", "/api/v1/vendors"+q, e.keys[domain.RoleAuditor], nil)
		mustStatus(e.t, res, http.StatusOK)
		var page struct {
			Items []struct {
				Name string `json:"name"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		res.decode(e.t, &page)
		for _, v := range page.Items {
			out = append(out, v.Name)
		}
		if cursor = page.NextCursor; cursor == "" {
			return out
		}
	}
	e.t.Fatal("too many pages")
	return nil
}

// TestResidualRiskEndToEnd: the scan stores each vendor's residual risk,
// the risk endpoint computes the same live with its factors and
// configuration, lists filter and sort by it, the snapshot keeps it, and
// risk.above_appetite opens, survives a risk acceptance and resolves
// when the vendor comes back within appetite.
func TestResidualRiskEndToEnd(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(scanT0)
		mgr := e.keys[domain.RoleVendorManager]

		// Card Co: critical card-data vendor without any control. Inherent
		// critical; the appetite for critical is high.
		card := e.createVendor(map[string]any{"name": "Card Co", "status": "active", "criticality": "critical"})["id"].(string)
		mustStatus(t, e.do("POST", "/api/v1/vendors/"+card+"/data-handling", mgr, map[string]any{
			"category": "cardholder_data", "access": []string{"stores"}, "record_count": 1000, "jurisdictions": []string{"US"}}),
			http.StatusCreated)
		// Plain Co: low tier (inherent 20), reviewed and approved: within
		// appetite.
		plain := e.createVendor(map[string]any{"name": "Plain Co", "status": "active", "criticality": "high"})["id"].(string)
		e.review(plain, "2026-06-01")
		// Slipping Co: low tier (high criticality, no data), never
		// reviewed, and a vendor notice overdue.
		slipping := e.createVendor(map[string]any{"name": "Slipping Co", "status": "active", "criticality": "high"})["id"].(string)
		e.createContract(map[string]any{"vendor_id": slipping, "title": "Slipping MSA", "status": "active", "effective_on": "2024-01-01",
			"breach_notification": map[string]any{"window": map[string]any{"value": 72, "unit": "hours"}, "trigger": "discovery"}})
		e.createIncident(map[string]any{"vendor_id": slipping, "title": "Quiet breach",
			"vendor_discovered_at": scanT0.Add(-80 * time.Hour).Format(time.RFC3339),
			"we_learned_at":        scanT0.Add(-time.Hour).Format(time.RFC3339), "learned_via": "press"})
		// A prospect is outside the scan's scope: no residual risk.
		prospect := e.createVendor(map[string]any{"name": "Prospect Co", "criticality": "low"})["id"].(string)

		// The configuration in force, with the id scores carry.
		cfgRes := e.do("GET", "/api/v1/residual-config", e.keys[domain.RoleAuditor], nil)
		mustStatus(t, cfgRes, http.StatusOK)
		var cfg struct {
			ID string `json:"id"`
			register.ResidualConfig
		}
		cfgRes.decode(t, &cfg)
		if cfg.ID != register.DefaultResidualConfig().ID() || cfg.Appetite[register.TierCritical] != register.TierHigh {
			t.Errorf("residual config = %s", cfgRes.Body)
		}

		// Before any scan: nothing stored, but the endpoint computes it.
		before := e.vendorRisk(card)
		if before.Stored != nil || before.Residual == nil || before.Config != cfg.ID || before.Residual.Config != before.Config ||
			len(before.Residual.Factors) != 5 || before.Inherent.Tier != register.TierCritical {
			t.Fatalf("risk before the scan = %+v", before)
		}
		versionBefore := e.do("GET", "/api/v1/vendors/"+card, e.keys[domain.RoleAuditor], nil).object(t)["version"]
		e.runScan()

		risks := map[string]vendorRiskView{}
		for name, id := range map[string]string{"card": card, "plain": plain, "slipping": slipping} {
			r := e.vendorRisk(id)
			if r.Residual == nil || r.Stored == nil || r.Stored.Score != r.Residual.Score || r.Stored.Tier != r.Residual.Tier ||
				r.Stored.Config != r.Config || !r.Stored.ComputedAt.Equal(scanT0) {
				t.Fatalf("%s: stored %+v, live %+v", name, r.Stored, r.Residual)
			}
			risks[name] = r
		}
		if r := e.vendorRisk(prospect); r.Residual != nil || r.Stored != nil {
			t.Errorf("prospect has a residual risk: %+v", r)
		}
		cardRisk, plainRisk, slipRisk := risks["card"].Residual, risks["plain"].Residual, risks["slipping"].Residual
		// Card Co: every control missing pushes it to critical, above the
		// appetite (high); its factors all add points.
		if cardRisk.Tier != register.TierCritical || !cardRisk.AboveAppetite || cardRisk.Appetite != register.TierHigh ||
			len(cardRisk.Worsening()) != 4 {
			t.Errorf("Card Co = %+v", cardRisk)
		}
		// Plain Co: an approved, current review takes points off.
		if plainRisk.Score >= risks["plain"].Inherent.Score || plainRisk.AboveAppetite {
			t.Errorf("Plain Co = %+v (inherent %d)", plainRisk, risks["plain"].Inherent.Score)
		}
		if !slipRisk.AboveAppetite || slipRisk.Tier != register.TierHigh {
			t.Fatalf("Slipping Co = %+v", slipRisk)
		}

		// The vendor resource carries what the scan stored.
		res := e.do("GET", "/api/v1/vendors/"+card, e.keys[domain.RoleAuditor], nil)
		mustStatus(t, res, http.StatusOK)
		var got struct {
			Residual *register.StoredResidual `json:"residual"`
			Version  int64                    `json:"version"`
		}
		res.decode(t, &got)
		if got.Residual == nil || got.Residual.Score != cardRisk.Score || float64(got.Version) != versionBefore {
			t.Errorf("vendor = %s", res.Body)
		}

		// Lists: filter by residual tier; sort by residual score, page by
		// page, highest first, vendors without one last.
		if names := e.vendorNames("residual_tier=critical", 50); !slices.Equal(names, []string{"Card Co"}) {
			t.Errorf("residual_tier=critical: %v", names)
		}
		want := []string{"Card Co", "Slipping Co", "Plain Co", "Prospect Co"}
		for _, limit := range []int{1, 2, 50} {
			if names := e.vendorNames("sort=residual", limit); !slices.Equal(names, want) {
				t.Errorf("sort=residual, limit %d: %v, want %v", limit, names, want)
			}
		}
		for _, bad := range []string{"sort=score", "residual_tier=severe"} {
			mustStatus(t, e.do("GET", "/api/v1/vendors?"+bad, e.keys[domain.RoleAuditor], nil), http.StatusBadRequest)
		}
		mustStatus(t, e.do("GET", "/api/v1/vendors?sort=residual&cursor="+base64.RawURLEncoding.EncodeToString([]byte("not-a-score")),
			e.keys[domain.RoleAuditor], nil), http.StatusUnprocessableEntity)

		// The daily snapshot keeps the residual score and tier.
		if _, err := repository.NewRiskSnapshots(db).Take(context.Background(), domain.DateOf(scanT0), scanT0); err != nil {
			t.Fatal(err)
		}
		hist := e.do("GET", "/api/v1/vendors/"+card+"/risk-history?from="+domain.DateOf(scanT0).String(), e.keys[domain.RoleExecutive], nil)
		mustStatus(t, hist, http.StatusOK)
		var snaps struct {
			Items []register.RiskSnapshot `json:"items"`
		}
		hist.decode(t, &snaps)
		if len(snaps.Items) != 1 || snaps.Items[0].Residual == nil || *snaps.Items[0].Residual != cardRisk.Score ||
			snaps.Items[0].ResidualTier != register.TierCritical {
			t.Errorf("risk history = %s", hist.Body)
		}

		// The dashboard counts vendors by residual tier.
		dash := e.do("GET", "/api/v1/dashboard", e.keys[domain.RoleExecutive], nil)
		mustStatus(t, dash, http.StatusOK)
		var d struct {
			Residual []struct {
				Tier    register.Tier `json:"tier"`
				Vendors int64         `json:"vendors"`
			} `json:"residual_distribution"`
			Trend []reporting.TrendPoint `json:"trend"`
		}
		dash.decode(t, &d)
		if n := len(d.Trend); n != 1 || d.Trend[0].ResidualCritical != 1 || d.Trend[0].ResidualHigh != 1 ||
			d.Trend[0].Critical != 1 {
			t.Errorf("trend = %+v", d.Trend)
		}
		counts := map[register.Tier]int64{}
		for _, c := range d.Residual {
			counts[c.Tier] = c.Vendors
		}
		if counts[register.TierCritical] != 1 || counts[register.TierHigh] != 1 || counts[plainRisk.Tier] < 1 {
			t.Errorf("residual distribution = %+v", d.Residual)
		}

		// risk.above_appetite: Card Co (critical: its residual tier is
		// critical) and Slipping Co, with the factors that put them there.
		live := e.live()
		cardF, ok := live[finding.RuleRiskAboveAppetite+" "+card]
		if !ok || cardF.Severity != "critical" || len(cardF.Facts["factors"].([]any)) != 4 || cardF.Facts["appetite"] != "high" {
			t.Fatalf("Card Co finding = %+v", cardF)
		}
		slipF, ok := live[finding.RuleRiskAboveAppetite+" "+slipping]
		if !ok || slipF.Severity != "high" {
			t.Fatalf("Slipping Co finding = %+v", slipF)
		}
		if _, ok := live[finding.RuleRiskAboveAppetite+" "+plain]; ok {
			t.Error("Plain Co is within appetite but has a finding")
		}

		// Accepting Card Co's risk keeps the finding accepted through the
		// next scans.
		legal := e.keys[domain.RoleLegal]
		mustStatus(t, e.do("PATCH", "/api/v1/findings/"+cardF.ID, legal, map[string]any{"status": "risk_accepted",
			"reason": "compensating controls reviewed by the CISO", "accepted_until": "2027-03-31"}), http.StatusOK)
		e.runScan()
		if f := e.live()[finding.RuleRiskAboveAppetite+" "+card]; f.ID != cardF.ID || f.Status != "risk_accepted" {
			t.Errorf("accepted finding after a scan = %+v", f)
		}

		// Slipping Co is reviewed and approved: the review factor turns to a
		// credit, review.missing resolves, and the residual comes back within
		// appetite: the finding resolves and the stored score follows.
		e.review(slipping, "2026-11-20")
		e.runScan()
		if f, ok := e.live()[finding.RuleRiskAboveAppetite+" "+slipping]; ok {
			t.Errorf("Slipping Co still above appetite: %+v", f)
		}
		after := e.vendorRisk(slipping)
		if after.Residual.AboveAppetite || after.Stored.Score != after.Residual.Score || after.Stored.Score >= slipRisk.Score {
			t.Errorf("Slipping Co after its review: %+v, stored %+v", after.Residual, after.Stored)
		}

		// A vendor leaving the scan's scope loses its stored residual risk.
		mustStatus(t, e.do("PATCH", "/api/v1/vendors/"+plain, mgr, map[string]any{"status": "terminated"},
			"If-Match", `"1"`), http.StatusOK)
		e.runScan()
		if r := e.vendorRisk(plain); r.Stored != nil || r.Residual != nil {
			t.Errorf("terminated vendor keeps a residual risk: %+v", r)
		}
		mustStatus(t, e.do("GET", "/api/v1/vendors/"+domain.NewID()+"/risk", e.keys[domain.RoleAuditor], nil), http.StatusNotFound)
	})
}

// TestResidualNoticeWindow: a late vendor notice counts in the
// notification-timeliness factor when the incident was discovered within
// the last 24 months (from the instant exactly 24 months back), and not a
// second before.
func TestResidualNoticeWindow(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(scanT0)
		since := scanT0.AddDate(0, -24, 0)
		lateVendor := func(name string, discovered time.Time) string {
			id := e.createVendor(map[string]any{"name": name, "status": "active", "criticality": "moderate"})["id"].(string)
			e.createContract(map[string]any{"vendor_id": id, "title": name + " MSA", "status": "active", "effective_on": "2020-01-01",
				"breach_notification": map[string]any{"window": map[string]any{"value": 72, "unit": "hours"}, "trigger": "discovery"}})
			e.createIncident(map[string]any{"vendor_id": id, "title": "Late notice",
				"vendor_discovered_at":  discovered.Format(time.RFC3339),
				"vendor_notified_us_at": discovered.Add(100 * time.Hour).Format(time.RFC3339),
				"we_learned_at":         discovered.Add(100 * time.Hour).Format(time.RFC3339), "learned_via": "vendor_notice"})
			return id
		}
		inside, outside := lateVendor("Inside Co", since), lateVendor("Outside Co", since.Add(-time.Second))
		e.runScan()
		for _, c := range []struct {
			id     string
			points int
		}{{inside, 5}, {outside, 0}} {
			r := e.vendorRisk(c.id)
			var f register.RiskFactor
			for _, x := range r.Residual.Factors {
				if x.Factor == "notification_timeliness" {
					f = x
				}
			}
			if f.Points != c.points || r.Stored == nil || r.Stored.Score != r.Residual.Score {
				t.Errorf("vendor %s: notification timeliness %+v, want %d points; stored %+v, live %d", c.id, f, c.points,
					r.Stored, r.Residual.Score)
			}
		}
	})
}
