package api

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/reports"
)

// reporters may generate and download reports and read the dashboard.
var reporters = []domain.Role{domain.RoleAdmin, domain.RoleLegal, domain.RoleExecutive, domain.RoleAuditor}

// errNoReports answers report routes on a server built without a report
// service.
var errNoReports = &statusError{Status: http.StatusServiceUnavailable, Detail: "Reports are not configured on this server."}

// reportRequest is the body of POST /api/v1/reports.
type reportRequest struct {
	Kind      string     `json:"kind"`
	VendorIDs []string   `json:"vendor_ids"`
	Tier      string     `json:"tier"`
	Owner     string     `json:"owner"`
	AsOf      *time.Time `json:"as_of"`
}

// runView is a report run with its download link once done.
type runView struct {
	reporting.Run
	DownloadURL string `json:"download_url,omitempty"`
}

func viewRun(r reporting.Run) runView {
	v := runView{Run: r}
	if r.Status == reporting.RunDone {
		v.DownloadURL = "/api/v1/reports/" + r.ID + "/download"
	}
	return v
}

func (h *handlers) createReport(c *gin.Context) error {
	if h.reports == nil {
		return errNoReports
	}
	var in reportRequest
	if err := decodeJSON(c, h.maxBody, &in); err != nil {
		return err
	}
	if in.Kind == "" {
		return domain.Invalid("kind", "is required: audit or executive")
	}
	f := reporting.Filter{VendorIDs: in.VendorIDs, Tier: register.Tier(in.Tier), Owner: in.Owner}
	if in.AsOf != nil {
		f.AsOf = *in.AsOf
	}
	run, err := h.reports.Start(c.Request.Context(), reporting.Kind(in.Kind), f)
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/reports/"+run.ID)
	writeJSON(c, http.StatusAccepted, viewRun(run))
	return nil
}

func (h *handlers) listReports(c *gin.Context) error {
	if h.reports == nil {
		return errNoReports
	}
	return listPage(c, h.reports.List, viewRun)
}

func (h *handlers) getReport(c *gin.Context) error {
	if h.reports == nil {
		return errNoReports
	}
	return getByID(c, h.reports.Get, viewRun)
}

func (h *handlers) downloadReport(c *gin.Context) error {
	if h.reports == nil {
		return errNoReports
	}
	run, fh, err := h.reports.Open(c.Request.Context(), c.Param("id"))
	if errors.Is(err, reports.ErrNotReady) {
		return &statusError{Status: http.StatusConflict,
			Detail: "The report is " + string(run.Status) + ", not done: poll GET /api/v1/reports/" + run.ID + "."}
	}
	if err != nil {
		return err
	}
	defer func() { _ = fh.Close() }()
	sum, _ := hex.DecodeString(run.SHA256)
	c.DataFromReader(http.StatusOK, run.Size, reports.XLSXContentType, fh, map[string]string{
		"Content-Disposition": `attachment; filename="` + strings.ReplaceAll(run.FileName, `"`, "") + `"`,
		"X-Content-SHA256":    run.SHA256,
		"Digest":              "sha-256=" + base64.StdEncoding.EncodeToString(sum),
	})
	return nil
}

func (h *handlers) dashboard(c *gin.Context) error {
	if h.reports == nil {
		return errNoReports
	}
	f := reporting.Filter{VendorIDs: c.QueryArray("vendor_id"), Tier: register.Tier(c.Query("tier")), Owner: c.Query("owner")}
	if s := c.Query("as_of"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return &badRequest{Field: "as_of", Message: "must be an RFC 3339 instant such as 2026-11-01T00:00:00Z"}
		}
		f.AsOf = t
	}
	ex, err := h.reports.Dashboard(c.Request.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, ex)
	return nil
}

// ReportService is the report service the router serves (Deps.Reports).
type ReportService = reports.Service
