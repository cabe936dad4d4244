package register

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// ProvidedService is what a provider does for the vendor that depends on
// it.
type ProvidedService string

// Provided services.
const (
	ServiceHosting           ProvidedService = "hosting"
	ServiceDataStorage       ProvidedService = "data_storage"
	ServicePaymentProcessing ProvidedService = "payment_processing"
	ServiceSupport           ProvidedService = "support"
	ServiceAnalytics         ProvidedService = "analytics"
	ServiceCommunications    ProvidedService = "communications"
	ServiceOther             ProvidedService = "other"
)

// ProvidedServices lists the provided services in order.
var ProvidedServices = []ProvidedService{ServiceHosting, ServiceDataStorage, ServicePaymentProcessing,
	ServiceSupport, ServiceAnalytics, ServiceCommunications, ServiceOther}

// ProvidedServiceNames is the list of provided services for messages.
const ProvidedServiceNames = "hosting, data_storage, payment_processing, support, analytics, communications, other"

// Valid reports whether s is a known provided service.
func (s ProvidedService) Valid() bool { return slices.Contains(ProvidedServices, s) }

// DependencySource is where we learnt of a dependency.
type DependencySource string

// Dependency sources.
const (
	SourceContract      DependencySource = "contract"
	SourcePublishedList DependencySource = "published_list" // the vendor's published sub-processor list
	SourceQuestionnaire DependencySource = "questionnaire"
	SourceManual        DependencySource = "manual"
)

// DependencySources lists the dependency sources in order.
var DependencySources = []DependencySource{SourceContract, SourcePublishedList, SourceQuestionnaire, SourceManual}

// DependencySourceNames is the list of sources for messages.
const DependencySourceNames = "contract, published_list, questionnaire, manual"

// Valid reports whether s is a known source.
func (s DependencySource) Valid() bool { return slices.Contains(DependencySources, s) }

// MaxRank is the deepest rank the supply-chain queries follow: 1 is one of
// our vendors' direct providers, 2 that provider's provider, and so on.
const MaxRank = 5

// Dependency is an edge of the supply chain: VendorID relies on
// ProviderID (another vendor record, often a fourth party) for Service,
// and DataCategories of ours flow to it, stored and processed in
// Countries. One edge per (vendor, provider, service); edges never make a
// cycle.
type Dependency struct {
	ID             string           `json:"id"`
	VendorID       string           `json:"vendor_id"`
	ProviderID     string           `json:"provider_id"`
	Service        ProvidedService  `json:"service"`
	DataCategories []string         `json:"data_categories"` // a subset of what the vendor handles from us; sorted
	Countries      []string         `json:"countries"`       // ISO 3166-1 alpha-2, sorted
	Source         DependencySource `json:"source"`
	AsOf           domain.Date      `json:"as_of"`
	EvidenceRef    string           `json:"evidence_ref"` // a document, URL or evidence id backing the edge
	Notes          string           `json:"notes"`
	Version        int64            `json:"version"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
}

// EntityID is its id; with StoredVersion it makes Dependency a
// domain.Versioned.
func (d Dependency) EntityID() string { return d.ID }

// StoredVersion is the version it was read at.
func (d Dependency) StoredVersion() int64 { return d.Version }

// DependencyInput carries the writable fields of an edge for create and
// patch; nil leaves a field unchanged. The vendor comes from the path.
type DependencyInput struct {
	ProviderID     *string
	Service        *ProvidedService
	DataCategories *[]string
	Countries      *[]string
	Source         *DependencySource
	AsOf           *domain.Date
	EvidenceRef    *string
	Notes          *string
}

// Apply copies the set fields of in onto d and validates the result. It
// checks neither that the provider exists nor the categories against what
// the vendor handles, nor cycles; the service does.
func (d *Dependency) Apply(in DependencyInput) error {
	var fe domain.FieldErrors
	if in.ProviderID != nil {
		d.ProviderID = strings.TrimSpace(*in.ProviderID)
	}
	if in.Service != nil {
		d.Service = *in.Service
	}
	if in.DataCategories != nil {
		d.DataCategories = normalizeCategories(*in.DataCategories, &fe)
	}
	if in.Countries != nil {
		d.Countries = domain.NormalizeCountries("countries", *in.Countries, &fe)
	}
	if in.Source != nil {
		d.Source = *in.Source
	}
	if in.AsOf != nil {
		d.AsOf = *in.AsOf
	}
	if in.EvidenceRef != nil {
		d.EvidenceRef = domain.CheckText(&fe, "evidence_ref", *in.EvidenceRef, false, 500)
	}
	if in.Notes != nil {
		d.Notes = domain.CheckText(&fe, "notes", *in.Notes, false, 2000)
	}
	switch {
	case d.ProviderID == "":
		fe.Add("provider_id", "is required: the id of the provider's vendor record")
	case !domain.ValidID(d.ProviderID):
		fe.Add("provider_id", "must be the id (UUID) of a vendor record")
	case d.ProviderID == d.VendorID:
		fe.Add("provider_id", "a vendor cannot be its own provider")
	}
	if !d.Service.Valid() {
		fe.Add("service", "must be one of %s", ProvidedServiceNames)
	}
	if !d.Source.Valid() {
		fe.Add("source", "must be one of %s", DependencySourceNames)
	}
	if d.AsOf.IsZero() {
		fe.Add("as_of", "is required: the date the dependency was known to hold (YYYY-MM-DD)")
	}
	if d.DataCategories == nil {
		d.DataCategories = []string{}
	}
	if d.Countries == nil {
		d.Countries = []string{}
	}
	return fe.Err()
}

// normalizeCategories checks each code against the catalogue and returns
// them sorted and distinct.
func normalizeCategories(codes []string, fe *domain.FieldErrors) []string {
	out := make([]string, 0, len(codes))
	for i, c := range codes {
		c = strings.TrimSpace(c)
		if _, ok := LookupCategory(c); !ok {
			fe.Add(domain.IndexField("data_categories", i), "unknown data category %s; GET /api/v1/data-categories lists them",
				strconv.Quote(c))
			continue
		}
		out = append(out, c)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ChainLink is one edge of the tree below a vendor, at its rank (1: the
// vendor's direct provider). ParentID is the vendor the edge starts from;
// DataCategories are those of ours that reach the provider along this
// path (each edge's categories, intersected down the path).
type ChainLink struct {
	Rank           int             `json:"rank"`
	DependencyID   string          `json:"dependency_id"`
	ParentID       string          `json:"parent_id"`
	ProviderID     string          `json:"provider_id"`
	ProviderName   string          `json:"provider_name"`
	ProviderStatus VendorStatus    `json:"provider_status"`
	Service        ProvidedService `json:"service"`
	DataCategories []string        `json:"data_categories"`
	Countries      []string        `json:"countries"`
}

// ConcentrationFilter selects the vendors and paths counted by the
// concentration query.
type ConcentrationFilter struct {
	// MinRank keeps providers reached at this rank or deeper (0 or 1: all).
	MinRank int
	// Tier keeps the dependent vendors of this effective tier.
	Tier Tier
	// DataCategory keeps paths along which this category of ours flows.
	DataCategory string
	// Limit is how many providers to return (most depended-on first).
	Limit int
}

// ProviderConcentration is one provider and the vendors of ours that
// depend on it, directly or down the chain (fourth parties are not "ours":
// only vendors in another status count).
type ProviderConcentration struct {
	ProviderID      string       `json:"provider_id"`
	ProviderName    string       `json:"provider_name"`
	ProviderStatus  VendorStatus `json:"provider_status"`
	Vendors         int          `json:"vendors"`          // distinct vendors of ours that depend on it
	CriticalVendors int          `json:"critical_vendors"` // of which critical (effective tier)
	MinRank         int          `json:"min_rank"`         // the shallowest rank it is reached at
	DataCategories  []string     `json:"data_categories"`  // our categories on the edges into it, on counted paths
	Countries       []string     `json:"countries"`        // the countries on those edges
}

// UpstreamVendor is a vendor of ours above a provider whose data flows to
// it: what a provider's incident reaches.
type UpstreamVendor struct {
	VendorID       string   `json:"vendor_id"`
	VendorName     string   `json:"vendor_name"`
	Tier           Tier     `json:"tier"`
	Rank           int      `json:"rank"`            // the shallowest rank of the provider below the vendor
	DataCategories []string `json:"data_categories"` // our categories that reach the provider through the vendor
	Countries      []string `json:"countries"`       // where the provider stores and processes them
	// Jurisdictions are those of the data subjects of these categories
	// (the vendor's data handling), and Records its largest record count
	// among them.
	Jurisdictions []string `json:"jurisdictions"`
	Records       int64    `json:"records"`
}
