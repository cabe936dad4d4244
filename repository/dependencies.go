package repository

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// Dependencies is the store of the supply chain's edges
// (vendor_dependencies) and of the recursive queries over them.
type Dependencies struct{ db *DB }

var _ register.DependencyStore = (*Dependencies)(nil)

// NewDependencies returns the dependency store on db.
func NewDependencies(db *DB) *Dependencies { return &Dependencies{db: db} }

type dependencyRow struct {
	ID             string
	VendorID       string
	ProviderID     string
	Service        string
	DataCategories string // JSON array
	Countries      string // JSON array
	Source         string
	AsOf           dateCol
	EvidenceRef    string
	Notes          string
	Version        int64
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt      time.Time `gorm:"autoUpdateTime:false"`
}

func (dependencyRow) TableName() string { return "vendor_dependencies" }

// dependencyColumns are the columns an update writes.
var dependencyColumns = []string{"vendor_id", "provider_id", "service", "data_categories", "countries", "source",
	"as_of", "evidence_ref", "notes", "version", "updated_at"}

func toDependencyRow(d register.Dependency) dependencyRow {
	return dependencyRow{ID: d.ID, VendorID: d.VendorID, ProviderID: d.ProviderID, Service: string(d.Service),
		DataCategories: jsonList(d.DataCategories), Countries: jsonList(d.Countries), Source: string(d.Source),
		AsOf: sqlDate(d.AsOf), EvidenceRef: d.EvidenceRef, Notes: d.Notes, Version: d.Version,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
}

func (r dependencyRow) toDomain() register.Dependency {
	return register.Dependency{ID: r.ID, VendorID: r.VendorID, ProviderID: r.ProviderID,
		Service: register.ProvidedService(r.Service), DataCategories: parseList(r.DataCategories),
		Countries: parseList(r.Countries), Source: register.DependencySource(r.Source), AsOf: r.AsOf.Date,
		EvidenceRef: r.EvidenceRef, Notes: r.Notes, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// dependencyReadCols are the columns scanDependency reads, of the table
// aliased e (JSON read as text on both databases).
const dependencyReadCols = "e.id, e.vendor_id, e.provider_id, e.service, CAST(e.data_categories AS TEXT), " +
	"CAST(e.countries AS TEXT), e.source, e.as_of, e.evidence_ref, e.notes, e.version, e.created_at, e.updated_at"

func scanDependency(rows rowScanner, r *dependencyRow) error {
	return rows.Scan(&r.ID, &r.VendorID, &r.ProviderID, &r.Service, &r.DataCategories, &r.Countries, &r.Source,
		&r.AsOf, &r.EvidenceRef, &r.Notes, &r.Version, &r.CreatedAt, &r.UpdatedAt)
}

// Create implements register.DependencyStore.
func (s *Dependencies) Create(ctx context.Context, d register.Dependency) error {
	r := toDependencyRow(d)
	return translate(s.db.conn(ctx).Create(&r).Error)
}

// Get implements register.DependencyStore.
func (s *Dependencies) Get(ctx context.Context, id string) (register.Dependency, error) {
	row, err := queryOne(ctx, s.db, scanDependency, "SELECT "+dependencyReadCols+" FROM vendor_dependencies e WHERE e.id = ?", id)
	if err != nil {
		return register.Dependency{}, fmt.Errorf("dependency %s: %w", id, err)
	}
	return row.toDomain(), nil
}

// Update implements register.DependencyStore.
func (s *Dependencies) Update(ctx context.Context, d register.Dependency, expectedVersion int64) error {
	row := toDependencyRow(d)
	row.Version = expectedVersion + 1
	res := s.db.conn(ctx).Model(&dependencyRow{}).Where("id = ? AND version = ?", d.ID, expectedVersion).
		Select(dependencyColumns).Updates(&row)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return missOrStale(ctx, s.db, &dependencyRow{}, "dependency", d.ID)
	}
	return nil
}

// Delete implements register.DependencyStore.
func (s *Dependencies) Delete(ctx context.Context, id string, expectedVersion int64) error {
	q := s.db.conn(ctx).Where("id = ?", id)
	if expectedVersion != 0 {
		q = q.Where("version = ?", expectedVersion)
	}
	res := q.Delete(&dependencyRow{})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return missOrStale(ctx, s.db, &dependencyRow{}, "dependency", id)
	}
	return nil
}

// maxEdgesPerVendor bounds the edges ListByVendor and ListByProvider read
// at once (a provider shared by many vendors has many edges in).
const maxEdgesPerVendor = 100_000

// ListByVendor implements register.DependencyStore.
func (s *Dependencies) ListByVendor(ctx context.Context, vendorID string) ([]register.Dependency, error) {
	return s.list(ctx, "e.vendor_id = ?", "e.provider_id", vendorID)
}

// List implements register.DependencyStore: a keyset page on the id.
func (s *Dependencies) List(ctx context.Context, p domain.PageRequest) (domain.Page[register.Dependency], error) {
	q, args := "SELECT "+dependencyReadCols+" FROM vendor_dependencies e", []any{}
	if p.After != "" {
		q += " WHERE e.id > ?"
		args = append(args, p.After)
	}
	n := p.Size()
	q += " ORDER BY e.id LIMIT " + strconv.Itoa(n+1)
	rows, err := queryRows(ctx, s.db, n+1, scanDependency, q, args...)
	if err != nil {
		return domain.Page[register.Dependency]{}, fmt.Errorf("list dependencies: %w", err)
	}
	return pageOf(rows, n, func(r dependencyRow) string { return r.ID }, dependencyRow.toDomain), nil
}

// ListByProvider implements register.DependencyStore.
func (s *Dependencies) ListByProvider(ctx context.Context, providerID string) ([]register.Dependency, error) {
	return s.list(ctx, "e.provider_id = ?", "e.vendor_id", providerID)
}

// CategoriesInto implements register.DependencyStore with one DISTINCT
// over the categories of the edges into the provider.
func (s *Dependencies) CategoriesInto(ctx context.Context, providerID string) ([]string, error) {
	rows, err := queryRows(ctx, s.db, 8, func(rs rowScanner, c *string) error { return rs.Scan(c) },
		"SELECT DISTINCT c.value FROM vendor_dependencies e, "+s.jsonElements("e.data_categories", "c")+
			" WHERE e.provider_id = ? ORDER BY c.value", providerID)
	if err != nil {
		return nil, fmt.Errorf("categories into %s: %w", providerID, err)
	}
	return rows, nil
}

// list reads the edges matching cond, ordered by the name of the vendor
// at the other end (other), then service.
func (s *Dependencies) list(ctx context.Context, cond, other, id string) ([]register.Dependency, error) {
	rows, err := queryRows(ctx, s.db, 8, scanDependency, "SELECT "+dependencyReadCols+
		" FROM vendor_dependencies e JOIN vendors o ON o.id = "+other+" WHERE "+cond+
		" ORDER BY o.name_key, e.service LIMIT "+strconv.Itoa(maxEdgesPerVendor), id)
	if err != nil {
		return nil, err
	}
	out := make([]register.Dependency, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// LockGraph implements register.DependencyStore: a transaction-scoped
// advisory lock on PostgreSQL; SQLite's write transactions already run one
// at a time.
func (s *Dependencies) LockGraph(ctx context.Context) error {
	if s.db.dialect != Postgres {
		return nil
	}
	return translate(s.db.conn(ctx).Exec("SELECT pg_advisory_xact_lock(hashtext('vendor_dependencies'))").Error)
}

// Reaches implements register.DependencyStore, with the providers of from
// as the anchor (so "reachable" is one step or more) and UNION, which stops
// at providers already seen.
func (s *Dependencies) Reaches(ctx context.Context, from []string, to string) (bool, error) {
	if len(from) == 0 {
		return false, nil
	}
	type found struct{ n int }
	args := make([]any, 0, len(from)+1)
	for _, f := range from {
		args = append(args, f)
	}
	rows, err := queryRows(ctx, s.db, 1, func(rs rowScanner, f *found) error { return rs.Scan(&f.n) },
		`WITH RECURSIVE reach(id) AS (
			SELECT provider_id FROM vendor_dependencies WHERE vendor_id IN `+placeholders(len(from))+`
			UNION
			SELECT e.provider_id FROM reach r JOIN vendor_dependencies e ON e.vendor_id = r.id)
		SELECT 1 FROM reach WHERE id = ? LIMIT 1`, append(args, to)...)
	if err != nil {
		return false, err
	}
	return len(rows) > 0, nil
}

// jsonElements is the FROM item that expands the JSON array col into rows
// with the column alias.value, on each database.
func (s *Dependencies) jsonElements(col, alias string) string {
	if s.db.dialect == Postgres {
		return "jsonb_array_elements_text(" + col + ") AS " + alias + "(value)"
	}
	return "json_each(" + col + ") AS " + alias
}

// listAgg is the aggregate of the distinct values of expr as one
// comma-separated text, on each database.
func (s *Dependencies) listAgg(expr string) string {
	if s.db.dialect == Postgres {
		return "string_agg(DISTINCT " + expr + ", ',')"
	}
	return "group_concat(DISTINCT " + expr + ")"
}

// splitAgg splits a listAgg value into its sorted values.
func splitAgg(s *string) []string {
	if s == nil || *s == "" {
		return []string{}
	}
	out := strings.Split(*s, ",")
	slices.Sort(out)
	return out
}

type chainRow struct {
	rank                                   int
	path, dep, parent, provider, name      string
	status, service, categories, countries string
}

// SupplyChain implements register.DependencyStore: one recursive query
// walks every path below the vendor to register.MaxRank, depth first (each
// edge after the edge above it); the categories of ours that reach each
// step are the edge's own intersected with those reaching its parent.
func (s *Dependencies) SupplyChain(ctx context.Context, vendorID string) ([]register.ChainLink, error) {
	rows, err := queryRows(ctx, s.db, 16, func(rs rowScanner, r *chainRow) error {
		return rs.Scan(&r.rank, &r.path, &r.dep, &r.parent, &r.provider, &r.name, &r.status, &r.service,
			&r.categories, &r.countries)
	}, `WITH RECURSIVE chain(rank, dep, provider, path) AS (
			SELECT 1, e.id, e.provider_id, CAST(e.id AS TEXT) FROM vendor_dependencies e WHERE e.vendor_id = ?
			UNION ALL
			SELECT c.rank + 1, e.id, e.provider_id, c.path || '/' || CAST(e.id AS TEXT)
			FROM chain c JOIN vendor_dependencies e ON e.vendor_id = c.provider
			WHERE c.rank < `+strconv.Itoa(register.MaxRank)+`)
		SELECT c.rank, c.path, e.id, e.vendor_id, e.provider_id, p.name, p.status, e.service,
			CAST(e.data_categories AS TEXT), CAST(e.countries AS TEXT)
		FROM chain c JOIN vendor_dependencies e ON e.id = c.dep JOIN vendors p ON p.id = c.provider
		ORDER BY c.path`, vendorID)
	if err != nil {
		return nil, err
	}
	reaching := map[string][]string{} // categories reaching the end of each path
	out := make([]register.ChainLink, 0, len(rows))
	for _, r := range rows {
		cats := parseList(r.categories)
		if i := strings.LastIndexByte(r.path, '/'); i >= 0 {
			above := reaching[r.path[:i]]
			cats = slices.DeleteFunc(cats, func(c string) bool { return !slices.Contains(above, c) })
		}
		reaching[r.path] = cats
		out = append(out, register.ChainLink{Rank: r.rank, DependencyID: r.dep, ParentID: r.parent,
			ProviderID: r.provider, ProviderName: r.name, ProviderStatus: register.VendorStatus(r.status),
			Service: register.ProvidedService(r.service), DataCategories: cats, Countries: parseList(r.countries)})
	}
	return out, nil
}

// ourVendors is the condition on a vendor row v that makes it one of ours
// (not a fourth party known only through another vendor).
const ourVendors = "v.status <> '" + string(register.StatusFourthParty) + "'"

type concentrationRow struct {
	provider, name, status string
	vendors, critical      int
	minRank                int
	categories, countries  *string
}

// Concentration implements register.DependencyStore with one recursive
// query. walk (root, provider, rank, edge) follows the edges down from our
// vendors (of the filter's tier) to register.MaxRank; with the filter's
// category, only edges that carry it. UNION drops the rows a second path
// would repeat. The paths at the filter's rank or deeper are counted per
// provider (distinct roots, critical ones, the shallowest rank), the top
// f.Limit kept, and for those only the categories and countries of the
// edges into them on counted paths are aggregated, each with one GROUP BY.
func (s *Dependencies) Concentration(ctx context.Context, f register.ConcentrationFilter) ([]register.ProviderConcentration, error) {
	rootCond, args := ourVendors, []any{}
	if f.Tier != "" {
		rootCond += " AND v.tier = ?"
		args = append(args, string(f.Tier))
	}
	carries := func(col string) string { return "" }
	if f.DataCategory != "" {
		carries = func(col string) string {
			return " AND EXISTS (SELECT 1 FROM " + s.jsonElements(col+".data_categories", "dc") + " WHERE dc.value = ?)"
		}
		args = append(args, f.DataCategory, f.DataCategory)
	}
	args = append(args, max(f.MinRank, 1), f.Limit)
	q := `WITH RECURSIVE
		walk(root, provider, rank, edge) AS (
			SELECT e.vendor_id, e.provider_id, 1, e.id
			FROM vendor_dependencies e JOIN vendors v ON v.id = e.vendor_id WHERE ` + rootCond + carries("e") + `
			UNION
			SELECT w.root, e.provider_id, w.rank + 1, e.id
			FROM walk w JOIN vendor_dependencies e ON e.vendor_id = w.provider
			WHERE w.rank < ` + strconv.Itoa(register.MaxRank) + carries("e") + `),
		counted(root, provider, rank, edge) AS (SELECT root, provider, rank, edge FROM walk WHERE rank >= ?),
		top(provider, name_key, vendors, critical, min_rank) AS (
			SELECT k.provider, p.name_key, COUNT(DISTINCT k.root),
				COUNT(DISTINCT CASE WHEN v.tier = 'critical' THEN k.root END), MIN(k.rank)
			FROM counted k JOIN vendors v ON v.id = k.root JOIN vendors p ON p.id = k.provider
			GROUP BY k.provider, p.name_key
			ORDER BY COUNT(DISTINCT k.root) DESC, p.name_key
			LIMIT ?),
		edges(provider, edge) AS (
			SELECT DISTINCT k.provider, k.edge FROM counted k JOIN top t ON t.provider = k.provider),
		cats(provider, list) AS (
			SELECT x.provider, ` + s.listAgg("c.value") + `
			FROM edges x JOIN vendor_dependencies e ON e.id = x.edge, ` + s.jsonElements("e.data_categories", "c") + `
			GROUP BY x.provider),
		ctry(provider, list) AS (
			SELECT x.provider, ` + s.listAgg("c.value") + `
			FROM edges x JOIN vendor_dependencies e ON e.id = x.edge, ` + s.jsonElements("e.countries", "c") + `
			GROUP BY x.provider)
		SELECT t.provider, p.name, p.status, t.vendors, t.critical, t.min_rank, ca.list, co.list
		FROM top t JOIN vendors p ON p.id = t.provider
			LEFT JOIN cats ca ON ca.provider = t.provider LEFT JOIN ctry co ON co.provider = t.provider
		ORDER BY t.vendors DESC, t.name_key`
	rows, err := queryRows(ctx, s.db, f.Limit, func(rs rowScanner, r *concentrationRow) error {
		return rs.Scan(&r.provider, &r.name, &r.status, &r.vendors, &r.critical, &r.minRank, &r.categories, &r.countries)
	}, q, args...)
	if err != nil {
		return nil, fmt.Errorf("concentration: %w", err)
	}
	out := make([]register.ProviderConcentration, len(rows))
	for i, r := range rows {
		out[i] = register.ProviderConcentration{ProviderID: r.provider, ProviderName: r.name,
			ProviderStatus: register.VendorStatus(r.status), Vendors: r.vendors, CriticalVendors: r.critical,
			MinRank: r.minRank, DataCategories: splitAgg(r.categories), Countries: splitAgg(r.countries)}
	}
	return out, nil
}

type upstreamRow struct {
	id, name, tier                       string
	rank                                 int
	categories, countries, jurisdictions *string
	records                              *int64
}

// Upstream implements register.DependencyStore: one recursive query walks
// up from the provider (up: the vendor above, its rank, and the edge into
// the provider the path ends with; upflow: a category of ours carried by
// every edge of the path), keeps our vendors, and aggregates per vendor in
// one GROUP BY over their facets (a category, a country of the edges into
// the provider, a jurisdiction with the record count of the vendor's data
// handling of those categories): one join of the vendors with their facets,
// whatever the planner guesses of the walks' sizes, where joining one
// aggregate per facet led PostgreSQL into a nested loop over the vendors.
func (s *Dependencies) Upstream(ctx context.Context, providerID string) ([]register.UpstreamVendor, error) {
	maxRank := strconv.Itoa(register.MaxRank)
	q := `WITH RECURSIVE
		up(vendor, rank, edge) AS (
			SELECT e.vendor_id, 1, e.id FROM vendor_dependencies e WHERE e.provider_id = ?
			UNION
			SELECT e.vendor_id, u.rank + 1, u.edge
			FROM up u JOIN vendor_dependencies e ON e.provider_id = u.vendor WHERE u.rank < ` + maxRank + `),
		upflow(vendor, rank, category) AS (
			SELECT e.vendor_id, 1, c.value
			FROM vendor_dependencies e, ` + s.jsonElements("e.data_categories", "c") + ` WHERE e.provider_id = ?
			UNION
			SELECT e.vendor_id, u.rank + 1, u.category
			FROM upflow u JOIN vendor_dependencies e ON e.provider_id = u.vendor, ` + s.jsonElements("e.data_categories", "c") + `
			WHERE c.value = u.category AND u.rank < ` + maxRank + `),
		ours(vendor, rank) AS (
			SELECT u.vendor, MIN(u.rank) FROM up u JOIN vendors v ON v.id = u.vendor WHERE ` + ourVendors + `
			GROUP BY u.vendor),
		cats(vendor, category) AS (
			SELECT DISTINCT f.vendor, f.category FROM upflow f JOIN ours o ON o.vendor = f.vendor),
		facets(vendor, kind, value, records) AS (
			SELECT vendor, 'c', category, CAST(NULL AS BIGINT) FROM cats
			UNION ALL
			SELECT u.vendor, 'n', j.value, CAST(NULL AS BIGINT)
			FROM up u JOIN ours o ON o.vendor = u.vendor JOIN vendor_dependencies e ON e.id = u.edge, ` +
		s.jsonElements("e.countries", "j") + `
			UNION ALL
			SELECT c.vendor, 'j', hj.value, h.record_count
			FROM cats c JOIN data_handling h ON h.vendor_id = c.vendor AND h.category = c.category
				LEFT JOIN ` + s.jsonElements("h.jurisdictions", "hj") + ` ON 1 = 1)
		SELECT v.id, v.name, v.tier, o.rank,
			` + s.listAgg("CASE WHEN f.kind = 'c' THEN f.value END") + `,
			` + s.listAgg("CASE WHEN f.kind = 'n' THEN f.value END") + `,
			` + s.listAgg("CASE WHEN f.kind = 'j' THEN f.value END") + `, MAX(f.records)
		FROM ours o JOIN vendors v ON v.id = o.vendor LEFT JOIN facets f ON f.vendor = o.vendor
		GROUP BY v.id, v.name, v.tier, o.rank, v.name_key
		ORDER BY v.name_key`
	rows, err := queryRows(ctx, s.db, 16, func(rs rowScanner, r *upstreamRow) error {
		return rs.Scan(&r.id, &r.name, &r.tier, &r.rank, &r.categories, &r.countries, &r.jurisdictions, &r.records)
	}, q, providerID, providerID)
	if err != nil {
		return nil, fmt.Errorf("upstream of %s: %w", providerID, err)
	}
	out := make([]register.UpstreamVendor, len(rows))
	for i, r := range rows {
		out[i] = register.UpstreamVendor{VendorID: r.id, VendorName: r.name, Tier: register.Tier(r.tier), Rank: r.rank,
			DataCategories: splitAgg(r.categories), Countries: splitAgg(r.countries),
			Jurisdictions: splitAgg(r.jurisdictions)}
		if r.records != nil {
			out[i].Records = *r.records
		}
	}
	return out, nil
}
