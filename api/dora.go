package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/dora"
	"github.com/vendorwatch/vendorwatch/reports/doraroi"
)

// The DORA register of information: its own facts (entities, providers,
// arrangements, functions, ICT services), the pre-flight check and the
// report package.

var (
	doraWriters = []domain.Role{domain.RoleAdmin, domain.RoleLegal}
	doraReaders = []domain.Role{domain.RoleAdmin, domain.RoleLegal, domain.RoleAuditor}
)

// doraRoutes are the register's routes, spliced into the route table.
func (h *handlers) doraRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/dora/entities", doraReaders, h.listDoraEntities},
		{"PUT", "/api/v1/dora/entities/:lei", doraWriters, h.putDoraEntity},
		{"GET", "/api/v1/dora/functions", doraReaders, h.listDoraFunctions},
		{"PUT", "/api/v1/dora/entities/:lei/functions/:function", doraWriters, h.putDoraFunction},
		{"GET", "/api/v1/vendors/:id/dora", doraReaders, h.getDoraProvider},
		{"PUT", "/api/v1/vendors/:id/dora", doraWriters, h.putDoraProvider},
		{"GET", "/api/v1/contracts/:id/dora", doraReaders, h.getDoraArrangement},
		{"PUT", "/api/v1/contracts/:id/dora", doraWriters, h.putDoraArrangement},
		{"GET", "/api/v1/contracts/:id/dora/services", doraReaders, h.listDoraServices},
		{"PUT", "/api/v1/contracts/:id/dora/services/:type", doraWriters, h.putDoraService},
		{"GET", "/api/v1/dora/register/check", doraReaders, h.checkDoraRegister},
		{"GET", "/api/v1/dora/register", doraReaders, h.exportDoraRegister},
	}
}

// doraEntityInput is the body of PUT /dora/entities/{lei}.
type doraEntityInput struct {
	Name               string `json:"name"`
	Country            string `json:"country"`
	EntityType         string `json:"entity_type"`
	Currency           string `json:"currency"`
	CompetentAuthority string `json:"competent_authority"`
	Hierarchy          string `json:"hierarchy"`
	ParentLEI          string `json:"parent_lei"`
	TotalAssetsMinor   *int64 `json:"total_assets_minor"`
}

func (h *handlers) listDoraEntities(c *gin.Context) error {
	es, err := h.dora.Entities(c.Request.Context())
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, listResponse[dora.Entity]{Items: nonNil(es)})
	return nil
}

func (h *handlers) putDoraEntity(c *gin.Context) error {
	var in doraEntityInput
	if err := decodeJSON(c, h.maxBody, &in); err != nil {
		return err
	}
	e, created, err := h.dora.PutEntity(c.Request.Context(), dora.Entity{LEI: c.Param("lei"), Name: in.Name,
		Country: in.Country, EntityType: in.EntityType, Currency: in.Currency, CompetentAuthority: in.CompetentAuthority,
		Hierarchy: in.Hierarchy, ParentLEI: in.ParentLEI, TotalAssetsMinor: in.TotalAssetsMinor})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(c, status, e)
	return nil
}

// doraFunctionInput is the body of PUT /dora/entities/{lei}/functions/{function}.
type doraFunctionInput struct {
	Name                  string      `json:"name"`
	LicensedActivity      string      `json:"licensed_activity"`
	Criticality           string      `json:"criticality"`
	CriticalityReasons    string      `json:"criticality_reasons"`
	LastAssessedOn        domain.Date `json:"last_assessed_on"`
	RTOHours              *int        `json:"rto_hours"`
	RPOHours              *int        `json:"rpo_hours"`
	DiscontinuationImpact string      `json:"discontinuation_impact"`
}

func (h *handlers) listDoraFunctions(c *gin.Context) error {
	fs, err := h.dora.Functions(c.Request.Context())
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, listResponse[dora.Function]{Items: nonNil(fs)})
	return nil
}

func (h *handlers) putDoraFunction(c *gin.Context) error {
	var in doraFunctionInput
	if err := decodeJSON(c, h.maxBody, &in); err != nil {
		return err
	}
	f, err := h.dora.PutFunction(c.Request.Context(), dora.Function{FunctionID: c.Param("function"),
		EntityLEI: c.Param("lei"), Name: in.Name, LicensedActivity: in.LicensedActivity, Criticality: in.Criticality,
		CriticalityReasons: in.CriticalityReasons, LastAssessedOn: in.LastAssessedOn, RTOHours: in.RTOHours,
		RPOHours: in.RPOHours, DiscontinuationImpact: in.DiscontinuationImpact})
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, f)
	return nil
}

// doraProviderInput is the body of PUT /vendors/{id}/dora.
type doraProviderInput struct {
	EUID                   string `json:"euid"`
	PersonType             string `json:"person_type"`
	HQCountry              string `json:"hq_country"`
	UltimateParentVendorID string `json:"ultimate_parent_vendor_id"`
}

func (h *handlers) getDoraProvider(c *gin.Context) error {
	p, err := h.dora.Provider(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, p)
	return nil
}

func (h *handlers) putDoraProvider(c *gin.Context) error {
	var in doraProviderInput
	if err := decodeJSON(c, h.maxBody, &in); err != nil {
		return err
	}
	p, err := h.dora.PutProvider(c.Request.Context(), dora.Provider{VendorID: c.Param("id"), EUID: in.EUID,
		PersonType: in.PersonType, HQCountry: in.HQCountry, UltimateParentVendorID: in.UltimateParentVendorID})
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, p)
	return nil
}

// doraArrangementInput is the body of PUT /contracts/{id}/dora.
type doraArrangementInput struct {
	EntityLEI           string        `json:"entity_lei"`
	Reference           string        `json:"reference"`
	Type                string        `json:"type"`
	OverarchingRef      string        `json:"overarching_ref"`
	AnnualExpense       *domain.Money `json:"annual_expense"`
	GoverningLawCountry string        `json:"governing_law_country"`
	NoticeEntityDays    *int          `json:"notice_entity_days"`
	NoticeProviderDays  *int          `json:"notice_provider_days"`
	TerminationReason   string        `json:"termination_reason"`
}

func (h *handlers) getDoraArrangement(c *gin.Context) error {
	a, err := h.dora.Arrangement(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, a)
	return nil
}

func (h *handlers) putDoraArrangement(c *gin.Context) error {
	var in doraArrangementInput
	if err := decodeJSON(c, h.maxBody, &in); err != nil {
		return err
	}
	a, err := h.dora.PutArrangement(c.Request.Context(), dora.Arrangement{ContractID: c.Param("id"),
		EntityLEI: in.EntityLEI, Reference: in.Reference, Type: in.Type, OverarchingRef: in.OverarchingRef,
		AnnualExpense: in.AnnualExpense, GoverningLawCountry: in.GoverningLawCountry,
		NoticeEntityDays: in.NoticeEntityDays, NoticeProviderDays: in.NoticeProviderDays,
		TerminationReason: in.TerminationReason})
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, a)
	return nil
}

// doraServiceInput is the body of PUT /contracts/{id}/dora/services/{type}.
type doraServiceInput struct {
	StartOn                domain.Date        `json:"start_on"`
	EndOn                  domain.Date        `json:"end_on"`
	ProvisionCountry       string             `json:"provision_country"`
	StoresData             *bool              `json:"stores_data"`
	StorageCountry         string             `json:"storage_country"`
	ProcessingCountry      string             `json:"processing_country"`
	Sensitivity            string             `json:"sensitivity"`
	Reliance               string             `json:"reliance"`
	Substitutability       string             `json:"substitutability"`
	NotSubstitutableReason string             `json:"not_substitutable_reason"`
	LastAuditOn            domain.Date        `json:"last_audit_on"`
	ExitPlan               *bool              `json:"exit_plan"`
	Reintegration          string             `json:"reintegration"`
	DiscontinuationImpact  string             `json:"discontinuation_impact"`
	Alternatives           string             `json:"alternatives"`
	AlternativeProviders   string             `json:"alternative_providers"`
	Functions              []dora.FunctionRef `json:"functions"`
}

func (h *handlers) listDoraServices(c *gin.Context) error {
	ss, err := h.dora.Services(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, listResponse[dora.ICTService]{Items: nonNil(ss)})
	return nil
}

func (h *handlers) putDoraService(c *gin.Context) error {
	var in doraServiceInput
	if err := decodeJSON(c, h.maxBody, &in); err != nil {
		return err
	}
	s, err := h.dora.PutService(c.Request.Context(), dora.ICTService{ContractID: c.Param("id"),
		ServiceType: c.Param("type"), StartOn: in.StartOn, EndOn: in.EndOn, ProvisionCountry: in.ProvisionCountry,
		StoresData: in.StoresData, StorageCountry: in.StorageCountry, ProcessingCountry: in.ProcessingCountry,
		Sensitivity: in.Sensitivity, Reliance: in.Reliance, Substitutability: in.Substitutability,
		NotSubstitutableReason: in.NotSubstitutableReason, LastAuditOn: in.LastAuditOn, ExitPlan: in.ExitPlan,
		Reintegration: in.Reintegration, DiscontinuationImpact: in.DiscontinuationImpact,
		Alternatives: in.Alternatives, AlternativeProviders: in.AlternativeProviders, Functions: nonNil(in.Functions)})
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, s)
	return nil
}

// doraScope reads ?entity=&level=&reference_date=.
func (h *handlers) doraScope(c *gin.Context) (dora.Entity, dora.Scope, error) {
	return h.dora.Scope(c.Request.Context(), c.Query("entity"), dora.Level(c.Query("level")), c.Query("reference_date"))
}

func (h *handlers) checkDoraRegister(c *gin.Context) error {
	filer, sc, err := h.doraScope(c)
	if err != nil {
		return err
	}
	r, err := h.dora.Check(c.Request.Context(), filer, sc)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, r)
	return nil
}

// exportDoraRegister streams the report package. It refuses (409) while
// the check finds errors, unless force=true.
func (h *handlers) exportDoraRegister(c *gin.Context) error {
	filer, sc, err := h.doraScope(c)
	if err != nil {
		return err
	}
	force := c.Query("force")
	if force != "" && force != "true" && force != "false" {
		return domain.Invalid("force", "must be true or false")
	}
	ctx := c.Request.Context()
	if force != "true" {
		r, err := h.dora.Check(ctx, filer, sc)
		if err != nil {
			return err
		}
		if !r.Clean() {
			return &statusError{Status: http.StatusConflict, Detail: r.Summary() +
				" See GET /api/v1/dora/register/check, or pass force=true to build the package anyway."}
		}
	}
	at := h.clock.Now()
	name := doraroi.Name(filer, sc, at) + ".zip"
	c.Header("Content-Type", "application/zip")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Status(http.StatusOK)
	// The package streams straight to the client; a failure half way
	// through can only be logged and cut the response short (the zip is
	// then unreadable: its central directory is missing).
	_, err = doraroi.Write(ctx, c.Writer, h.dora.Source, filer, sc, at)
	if err != nil {
		logFrom(c).ErrorContext(ctx, "dora package cut short", "package", name, "error", err)
		c.Abort()
	}
	return nil
}
