package repository

import (
	"context"
	"slices"
	"strconv"

	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// The supply-chain family's fact queries (finding.FamilySupplyChain): one
// statement each, rows grouped by their first column in Go and handed to
// the rules in batches.

// ConcentrationFacts implements finding.ScanStore: one recursive query
// walks down from the critical vendors in service (to register.MaxRank)
// and keeps the providers with at least q.ConcentrationMin of them, one
// row per (provider, critical vendor).
func (s *Findings) ConcentrationFacts(ctx context.Context, q finding.ScanQuery, fn func([]finding.ConcentrationFact) error) error {
	query := `WITH RECURSIVE reach(root, provider, rank) AS (
			SELECT e.vendor_id, e.provider_id, 1
			FROM vendor_dependencies e JOIN vendors v ON v.id = e.vendor_id
			WHERE v.tier = 'critical' AND ` + inServiceSQL + `
			UNION
			SELECT r.root, e.provider_id, r.rank + 1
			FROM reach r JOIN vendor_dependencies e ON e.vendor_id = r.provider
			WHERE r.rank < ` + strconv.Itoa(register.MaxRank) + `),
		pairs(provider, root) AS (SELECT DISTINCT provider, root FROM reach),
		hot(provider) AS (SELECT provider FROM pairs GROUP BY provider HAVING COUNT(*) >= ?)
		SELECT p.id, p.name, v.id, v.name
		FROM hot h JOIN vendors p ON p.id = h.provider JOIN pairs x ON x.provider = h.provider
			JOIN vendors v ON v.id = x.root
		ORDER BY p.id, v.name_key`
	var facts []finding.ConcentrationFact
	err := each(ctx, s.db, query, []any{max(q.ConcentrationMin, 1)}, func(r rowScanner) error {
		var pid, pname string
		var v finding.VendorRef
		if err := r.Scan(&pid, &pname, &v.ID, &v.Name); err != nil {
			return err
		}
		if n := len(facts); n == 0 || facts[n-1].ProviderID != pid {
			facts = append(facts, finding.ConcentrationFact{ProviderID: pid, ProviderName: pname})
		}
		last := &facts[len(facts)-1]
		last.CriticalVendors = append(last.CriticalVendors, v)
		return nil
	})
	if err != nil {
		return err
	}
	return inBatches(facts, batchSize(q), fn)
}

// SubprocessorFacts implements finding.ScanStore: the edges that carry
// data categories from vendors in service without an active contract
// with the subprocessor-approval clause, one row per edge.
func (s *Findings) SubprocessorFacts(ctx context.Context, q finding.ScanQuery, fn func([]finding.SubprocessorFact) error) error {
	query := `SELECT v.id, v.name, p.name, CAST(e.data_categories AS TEXT),
			(SELECT COUNT(*) FROM contracts c WHERE c.vendor_id = v.id AND c.status = 'active')
		FROM vendor_dependencies e JOIN vendors v ON v.id = e.vendor_id JOIN vendors p ON p.id = e.provider_id
		WHERE ` + inServiceSQL + ` AND CAST(e.data_categories AS TEXT) <> '[]'
			AND NOT EXISTS (SELECT 1 FROM contracts c WHERE c.vendor_id = v.id AND c.status = 'active'
				AND c.subprocessor_approval = ?)
		ORDER BY v.id, p.name_key`
	var facts []finding.SubprocessorFact
	err := each(ctx, s.db, query, []any{true}, func(r rowScanner) error {
		var vid, vname, pname, cats string
		var active int
		if err := r.Scan(&vid, &vname, &pname, &cats, &active); err != nil {
			return err
		}
		if n := len(facts); n == 0 || facts[n-1].VendorID != vid {
			facts = append(facts, finding.SubprocessorFact{VendorID: vid, VendorName: vname, ActiveContracts: active})
		}
		last := &facts[len(facts)-1]
		if !slices.Contains(last.Providers, pname) {
			last.Providers = append(last.Providers, pname)
		}
		last.Categories = union(last.Categories, parseList(cats))
		return nil
	})
	if err != nil {
		return err
	}
	return inBatches(facts, batchSize(q), fn)
}

// inBatches hands xs to fn in batches of at most n.
func inBatches[T any](xs []T, n int, fn func([]T) error) error {
	for len(xs) > 0 {
		k := min(n, len(xs))
		if err := fn(xs[:k]); err != nil {
			return err
		}
		xs = xs[k:]
	}
	return nil
}

// union is the sorted, distinct union of two lists.
func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}
