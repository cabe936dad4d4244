package importing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// ---- sub-processor edges (the supply chain) ----

var dependencyColumns = []ImportColumn{
	{Field: "id", Header: "Edge id", Type: ColText,
		Note: "Leave empty for a new edge. Exports fill it; rows match by id, then by vendor, provider and service."},
	vendorRefColumn,
	{Field: "provider", Header: "Provider", Type: ColText, Example: "Nimbus Cloud Ltd", Required: true,
		Note: "The vendor's provider (sub-processor). Matched on provider_lei, then provider_domain, then the name without " +
			"punctuation or legal form (\"Nimbus Cloud, Inc.\" is \"nimbus cloud\"); with no match a vendor record of status " +
			"fourth_party is created.",
		Synonyms: []string{"sub-processor", "subprocessor", "sub processor", "provider name", "fourth party"}},
	{Field: "provider_lei", Header: "Provider LEI", Type: ColText, Example: "529900T8BM49AURSDO55",
		Note: "The provider's ISO 17442 Legal Entity Identifier (check digits verified); matched first."},
	{Field: "provider_domain", Header: "Provider domain", Type: ColText, Example: "nimbus-cloud.example",
		Note: "The provider's main internet domain; matched when no LEI matches."},
	{Field: "service", Header: "Service", Type: ColEnum, Example: "hosting", Required: true,
		Values: enumValues(register.ProvidedServices...), Note: "What the provider does for the vendor: " + register.ProvidedServiceNames + "."},
	{Field: "data_categories", Header: "Data categories", Type: ColList, Example: "cardholder_data",
		Note: "The data categories of ours that flow to the provider, comma-separated codes (GET /api/v1/data-categories): " +
			"only categories the vendor holds (its data handling, or what reaches it from a vendor above)."},
	{Field: "countries", Header: "Countries", Type: ColList, Example: "IE, DE", List: ListCountries,
		Note: "Where the provider stores and processes them: ISO 3166-1 alpha-2 codes, comma-separated."},
	{Field: "source", Header: "Source", Type: ColEnum, Example: "published_list", Required: true,
		Values: enumValues(register.DependencySources...),
		Note:   "Where we learnt of the dependency: " + register.DependencySourceNames + " (the vendor's published sub-processor list)."},
	{Field: "as_of", Header: "As of", Type: ColDate, Example: "2026-01-31", Required: true,
		Note: "The date the dependency was known to hold.", Synonyms: []string{"as of date", "date"}},
	{Field: "evidence_ref", Header: "Evidence", Type: ColText, Example: "https://vendor.example/subprocessors",
		Note: "A document, URL or evidence id backing the edge.", Synonyms: []string{"evidence ref", "evidence reference"}},
	{Field: "notes", Header: "Notes", Type: ColText, Note: "Free text."},
}

type dependencyImporter struct {
	s       *ImportService
	vendors *vendorResolver
	seen    map[string]int                         // vendor/provider/service -> first row
	edges   map[string][]register.Dependency       // vendor id -> its stored edges
	created map[string]*register.Vendor            // providers created by this file, by lei:, domain: and name: keys
	pending map[string][]string                    // planned edges: vendor id -> provider ids
	flows   map[string][]string                    // categories planned edges carry into a provider
	held    map[string][]string                    // vendor id -> categories it holds (stored)
	byKey   map[string]map[string]*register.Vendor // lei / domain / name key -> vendor records
}

func newDependencyImporter(s *ImportService) *dependencyImporter {
	return &dependencyImporter{s: s, vendors: newVendorResolver(s.Imports), seen: map[string]int{},
		edges: map[string][]register.Dependency{}, created: map[string]*register.Vendor{}, pending: map[string][]string{},
		flows: map[string][]string{}, held: map[string][]string{}}
}

// dependencyOp is what apply writes for one row: the provider to create
// first (nil when it exists), then the edge to create or update.
type dependencyOp struct {
	provider *register.Vendor
	vendorID string
	id       string // "" to create
	version  int64
	in       register.DependencyInput
}

// providerKeys are the keys a provider row is matched on, in order.
func providerKeys(r *importRow) (lei, dom, name string) {
	return strings.ToUpper(r.cells["provider_lei"]), register.NormalizeDomain(r.cells["provider_domain"]),
		register.MatchKey(r.cells["provider"])
}

func (k *dependencyImporter) plan(ctx context.Context, rows []*importRow) error {
	if err := k.vendors.resolve(ctx, rows); err != nil {
		return err
	}
	var leis, domains, names []string
	for _, r := range rows {
		lei, dom, name := providerKeys(r)
		if lei != "" {
			leis = append(leis, lei)
		}
		if dom != "" {
			domains = append(domains, dom)
		}
		if name != "" {
			names = append(names, name)
		}
	}
	found, err := k.s.Imports.ProvidersByKeys(ctx, leis, domains, names)
	if err != nil {
		return err
	}
	k.byKey = map[string]map[string]*register.Vendor{}
	add := func(key string, v *register.Vendor) {
		if k.byKey[key] == nil {
			k.byKey[key] = map[string]*register.Vendor{}
		}
		k.byKey[key][v.ID] = v
	}
	for i := range found {
		v := &found[i]
		if v.LEI != "" {
			add("lei:"+v.LEI, v)
		}
		if v.Domain != "" {
			add("domain:"+v.Domain, v)
		}
		add("name:"+register.MatchKey(v.Name), v)
	}
	for _, r := range rows {
		if err := k.planRow(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// provider finds the row's provider: on its LEI, then its domain, then its
// name's match key, among the stored vendors and then those this file
// creates; nil with no match (the row fails when the match is ambiguous).
func (k *dependencyImporter) provider(r *importRow) (v *register.Vendor, ok bool) {
	lei, dom, name := providerKeys(r)
	for _, key := range []string{"lei:" + lei, "domain:" + dom, "name:" + name} {
		if strings.HasSuffix(key, ":") {
			continue
		}
		switch m := k.byKey[key]; len(m) {
		case 0:
		case 1:
			for _, v := range m {
				return v, true
			}
		default:
			r.fail("provider", "matches %s (%s); give the provider's LEI or domain to say which",
				domain.Count(len(m), "vendor", "vendors"), strings.TrimPrefix(key, "name:"))
			return nil, false
		}
		if v := k.created[key]; v != nil {
			return v, true
		}
	}
	return nil, true
}

func (k *dependencyImporter) planRow(ctx context.Context, r *importRow) error {
	v := k.vendors.vendor(r)
	if r.cells["provider"] == "" {
		r.fail("provider", "is required: the provider's name")
	}
	if lei := strings.ToUpper(r.cells["provider_lei"]); lei != "" {
		if err := register.ValidLEI(lei); err != nil {
			r.fail("provider_lei", "%s", err.Error())
		}
	}
	if v == nil || r.failed() {
		return nil
	}
	p, ok := k.provider(r)
	if !ok {
		return nil
	}
	var create *register.Vendor
	if p == nil {
		now := k.s.Clock.Now()
		nv := register.Vendor{ID: domain.NewID(), Status: register.StatusFourthParty,
			Criticality: register.DefaultVendorCriticality, Version: 1, CreatedAt: now, UpdatedAt: now}
		status := register.StatusFourthParty
		lei, dom := strings.ToUpper(r.cells["provider_lei"]), r.cells["provider_domain"]
		if err := nv.Apply(register.VendorInput{Name: r.text("provider"), Status: &status, LEI: &lei, Domain: &dom}); err != nil {
			_ = r.addErr(err, func(f string) string {
				return map[string]string{"name": "provider", "lei": "provider_lei", "domain": "provider_domain"}[f]
			})
			return nil
		}
		p, create = &nv, &nv
	}
	in := register.DependencyInput{ProviderID: &p.ID,
		Service:     enumCell(r, "service", register.ProvidedService.Valid, register.ProvidedServiceNames),
		Source:      enumCell(r, "source", register.DependencySource.Valid, register.DependencySourceNames),
		AsOf:        r.date("as_of"),
		EvidenceRef: r.text("evidence_ref"),
		Notes:       r.text("notes")}
	if r.has("data_categories") {
		cats := r.list("data_categories")
		in.DataCategories = &cats
	}
	if r.has("countries") {
		cs := r.list("countries")
		in.Countries = &cs
	}
	if r.failed() {
		return nil
	}
	key := v.ID + "/" + p.ID + "/" + r.cells["service"]
	if first, dup := k.seen[key]; dup {
		r.fail("provider", "duplicates row %d: each vendor, provider and service may appear once in a file", first)
		return nil
	}
	k.seen[key] = r.result.Row
	stored, err := k.vendorEdges(ctx, v.ID)
	if err != nil {
		return err
	}
	var target *register.Dependency
	id := r.cells["id"]
	for i := range stored {
		e := &stored[i]
		if (id != "" && e.ID == id) || (id == "" && e.ProviderID == p.ID && in.Service != nil && e.Service == *in.Service) {
			target = e
		}
	}
	if id != "" && target == nil {
		r.fail("id", "no edge with id %s starts from vendor %q; leave id empty to create one", id, v.Name)
		return nil
	}
	d := register.Dependency{ID: domain.NewID(), VendorID: v.ID, Version: 1}
	if target != nil {
		d = *target
	}
	if err := d.Apply(in); err != nil {
		return r.addErr(err, dependencyField)
	}
	if err := k.check(ctx, r, v, d, create != nil); err != nil || r.failed() {
		return err
	}
	k.pending[v.ID] = append(k.pending[v.ID], p.ID)
	k.flows[p.ID] = append(k.flows[p.ID], d.DataCategories...)
	if create != nil {
		lei, dom, name := providerKeys(r)
		for _, key := range []string{"lei:" + lei, "domain:" + dom, "name:" + name} {
			if !strings.HasSuffix(key, ":") {
				k.created[key] = create
			}
		}
	}
	op := dependencyOp{provider: create, vendorID: v.ID, in: in}
	switch {
	case target == nil:
		r.result.Status = RowCreate
	case sameJSON(dependencyContent(*target), dependencyContent(d)):
		r.result.Status, r.result.Key = RowUnchanged, target.ID
		return nil
	default:
		r.result.Status, r.result.Key = RowUpdate, target.ID
		op.id, op.version = target.ID, target.Version
	}
	r.op = op
	return nil
}

// check refuses what the supply chain service would: categories the vendor
// does not hold, and an edge that closes a cycle through the stored edges
// or those planned earlier in the file (a new provider has no edge yet).
func (k *dependencyImporter) check(ctx context.Context, r *importRow, v *register.Vendor, d register.Dependency, newProvider bool) error {
	held, ok := k.held[v.ID]
	if !ok && len(d.DataCategories) > 0 {
		var err error
		if held, err = k.s.SupplyChain.HeldCategories(ctx, v.ID); err != nil {
			return err
		}
		k.held[v.ID] = held
	}
	for _, c := range d.DataCategories {
		if !slices.Contains(held, c) && !slices.Contains(k.flows[v.ID], c) {
			r.fail("data_categories", "%s does not reach vendor %q: it neither handles it for us (data handling) nor receives it from a vendor above", c, v.Name)
		}
	}
	if newProvider || r.failed() {
		return nil
	}
	// Walk down from the provider over the planned edges; then the stored
	// edges are asked once whether any node reached leads back to the vendor.
	seen := map[string]bool{}
	var nodes []string
	cycle := false
	for next := []string{d.ProviderID}; len(next) > 0 && !cycle; {
		n := next[len(next)-1]
		next = next[:len(next)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		cycle = n == v.ID
		nodes = append(nodes, n)
		next = append(next, k.pending[n]...)
	}
	if !cycle {
		var err error
		if cycle, err = k.s.SupplyChain.Dependencies.Reaches(ctx, nodes, v.ID); err != nil {
			return err
		}
	}
	if cycle {
		r.fail("provider", "would make a cycle: %q already depends on vendor %q down its chain", r.cells["provider"], v.Name)
	}
	return nil
}

// vendorEdges returns the vendor's stored edges, read once per import.
func (k *dependencyImporter) vendorEdges(ctx context.Context, vendorID string) ([]register.Dependency, error) {
	if es, ok := k.edges[vendorID]; ok {
		return es, nil
	}
	es, err := k.s.SupplyChain.Dependencies.ListByVendor(ctx, vendorID)
	if err != nil {
		return nil, fmt.Errorf("edges of vendor %s: %w", vendorID, err)
	}
	k.edges[vendorID] = es
	return es, nil
}

// dependencyField names the column of an edge's field.
func dependencyField(f string) string {
	if f == "provider_id" {
		return "provider"
	}
	return f
}

// dependencyContent is what an import compares: the edge without its
// version and timestamps.
func dependencyContent(d register.Dependency) register.Dependency {
	d.Version, d.CreatedAt, d.UpdatedAt = 0, time.Time{}, time.Time{}
	if d.DataCategories == nil {
		d.DataCategories = []string{}
	}
	if d.Countries == nil {
		d.Countries = []string{}
	}
	return d
}

func (k *dependencyImporter) apply(ctx context.Context, rows []*importRow) error {
	now := k.s.Clock.Now()
	actor := domain.ActorFrom(ctx)
	var providers []register.Vendor
	var events []domain.AuditEvent
	planned := map[string]bool{}
	for _, r := range rows {
		if op, ok := r.op.(dependencyOp); ok && op.provider != nil && !planned[op.provider.ID] {
			planned[op.provider.ID] = true
			p := *op.provider
			p.CreatedAt, p.UpdatedAt = now, now
			providers = append(providers, p)
			events = append(events, domain.AuditEvent{ID: domain.NewID(), At: now, ActorID: actor.ID, ActorName: actor.Name,
				Action: "vendor.create", Entity: "vendor", EntityID: p.ID, RequestID: domain.RequestIDFrom(ctx),
				After: domain.Snapshot(p)})
		}
	}
	if len(providers) > 0 {
		if err := k.s.Imports.CreateVendors(ctx, providers); err != nil {
			return fmt.Errorf("create providers: %w", err)
		}
		if err := k.s.Imports.AppendAudit(ctx, events); err != nil {
			return err
		}
	}
	for _, r := range rows {
		op, ok := r.op.(dependencyOp)
		if !ok {
			continue
		}
		if op.id == "" {
			d, err := k.s.SupplyChain.Create(ctx, op.vendorID, op.in)
			if err != nil {
				return fmt.Errorf("row %d: %w", r.result.Row, err)
			}
			r.result.Key = d.ID
			continue
		}
		if _, err := k.s.SupplyChain.Update(ctx, op.id, op.in, op.version); err != nil {
			return fmt.Errorf("row %d: %w", r.result.Row, err)
		}
	}
	return nil
}
