package repository

import (
	"context"
	"fmt"
	"strconv"

	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
)

// EachDependency implements reporting.Source in two steps. First one
// recursive query walks down from the vendors the filter selects (ours:
// not fourth parties) and returns, per provider reached, the shallowest
// depth it is reached at: a row per provider, not per path (UNION keeps one
// (node, depth) pair however many vendors lead to it). Then the edges are
// read in keyset batches on their id, each with its vendor and provider,
// and ranked from that map: 1 below a selected vendor, the depth of its
// vendor plus one below a provider.
func (s *ReportSource) EachDependency(ctx context.Context, f reporting.Filter, fn func(reporting.DependencyRow) error) error {
	where, wargs := vendorWhere(f)
	asOf := f.AsOf.UTC()
	depth := map[string]int{}
	levels := `WITH RECURSIVE level(node, depth) AS (
			SELECT v.id, 0 FROM vendors v WHERE ` + ourVendors + ` AND ` + where + `
			UNION
			SELECT e.provider_id, l.depth + 1 FROM level l JOIN vendor_dependencies e ON e.vendor_id = l.node
			WHERE l.depth < ` + strconv.Itoa(register.MaxRank-1) + ` AND e.created_at <= ?)
		SELECT node, MIN(depth) FROM level WHERE depth > 0 GROUP BY node`
	err := s.query(ctx, levels, append(append([]any{}, wargs...), asOf), func(rows rowScanner) error {
		var node string
		var d int
		if err := rows.Scan(&node, &d); err != nil {
			return err
		}
		depth[node] = d
		return nil
	})
	if err != nil {
		return fmt.Errorf("supply chain depths: %w", err)
	}
	filtered := len(f.VendorIDs) > 0 || f.Tier != "" || f.Owner != ""
	q := `SELECT e.id, v.id, v.name, v.status, p.name, p.status, e.service, CAST(e.data_categories AS TEXT),
		CAST(e.countries AS TEXT), e.source, e.as_of, e.evidence_ref, e.created_at,
		CASE WHEN ` + ourVendors + ` AND ` + where + ` THEN 1 ELSE 0 END
		FROM vendor_dependencies e JOIN vendors v ON v.id = e.vendor_id JOIN vendors p ON p.id = e.provider_id
		WHERE e.created_at <= ?`
	scan := func(rows rowScanner) (reporting.DependencyRow, error) {
		var r reporting.DependencyRow
		var vendorID, vstatus, pstatus, service, cats, countries, source string
		var on dateCol
		var root int
		err := rows.Scan(&r.ID, &vendorID, &r.VendorName, &vstatus, &r.ProviderName, &pstatus, &service, &cats,
			&countries, &source, &on, &r.EvidenceRef, &r.CreatedAt, &root)
		r.VendorStatus, r.ProviderStatus = register.VendorStatus(vstatus), register.VendorStatus(pstatus)
		r.Service, r.Source = register.ProvidedService(service), register.DependencySource(source)
		r.DataCategories, r.Countries, r.AsOf, r.CreatedAt = parseList(cats), parseList(countries), on.Date, r.CreatedAt.UTC()
		if d, ok := depth[vendorID]; root == 1 {
			r.Rank = 1
		} else if ok {
			r.Rank = d + 1
		}
		return r, err
	}
	keep := func(r reporting.DependencyRow) error {
		if filtered && r.Rank == 0 {
			return nil
		}
		return fn(r)
	}
	return byID(ctx, s, q, append(append([]any{}, wargs...), asOf), "e.id", scan,
		func(r reporting.DependencyRow) string { return r.ID }, keep)
}

// Concentration implements reporting.Source with the concentration query
// of the dependency store, restricted to the filter's tier.
func (s *ReportSource) Concentration(ctx context.Context, f reporting.Filter, limit int) ([]register.ProviderConcentration, error) {
	return NewDependencies(s.db).Concentration(ctx, register.ConcentrationFilter{Tier: f.Tier, Limit: limit})
}
