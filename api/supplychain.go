package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/importing"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/reports/spreadsheet"
)

// dependencyJSON is a supply-chain edge as the API shows it.
type dependencyJSON struct {
	ID             string                    `json:"id"`
	VendorID       string                    `json:"vendor_id"`
	ProviderID     string                    `json:"provider_id"`
	Service        register.ProvidedService  `json:"service"`
	DataCategories []string                  `json:"data_categories"`
	Countries      []string                  `json:"countries"`
	Source         register.DependencySource `json:"source"`
	AsOf           domain.Date               `json:"as_of"`
	EvidenceRef    *string                   `json:"evidence_ref"`
	Notes          *string                   `json:"notes"`
	Version        int64                     `json:"version"`
	CreatedAt      time.Time                 `json:"created_at"`
	UpdatedAt      time.Time                 `json:"updated_at"`
}

func toDependencyJSON(d register.Dependency) dependencyJSON {
	return dependencyJSON{ID: d.ID, VendorID: d.VendorID, ProviderID: d.ProviderID, Service: d.Service,
		DataCategories: nonNil(d.DataCategories), Countries: nonNil(d.Countries), Source: d.Source, AsOf: d.AsOf,
		EvidenceRef: null(d.EvidenceRef), Notes: null(d.Notes), Version: d.Version, CreatedAt: d.CreatedAt,
		UpdatedAt: d.UpdatedAt}
}

// dependencyCreate is the body of POST /vendors/{id}/providers.
type dependencyCreate struct {
	ProviderID     *string                    `json:"provider_id"`
	Service        *register.ProvidedService  `json:"service"`
	DataCategories *[]string                  `json:"data_categories"`
	Countries      *[]string                  `json:"countries"`
	Source         *register.DependencySource `json:"source"`
	AsOf           *string                    `json:"as_of"`
	EvidenceRef    *string                    `json:"evidence_ref"`
	Notes          *string                    `json:"notes"`
}

func (in dependencyCreate) toDomain() (register.DependencyInput, error) {
	var fe domain.FieldErrors
	out := register.DependencyInput{ProviderID: in.ProviderID, Service: in.Service, DataCategories: in.DataCategories,
		Countries: in.Countries, Source: in.Source, EvidenceRef: in.EvidenceRef, Notes: in.Notes,
		AsOf: parseDate(&fe, "as_of", in.AsOf)}
	return out, fe.Err()
}

// dependencyPatch is the body of PATCH /dependencies/{id}: a JSON merge
// patch.
type dependencyPatch struct {
	ProviderID     Optional[string]                    `json:"provider_id"`
	Service        Optional[register.ProvidedService]  `json:"service"`
	DataCategories Optional[[]string]                  `json:"data_categories"`
	Countries      Optional[[]string]                  `json:"countries"`
	Source         Optional[register.DependencySource] `json:"source"`
	AsOf           Optional[string]                    `json:"as_of"`
	EvidenceRef    Optional[string]                    `json:"evidence_ref"`
	Notes          Optional[string]                    `json:"notes"`
}

func (p dependencyPatch) toDomain() (register.DependencyInput, error) {
	var fe domain.FieldErrors
	refuseNulls(&fe, nullable{"provider_id", p.ProviderID.Null}, nullable{"service", p.Service.Null},
		nullable{"source", p.Source.Null}, nullable{"as_of", p.AsOf.Null})
	in := register.DependencyInput{ProviderID: patchField(p.ProviderID), Service: patchField(p.Service),
		DataCategories: patchField(p.DataCategories), Countries: patchField(p.Countries), Source: patchField(p.Source),
		EvidenceRef: patchField(p.EvidenceRef), Notes: patchField(p.Notes)}
	if !p.AsOf.Null {
		in.AsOf = parseDate(&fe, "as_of", patchField(p.AsOf))
	}
	return in, fe.Err()
}

func (h *handlers) listProviders(c *gin.Context) error {
	return getByID(c, h.supplyChain.ListProviders, func(ds []register.Dependency) listResponse[dependencyJSON] {
		return mapList(ds, toDependencyJSON)
	})
}

// listDependencies serves GET /api/v1/dependencies: every edge, a keyset
// page in id order, or the whole list as a workbook or CSV in the layout of
// the dependencies import (format=xlsx|csv).
func (h *handlers) listDependencies(c *gin.Context) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	list := func(ctx context.Context, _ struct{}, p domain.PageRequest) (domain.Page[register.Dependency], error) {
		return h.supplyChain.List(ctx, p)
	}
	return listFiltered(c, struct{}{}, p, list, toDependencyJSON, h.exportDependencies)
}

// exportDependencies streams every edge in the dependencies import layout,
// naming each batch's vendors and providers with one query.
func (h *handlers) exportDependencies(c *gin.Context, format spreadsheet.Format, _ struct{}) error {
	return h.export(c, format, "dependencies", importing.ImportColumns(importing.ImportDependencies), exportPages(
		func(ctx context.Context, p domain.PageRequest) (domain.Page[register.Dependency], error) {
			return h.supplyChain.List(ctx, p)
		},
		func(ctx context.Context, ds []register.Dependency) ([][]string, error) {
			ids := make([]string, 0, 2*len(ds))
			for _, d := range ds {
				ids = append(ids, d.VendorID, d.ProviderID)
			}
			vs, err := h.imports.VendorsByID(ctx, ids)
			if err != nil {
				return nil, err
			}
			rows := make([][]string, len(ds))
			for i, d := range ds {
				rows[i] = spreadsheet.DependencyValues(d, spreadsheet.VendorRef(vs[d.VendorID]), vs[d.ProviderID])
			}
			return rows, nil
		}))
}

func (h *handlers) createDependency(c *gin.Context) error {
	in, err := readBody[dependencyCreate](c, h.maxBody)
	if err != nil {
		return err
	}
	d, err := h.supplyChain.Create(c.Request.Context(), c.Param("id"), in)
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/dependencies/"+d.ID)
	writeVersioned(c, http.StatusCreated, d.Version, toDependencyJSON(d))
	return nil
}

func (h *handlers) getDependency(c *gin.Context) error {
	return getVersioned(c, h.supplyChain.Get, toDependencyJSON)
}

func (h *handlers) patchDependency(c *gin.Context) error {
	return patchVersioned[dependencyPatch](c, h.maxBody, h.supplyChain.Update, toDependencyJSON)
}

func (h *handlers) deleteDependency(c *gin.Context) error {
	return deleteVersioned(c, h.supplyChain.Delete)
}

// supplyChainJSON is the answer of GET /vendors/{id}/supply-chain: the
// edges below the vendor, depth first.
type supplyChainJSON struct {
	VendorID string               `json:"vendor_id"`
	MaxRank  int                  `json:"max_rank"`
	Links    []register.ChainLink `json:"links"`
}

func (h *handlers) supplyChainTree(c *gin.Context) error {
	return getByID(c, h.supplyChain.SupplyChain, func(ls []register.ChainLink) supplyChainJSON {
		for i := range ls {
			ls[i].DataCategories, ls[i].Countries = nonNil(ls[i].DataCategories), nonNil(ls[i].Countries)
		}
		return supplyChainJSON{VendorID: c.Param("id"), MaxRank: register.MaxRank, Links: nonNil(ls)}
	})
}

func (h *handlers) dependents(c *gin.Context) error {
	return getByID(c, h.supplyChain.Upstream, func(us []register.UpstreamVendor) listResponse[register.UpstreamVendor] {
		return mapList(us, func(u register.UpstreamVendor) register.UpstreamVendor { return u })
	})
}

// intQuery reads an optional integer query parameter (0 when absent).
func intQuery(c *gin.Context, name string) (int, error) {
	s := c.Query(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, &badRequest{Field: name, Message: "must be a whole number"}
	}
	return n, nil
}

// concentrationFilter reads GET /concentration's filters.
func concentrationFilter(c *gin.Context) (register.ConcentrationFilter, error) {
	var f register.ConcentrationFilter
	var err error
	if f.MinRank, err = intQuery(c, "min_rank"); err != nil {
		return f, err
	}
	if f.Limit, err = intQuery(c, "limit"); err != nil {
		return f, err
	}
	if f.Tier, err = enumQuery(c, "tier", register.Tier.Valid, "critical, high, moderate, low"); err != nil {
		return f, err
	}
	f.DataCategory = c.Query("data_category")
	return f, nil
}

func (h *handlers) concentration(c *gin.Context) error {
	f, err := concentrationFilter(c)
	if err != nil {
		return err
	}
	ps, err := h.supplyChain.Concentration(c.Request.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, mapList(ps, func(p register.ProviderConcentration) register.ProviderConcentration { return p }))
	return nil
}

// mergeBody is the body of POST /vendors/{id}/merge.
type mergeBody struct {
	From string `json:"from"`
}

// mergeJSON is the answer of a merge: the kept record and what moved.
type mergeJSON struct {
	Into   vendorJSON `json:"into"`
	Moved  int        `json:"edges_moved"`
	Joined int        `json:"edges_joined"`
}

func (h *handlers) mergeVendor(c *gin.Context) error {
	var b mergeBody
	if err := decodeJSON(c, h.maxBody, &b); err != nil {
		return err
	}
	if b.From == "" {
		return domain.Invalid("from", "is required: the id of the duplicate record to fold into this one")
	}
	res, err := h.supplyChain.Merge(c.Request.Context(), c.Param("id"), b.From)
	if err != nil {
		return err
	}
	v, err := h.vendors.Get(c.Request.Context(), res.Into.ID)
	if err != nil {
		return err
	}
	writeVersioned(c, http.StatusOK, v.Version, mergeJSON{Into: h.vendorView(v), Moved: res.Moved,
		Joined: res.Joined})
	return nil
}
