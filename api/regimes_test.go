package api_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func TestRegimesCatalogue(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		type regime struct {
			ID               string
			Citation         string
			Status           string
			Sources          []string
			Jurisdictions    []string
			VendorObligation bool `json:"vendor_obligation"`
			Ours             bool
			Anchor           string
			Deadline         *struct {
				Value int
				Unit  string
			}
			Threshold *struct {
				Metric   string
				Operator string
				Value    int64
			}
			EffectiveFrom *string `json:"effective_from"`
			EffectiveTo   *string `json:"effective_to"`
			Duty          string
		}
		list := func(query string) []regime {
			t.Helper()
			res := e.do("GET", "/api/v1/regimes"+query, e.keys[domain.RoleAuditor], nil)
			mustStatus(t, res, http.StatusOK)
			var out struct{ Items []regime }
			res.decode(t, &out)
			return out.Items
		}
		ids := func(rs []regime) []string {
			var out []string
			for _, r := range rs {
				out = append(out, r.ID)
			}
			return out
		}

		all := list("")
		if len(all) != 66 {
			t.Fatalf("%d regimes, want 66", len(all))
		}
		byID := map[string]regime{}
		for _, r := range all {
			byID[r.ID] = r
			if r.Citation == "" || !slices.Contains([]string{"V", "P", "U"}, r.Status) || r.Sources == nil {
				t.Errorf("%s: citation %q status %q sources %v", r.ID, r.Citation, r.Status, r.Sources)
			}
		}
		gdpr := byID["gdpr-33-1"]
		if gdpr.Deadline == nil || gdpr.Deadline.Value != 72 || gdpr.Deadline.Unit != "hours" || gdpr.Status != "V" ||
			gdpr.EffectiveFrom == nil || *gdpr.EffectiveFrom != "2018-05-25" || gdpr.Sources[0] != "https://gdprlearninghub.com/article-33-gdpr/" {
			t.Errorf("gdpr-33-1 = %+v", gdpr)
		}
		if r := byID["tx-ag"]; r.Threshold == nil || r.Threshold.Metric != "TX_residents" || r.Threshold.Operator != ">=" ||
			r.Threshold.Value != 250 || r.EffectiveFrom == nil || *r.EffectiveFrom != "2023-09-01" {
			t.Errorf("tx-ag = %+v", r)
		}
		if r := byID["ca-vendor"]; !r.VendorObligation || r.Ours {
			t.Errorf("ca-vendor = %+v", r)
		}
		if r := byID["ca-ag"]; r.Anchor != "after:ca-ind" || r.Deadline.Value != 15 {
			t.Errorf("ca-ag = %+v", r)
		}
		if r := byID["ca-ind-2003"]; r.Deadline != nil || r.EffectiveTo == nil || *r.EffectiveTo != "2026-01-01" || r.Duty != "ca-ind" {
			t.Errorf("ca-ind-2003 (before SB 446) = %+v", r)
		}
		if r := byID["gdpr-34"]; r.Deadline != nil || r.Threshold != nil {
			t.Errorf("gdpr-34 (words only) = %+v", r)
		}

		// Filters.
		if got := ids(list("?status=U")); !slices.Equal(got, []string{"tx-vendor", "ny-vendor"}) {
			t.Errorf("status=U: %v", got)
		}
		for query, want := range map[string]struct{ in, out []string }{
			"?jurisdiction=us-ca":           {[]string{"ca-ind", "ca-ag", "hipaa-404", "visa-wtdic-notify"}, []string{"co-ind", "gdpr-33-1", "ca-pipeda"}},
			"?jurisdiction=DE":              {[]string{"gdpr-33-1", "nis2-23-early", "amex-dsop"}, []string{"ukgdpr-33-1", "ca-ind"}},
			"?jurisdiction=GB&status=V":     {[]string{"ukgdpr-33-1", "uk-pecr-5a", "visa-wtdic-notify"}, []string{"gdpr-33-1", "visa-wtdic-report"}},
			"?jurisdiction=US&status=P":     {[]string{"hipaa-408b", "wa-vendor", "amex-dsop"}, []string{"hipaa-404", "gdpr-34"}},
			"?jurisdiction=CA":              {[]string{"ca-pipeda"}, []string{"ca-ind"}},
			"?jurisdiction=AU&status=U":     {nil, []string{"au-ndb-assess"}},
			"?jurisdiction=US-NY&status=V&": {[]string{"ny-ind", "nydfs-500-17a"}, []string{"ny-vendor", "ca-ind"}},
		} {
			got := ids(list(query))
			for _, id := range want.in {
				if !slices.Contains(got, id) {
					t.Errorf("%s lacks %s: %v", query, id, got)
				}
			}
			for _, id := range want.out {
				if slices.Contains(got, id) {
					t.Errorf("%s has %s", query, id)
				}
			}
		}
		res := e.do("GET", "/api/v1/regimes?jurisdiction=AU&status=U", e.keys[domain.RoleExecutive], nil)
		mustStatus(t, res, http.StatusOK)
		if string(res.Body) != `{"items":[]}` && string(res.Body) != "{\"items\":[]}\n" {
			t.Errorf("empty result = %s, want an empty items list", res.Body)
		}

		for _, q := range []struct{ query, field string }{
			{"?status=X", "status"}, {"?status=v", "status"}, {"?jurisdiction=UK", "jurisdiction"},
			{"?jurisdiction=US-ZZ", "jurisdiction"}, {"?jurisdiction=Europe", "jurisdiction"},
		} {
			res := e.do("GET", "/api/v1/regimes"+q.query, e.keys[domain.RoleLegal], nil)
			mustStatus(t, res, http.StatusBadRequest)
			if !slices.Contains(res.fields(t), q.field) {
				t.Errorf("%s: fields = %v", q.query, res.fields(t))
			}
		}
		mustStatus(t, e.do("GET", "/api/v1/regimes", "", nil), http.StatusUnauthorized)
	})
}
