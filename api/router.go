package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/dora"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/importing"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/jobrun"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
	"github.com/vendorwatch/vendorwatch/domain/webhook"
	"github.com/vendorwatch/vendorwatch/services"
)

// Deps are what the router needs from the rest of the program.
type Deps struct {
	// Services are the use cases the handlers call (services.New).
	Services *services.Services
	DB       domain.Pinger
	Logger   *slog.Logger
	// Registry receives the HTTP metrics and is served at /metrics; nil
	// makes a private one.
	Registry *prometheus.Registry
	// TrustedProxies are the CIDRs whose X-Forwarded-For is believed; none
	// by default.
	TrustedProxies []string
	// MaxBodyBytes limits JSON request bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxImportBytes limits an uploaded import file (default 32 MiB).
	MaxImportBytes int64
	// Reports generates the audit workbook and the executive report (nil:
	// the report routes answer 503).
	Reports *ReportService
	// RatePerKey limits each API key to this many requests per second,
	// with bursts of RateBurst (0: no limit).
	RatePerKey float64
	RateBurst  int
	// AuthFailureRate limits failed authentications per client address to
	// this many per second, with bursts of AuthFailureBurst (0: no limit);
	// beyond it, requests from the address are refused before their key
	// is looked up.
	AuthFailureRate  float64
	AuthFailureBurst int
	// CookieSecure marks the console's cookies Secure even when requests
	// arrive over plain HTTP (a proxy terminates TLS); they are Secure
	// anyway on a TLS connection.
	CookieSecure bool
	// SSO turns on single sign-on with an OpenID Connect provider (nil:
	// password sign-in only).
	SSO *SSOConfig
	// AuditPublicKey is the verifier key (note form) of the audit log's
	// checkpoints, served at /api/v1/audit/public-key ("": 503 there).
	AuditPublicKey string
}

type handlers struct {
	vendors *register.VendorService
	// supplyChain is the vendors' own providers (fourth parties).
	supplyChain *register.SupplyChainService
	contracts   *contract.ContractService
	incidents   *incident.IncidentService
	reviews     *review.ReviewService
	clock       domain.Clock
	keys        *access.KeyService
	users       *access.UserService
	// signIns throttles failed console sign-ins per account and address.
	signIns      *signInThrottle
	cookieSecure bool
	sso          *ssoClient // nil: no single sign-on
	audit        domain.AuditStore
	auditKey     string // the audit log's public key (note form)
	db           domain.Pinger
	maxBody      int64
	limiter      *keyLimiter   // nil: no rate limit
	authFails    *authThrottle // nil: no throttle of failed authentications
	// idempotency remembers POSTs made with an Idempotency-Key.
	idempotency access.IdempotencyStore

	attestations *attestation.AttestationService
	findings     *finding.FindingService
	imports      *importing.ImportService
	maxImport    int64 // limit of an uploaded import file
	reports      *ReportService
	jobs         *jobrun.JobService
	webhooks     *webhook.WebhookService
	snapshots    *register.SnapshotService
	scan         *finding.ScanService
	dora         *dora.Service
}

// Role sets used by the route table.
var (
	public        []domain.Role // no key needed
	everyone      = domain.Roles
	vendorWriters = []domain.Role{domain.RoleAdmin, domain.RoleVendorManager}
	admins        = []domain.Role{domain.RoleAdmin}
	legalWriters  = []domain.Role{domain.RoleAdmin, domain.RoleLegal}
	// contractWriters may write contracts; a vendor manager only drafts
	// (contract.ContractService checks the status).
	contractWriters = []domain.Role{domain.RoleAdmin, domain.RoleVendorManager, domain.RoleLegal}
	incidentTeam    = []domain.Role{domain.RoleAdmin, domain.RoleVendorManager, domain.RoleLegal}
	jobReaders      = []domain.Role{domain.RoleAdmin, domain.RoleAuditor}
)

// Route is one entry of the route table: who may call what.
type Route struct {
	Method string
	Path   string
	// Roles admitted; nil means public (no key).
	Roles   []domain.Role
	handler func(*gin.Context) error
}

// routes is THE route-by-role table of the API. Every API route is here;
// the role-matrix test walks it. The console's pages are in the same form
// in consoleRoutes (console.go), admitted by session instead of key.
func (h *handlers) routes(metrics http.Handler) []Route {
	return append([]Route{
		{"GET", "/api/v1", public, apiIndex},
		{"GET", "/healthz", public, h.healthz},
		{"GET", "/readyz", public, h.readyz},
		{"GET", "/metrics", everyone, wrapH(metrics)},
		{"GET", "/api/v1/openapi.json", public, serveOpenAPI},

		{"GET", "/api/v1/vendors", everyone, h.listVendors},
		{"POST", "/api/v1/vendors", vendorWriters, h.createVendor},
		{"GET", "/api/v1/vendors/:id", everyone, h.getVendor},
		{"PATCH", "/api/v1/vendors/:id", vendorWriters, h.patchVendor},
		{"DELETE", "/api/v1/vendors/:id", vendorWriters, h.deleteVendor},
		{"GET", "/api/v1/vendors/:id/data-handling", everyone, h.listHandling},
		{"POST", "/api/v1/vendors/:id/data-handling", vendorWriters, h.putHandling},
		{"DELETE", "/api/v1/vendors/:id/data-handling/:category", vendorWriters, h.deleteHandling},
		{"GET", "/api/v1/vendors/:id/providers", everyone, h.listProviders},
		{"POST", "/api/v1/vendors/:id/providers", vendorWriters, h.createDependency},
		{"GET", "/api/v1/dependencies", everyone, h.listDependencies},
		{"GET", "/api/v1/dependencies/:id", everyone, h.getDependency},
		{"PATCH", "/api/v1/dependencies/:id", vendorWriters, h.patchDependency},
		{"DELETE", "/api/v1/dependencies/:id", vendorWriters, h.deleteDependency},
		{"GET", "/api/v1/vendors/:id/supply-chain", everyone, h.supplyChainTree},
		{"GET", "/api/v1/vendors/:id/dependents", everyone, h.dependents},
		{"POST", "/api/v1/vendors/:id/merge", vendorWriters, h.mergeVendor},
		{"GET", "/api/v1/concentration", everyone, h.concentration},
		{"GET", "/api/v1/data-categories", everyone, h.listCategories},
		{"GET", "/api/v1/regimes", everyone, h.listRegimes},

		{"GET", "/api/v1/audit-events", everyone, h.listAudit},
		{"GET", "/api/v1/audit/public-key", everyone, h.auditPublicKey},

		{"GET", "/api/v1/api-keys", admins, h.listKeys},
		{"POST", "/api/v1/api-keys", admins, h.createKey},
		{"GET", "/api/v1/api-keys/:id", admins, h.getKey},
		{"DELETE", "/api/v1/api-keys/:id", admins, h.revokeKey},

		{"GET", "/api/v1/reviews", everyone, h.listReviews},
		{"POST", "/api/v1/reviews", vendorWriters, h.createReview},
		{"GET", "/api/v1/reviews/:id", everyone, h.getReview},
		{"PATCH", "/api/v1/reviews/:id", vendorWriters, h.patchReview},
		{"DELETE", "/api/v1/reviews/:id", vendorWriters, h.deleteReview},
		{"GET", "/api/v1/review-cadence", everyone, h.getReviewCadence},

		{"GET", "/api/v1/attestation-kinds", everyone, h.listAttestationKinds},
		{"GET", "/api/v1/attestations", everyone, h.listAttestations},
		{"POST", "/api/v1/attestations", vendorWriters, h.createAttestation},
		{"GET", "/api/v1/attestations/:id", everyone, h.getAttestation},
		{"PATCH", "/api/v1/attestations/:id", vendorWriters, h.patchAttestation},
		{"DELETE", "/api/v1/attestations/:id", vendorWriters, h.deleteAttestation},
		{"POST", "/api/v1/attestations/:id/evidence", vendorWriters, h.uploadEvidence},
		{"GET", "/api/v1/attestations/:id/evidence", everyone, h.downloadEvidence},
		{"GET", "/api/v1/vendors/:id/evidence-status", everyone, h.vendorEvidenceStatus},

		{"GET", "/api/v1/contracts", everyone, h.listContracts},
		{"POST", "/api/v1/contracts", contractWriters, h.createContract},
		{"GET", "/api/v1/contracts/:id", everyone, h.getContract},
		{"PATCH", "/api/v1/contracts/:id", contractWriters, h.patchContract},
		{"DELETE", "/api/v1/contracts/:id", contractWriters, h.deleteContract},
		{"POST", "/api/v1/contracts/:id/amendments", legalWriters, h.amendContract},
		{"GET", "/api/v1/contracts/:id/clause-versions", everyone, h.listClauseVersions},
		{"GET", "/api/v1/contracts/:id/breach-notification", everyone, h.getClauseAt},
		{"GET", "/api/v1/contracts/:id/clause-audit", everyone, h.contractClauseAudit},
		{"GET", "/api/v1/vendors/:id/clause-audit", everyone, h.vendorClauseAudit},
		{"GET", "/api/v1/clause-policy", everyone, h.getClausePolicy},

		{"GET", "/api/v1/incidents", everyone, h.listIncidents},
		{"POST", "/api/v1/incidents", incidentTeam, h.createIncident},
		{"GET", "/api/v1/incidents/:id", everyone, h.getIncident},
		{"PATCH", "/api/v1/incidents/:id", incidentTeam, h.patchIncident},
		{"GET", "/api/v1/incidents/:id/timeline", everyone, h.listTimeline},
		{"POST", "/api/v1/incidents/:id/timeline", incidentTeam, h.appendTimeline},
		{"GET", "/api/v1/vendors/:id/notification-history", everyone, h.notificationHistory},
		{"GET", "/api/v1/metrics/notification-timeliness", everyone, h.portfolioTimeliness},
		{"GET", "/api/v1/incidents/:id/obligations", everyone, h.listObligations},
		{"PATCH", "/api/v1/obligations/:id", legalWriters, h.patchObligation},
		{"GET", "/api/v1/incidents/:id/blast-radius", everyone, h.blastRadius},
		{"POST", "/api/v1/incidents/:id/notice-evidence", incidentTeam, h.uploadNotice},
		{"GET", "/api/v1/incidents/:id/notice-evidence", everyone, h.downloadNotice},

		{"GET", "/api/v1/jobs/runs", jobReaders, h.listJobRuns},
		{"GET", "/api/v1/jobs/runs/:id", jobReaders, h.getJobRun},
		{"POST", "/api/v1/jobs/:name/run", admins, h.runJob},
		{"GET", "/api/v1/webhooks", admins, h.listWebhooks},
		{"POST", "/api/v1/webhooks", admins, h.createWebhook},
		{"GET", "/api/v1/webhooks/:id", admins, h.getWebhook},
		{"DELETE", "/api/v1/webhooks/:id", admins, h.deleteWebhook},
		{"POST", "/api/v1/webhooks/:id/disable", admins, h.disableWebhook},
		{"POST", "/api/v1/webhooks/:id/enable", admins, h.enableWebhook},
		{"GET", "/api/v1/webhooks/:id/deliveries", admins, h.listWebhookDeliveries},
		{"GET", "/api/v1/vendors/:id/risk-history", everyone, h.riskHistory},
		{"GET", "/api/v1/vendors/:id/risk", everyone, h.vendorRisk},
		{"GET", "/api/v1/residual-config", everyone, h.getResidualConfig},

		{"GET", "/api/v1/imports/templates/:file", everyone, h.getImportTemplate},
		{"POST", "/api/v1/imports", importers, h.createImport},
		{"GET", "/api/v1/imports/:id", importers, h.getImport},

		{"GET", "/api/v1/rules", everyone, h.listRules},
		{"GET", "/api/v1/findings", everyone, h.listFindings},
		{"GET", "/api/v1/findings/:id", everyone, h.getFinding},
		{"PATCH", "/api/v1/findings/:id", incidentTeam, h.patchFinding},

		{"POST", "/api/v1/reports", reporters, h.createReport},
		{"GET", "/api/v1/reports", reporters, h.listReports},
		{"GET", "/api/v1/reports/:id", reporters, h.getReport},
		{"GET", "/api/v1/reports/:id/download", reporters, h.downloadReport},
		{"GET", "/api/v1/dashboard", reporters, h.dashboard},
	}, h.doraRoutes()...)
}

// Routes returns the route table (for tests and documentation).
func Routes() []Route {
	h := &handlers{}
	return h.routes(http.NotFoundHandler())
}

// New builds the router.
func New(d Deps) (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, err
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = 1 << 20
	}
	if err := loadOpenAPI(); err != nil {
		return nil, err
	}
	svc := d.Services
	h := &handlers{vendors: svc.Vendors, contracts: svc.Contracts, incidents: svc.Incidents, reviews: svc.Reviews,
		attestations: svc.Attestations, keys: svc.Keys, audit: svc.Audit, clock: svc.Clock, db: d.DB, maxBody: d.MaxBodyBytes,
		idempotency: svc.Idempotency, users: svc.Users, signIns: newSignInThrottle(), cookieSecure: d.CookieSecure}
	if d.RatePerKey > 0 {
		h.limiter = newKeyLimiter(d.RatePerKey, d.RateBurst)
	}
	if d.AuthFailureRate > 0 {
		h.authFails = &authThrottle{buckets: newKeyLimiter(d.AuthFailureRate, d.AuthFailureBurst)}
	}
	h.findings, h.scan = svc.Findings, svc.Scan
	h.supplyChain = svc.SupplyChain
	h.imports, h.maxImport = svc.Imports, d.MaxImportBytes
	h.reports = d.Reports
	h.auditKey = d.AuditPublicKey
	h.sso = newSSOClient(d.SSO)
	h.jobs, h.webhooks, h.snapshots = svc.Jobs, svc.Webhooks, svc.Snapshots
	h.dora = svc.Dora
	metrics := newHTTPMetrics(d.Registry)
	r.Use(requestID(d.Logger), accessLog, recovery, securityHeaders, metrics.handle)
	r.NoRoute(func(c *gin.Context) { writeError(c, domain.ErrNotFound) })
	r.NoMethod(func(c *gin.Context) {
		writeError(c, &statusError{Status: http.StatusMethodNotAllowed, Detail: "This method is not allowed on this resource."})
	})
	promHandler := promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{})
	for _, rt := range h.routes(promHandler) {
		serve := handle(rt.handler)
		chain := []gin.HandlerFunc{strictRequest, serve}
		if rt.Roles != nil {
			chain = []gin.HandlerFunc{h.authorize(rt.Roles), strictRequest, h.idempotent, serve}
		}
		r.Handle(rt.Method, rt.Path, chain...)
	}
	for _, rt := range h.consoleRoutes() {
		serve := handlePage(rt.handler)
		chain := []gin.HandlerFunc{strictRequest, serve}
		if rt.Roles != nil {
			chain = []gin.HandlerFunc{h.session(rt.Roles), strictRequest, serve}
		}
		r.Handle(rt.Method, rt.Path, chain...)
	}
	return r, nil
}

func (h *handlers) healthz(c *gin.Context) error {
	writeJSON(c, http.StatusOK, gin.H{"status": "ok"})
	return nil
}

func (h *handlers) readyz(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.db.Ping(ctx); err != nil {
		return &statusError{Status: http.StatusServiceUnavailable, Detail: "The database does not answer."}
	}
	writeJSON(c, http.StatusOK, gin.H{"status": "ok"})
	return nil
}
