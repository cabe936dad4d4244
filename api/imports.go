package api

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/importing"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/reports/spreadsheet"
)

// importers may run imports; legal only of contracts (checked per kind).
var importers = []domain.Role{domain.RoleAdmin, domain.RoleVendorManager, domain.RoleLegal}

// getImportTemplate serves GET /api/v1/imports/templates/{kind}.xlsx.
func (h *handlers) getImportTemplate(c *gin.Context) error {
	name, ok := strings.CutSuffix(c.Param("file"), ".xlsx")
	kind := importing.ImportKind(name)
	if !ok || !kind.Valid() {
		return fmt.Errorf("template %q: %w", c.Param("file"), domain.ErrNotFound)
	}
	vendors, err := h.imports.TemplateVendors(c.Request.Context(), kind, spreadsheet.MaxTemplateVendors)
	if err != nil {
		return err
	}
	c.Header("Content-Type", spreadsheet.XLSXMediaType)
	c.Header("Content-Disposition", `attachment; filename="`+name+`-template.xlsx"`)
	c.Status(http.StatusOK)
	if err := spreadsheet.WriteTemplate(c.Writer, kind, vendors); err != nil {
		logFrom(c).Error("write import template", "error", err.Error())
	}
	return nil
}

// getImport serves GET /api/v1/imports/{id}.
func (h *handlers) getImport(c *gin.Context) error {
	return getByID(c, h.imports.Get, identity[importing.ImportResult])
}

// createImport serves POST /api/v1/imports: a multipart/form-data body
// with the file in the part named file. kind and mode come from the query
// string, or from form fields sent before the file part.
func (h *handlers) createImport(c *gin.Context) error {
	kind, mode := importing.ImportKind(c.Query("kind")), importing.ImportMode(c.DefaultQuery("mode", ""))
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "multipart/form-data" {
		return &domain.UploadError{Kind: domain.ErrUnsupportedMediaType, Field: "body",
			Message: "must be multipart/form-data with the spreadsheet in a part named file"}
	}
	limit := h.maxImportBytes()
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+evidenceFormOverhead)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return &badRequest{Field: "body", Message: "malformed multipart/form-data: " + err.Error()}
	}
	var up *spooled
	defer func() {
		if up != nil {
			up.remove()
		}
	}()
	for up == nil {
		part, err := mr.NextPart()
		var tooLarge *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			return &badRequest{Field: "file", Message: "is required: send the spreadsheet as the form field file"}
		case errors.As(err, &tooLarge):
			return importTooLarge(limit)
		case err != nil:
			return &badRequest{Field: "body", Message: "malformed multipart/form-data"}
		}
		switch part.FormName() {
		case "kind", "mode":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			if part.FormName() == "kind" {
				kind = importing.ImportKind(strings.TrimSpace(string(b)))
			} else {
				mode = importing.ImportMode(strings.TrimSpace(string(b)))
			}
		case "file":
			if err := checkImportParams(c, kind, mode); err != nil {
				_ = part.Close()
				return err
			}
			up, err = spool(part, limit)
			if err != nil {
				return err
			}
			if up.name = part.FileName(); up.name != "" {
				up.name = domain.SanitizeEvidenceName(up.name) // stored with the run: no NUL, valid UTF-8
			}
		default:
			_ = part.Close()
			return &badRequest{Field: evidenceFormField(part.FormName()), Message: "is not a known field; the form has kind, mode and file (file last)"}
		}
	}
	src, _, err := spreadsheet.OpenFile(up.path, limit)
	if err != nil {
		return err
	}
	defer src.Close()
	res, err := h.imports.Run(c.Request.Context(), importing.ImportRequest{Kind: kind, Mode: mode, FileName: up.name,
		FileSHA256: up.sha256, FileSize: up.size, Source: src})
	if err != nil {
		return err
	}
	switch res.Status {
	case importing.ImportStatusCommitted:
		c.Header("Location", "/api/v1/imports/"+res.ID)
		writeJSON(c, http.StatusCreated, res)
	case importing.ImportStatusRejected:
		c.Header("Location", "/api/v1/imports/"+res.ID)
		writeJSON(c, http.StatusUnprocessableEntity, res)
	default:
		writeJSON(c, http.StatusOK, res)
	}
	return nil
}

func (h *handlers) maxImportBytes() int64 {
	if h.maxImport > 0 {
		return h.maxImport
	}
	return importing.DefaultMaxImportBytes
}

func importTooLarge(limit int64) error {
	return &domain.UploadError{Kind: domain.ErrEvidenceTooLarge, Field: "file",
		Message: "is larger than the import limit of " + domain.Count(limit, "byte", "bytes") + "; split it into several files"}
}

// checkImportParams validates kind and mode, and that the caller's role
// may import this kind (legal: contracts only).
func checkImportParams(c *gin.Context, kind importing.ImportKind, mode importing.ImportMode) error {
	var fe domain.FieldErrors
	if !kind.Valid() {
		fe.Add("kind", "is required: %s (query string, or a form field before file)", importing.ImportKindNames)
	}
	if !mode.Valid() {
		fe.Add("mode", "is required: dry_run or commit (query string, or a form field before file)")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if domain.ActorFrom(c.Request.Context()).Role == domain.RoleLegal && kind != importing.ImportContracts {
		return domain.ErrForbidden
	}
	return nil
}

// spooled is an upload saved to a temporary file (excelize needs random
// access), with its SHA-256.
type spooled struct {
	path, name, sha256 string
	size               int64
}

func (s *spooled) remove() { _ = os.Remove(s.path) }

func spool(r io.Reader, limit int64) (*spooled, error) {
	f, err := os.CreateTemp("", "vw-import-*")
	if err != nil {
		return nil, err
	}
	s := &spooled{path: f.Name()}
	h := sha256.New()
	w := bufio.NewWriter(io.MultiWriter(f, h))
	n, err := io.Copy(w, io.LimitReader(r, limit+1))
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge), err == nil && n > limit:
		s.remove()
		return nil, importTooLarge(limit)
	case err != nil:
		s.remove()
		return nil, &badRequest{Field: "file", Message: "could not be read: " + err.Error()}
	}
	s.size, s.sha256 = n, hex.EncodeToString(h.Sum(nil))
	return s, nil
}

// ---- exports ----

// exportFormat reads ?format=: "" or json for the JSON page, xlsx or csv
// for a file of the whole filtered list.
func exportFormat(c *gin.Context) (spreadsheet.Format, bool, error) {
	switch f := c.Query("format"); f {
	case "", "json":
		return "", false, nil
	case "xlsx":
		return spreadsheet.XLSX, true, nil
	case "csv":
		return spreadsheet.CSV, true, nil
	default:
		return "", false, &badRequest{Field: "format", Message: "must be json, xlsx or csv"}
	}
}

// export streams a whole filtered list in kind's column layout. next
// returns the rows of one keyset batch and the cursor of the next (""
// at the end); only one batch is in memory at a time.
func (h *handlers) export(c *gin.Context, format spreadsheet.Format, name string, cols []importing.ImportColumn,
	next func(ctx context.Context, after string) (rows [][]string, cursor string, err error)) error {
	ctx := c.Request.Context()
	filename := fmt.Sprintf("%s-%s.%s", name, h.clock.Now().UTC().Format("2006-01-02"), format)
	if format == spreadsheet.CSV {
		// CSV streams to the client as it is read; an error after the
		// first byte can only cut the response short.
		c.Header("Content-Type", spreadsheet.CSVMediaType)
		c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
		c.Status(http.StatusOK)
		w, err := spreadsheet.NewColumnsWriter(c.Writer, format, name, cols)
		if err == nil {
			err = pump(ctx, w, next)
		}
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			logFrom(c).Error("export", "list", name, "error", err.Error())
			_ = c.Error(err)
		}
		return nil
	}
	// A workbook is complete only at the end; it is built in a temporary
	// file (excelize's stream writer spills to disk) and then sent.
	tmp, err := os.CreateTemp("", "vw-export-*.xlsx")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bw := bufio.NewWriter(tmp)
	w, err := spreadsheet.NewColumnsWriter(bw, format, name, cols)
	if err == nil {
		err = pump(ctx, w, next)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		return err
	}
	c.DataFromReader(http.StatusOK, size, spreadsheet.XLSXMediaType, tmp, map[string]string{
		"Content-Disposition": `attachment; filename="` + filename + `"`})
	return nil
}

func pump(ctx context.Context, w spreadsheet.Writer, next func(ctx context.Context, after string) ([][]string, string, error)) error {
	after := ""
	for {
		rows, cursor, err := next(ctx, after)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := w.Row(r); err != nil {
				return err
			}
		}
		if cursor == "" {
			return nil
		}
		after = cursor
	}
}

// exportPage is the batch size of exports: the largest page.
var exportPage = domain.PageRequest{Limit: domain.MaxPageLimit}

func (h *handlers) exportVendors(c *gin.Context, format spreadsheet.Format, f register.VendorFilter) error {
	return h.export(c, format, "vendors", importing.ImportColumns(importing.ImportVendors), exportPages(
		func(ctx context.Context, p domain.PageRequest) (domain.Page[register.Vendor], error) {
			return h.vendors.List(ctx, f, p)
		},
		func(_ context.Context, vs []register.Vendor) ([][]string, error) {
			rows := make([][]string, len(vs))
			for i, v := range vs {
				rows[i] = spreadsheet.VendorValues(v)
			}
			return rows, nil
		}))
}

func (h *handlers) exportContracts(c *gin.Context, format spreadsheet.Format, f contract.ContractFilter) error {
	return h.export(c, format, "contracts", importing.ImportColumns(importing.ImportContracts), exportPages(
		func(ctx context.Context, p domain.PageRequest) (domain.Page[contract.ContractView], error) {
			return h.contracts.List(ctx, f, p)
		},
		vendorRows(h, func(cv contract.ContractView) string { return cv.VendorID }, spreadsheet.ContractValues)))
}

func (h *handlers) exportAttestations(c *gin.Context, format spreadsheet.Format, f attestation.AttestationFilter) error {
	return h.export(c, format, "attestations", importing.ImportColumns(importing.ImportAttestations), exportPages(
		func(ctx context.Context, p domain.PageRequest) (domain.Page[attestation.Attestation], error) {
			return h.attestations.List(ctx, f, p)
		},
		vendorRows(h, func(a attestation.Attestation) string { return a.VendorID }, spreadsheet.AttestationValues)))
}

func (h *handlers) exportFindings(c *gin.Context, format spreadsheet.Format, f finding.FindingFilter) error {
	return h.export(c, format, "findings", spreadsheet.FindingColumns, exportPages(
		func(ctx context.Context, p domain.PageRequest) (domain.Page[finding.Finding], error) {
			return h.findings.List(ctx, f, p)
		},
		vendorRows(h, func(x finding.Finding) string { return x.VendorID }, spreadsheet.FindingValues)))
}

// exportPages is the next batch of an export: the page of list after the
// cursor, exportPage at a time, made into rows.
func exportPages[T any](list func(ctx context.Context, p domain.PageRequest) (domain.Page[T], error),
	rows func(ctx context.Context, items []T) ([][]string, error)) func(ctx context.Context, after string) ([][]string, string, error) {
	return func(ctx context.Context, after string) ([][]string, string, error) {
		p := exportPage
		p.After = after
		page, err := list(ctx, p)
		if err != nil {
			return nil, "", err
		}
		out, err := rows(ctx, page.Items)
		if err != nil {
			return nil, "", err
		}
		return out, page.Next, nil
	}
}

// vendorRows makes the rows of a batch of items that each belong to a
// vendor (vendorID), naming the batch's vendors with one query.
func vendorRows[T any](h *handlers, vendorID func(T) string,
	row func(item T, vendor string) []string) func(ctx context.Context, items []T) ([][]string, error) {
	return func(ctx context.Context, items []T) ([][]string, error) {
		ids := make([]string, len(items))
		for i, x := range items {
			ids[i] = vendorID(x)
		}
		refs, err := h.vendorRefs(ctx, ids)
		if err != nil {
			return nil, err
		}
		rows := make([][]string, len(items))
		for i, x := range items {
			rows[i] = row(x, refs[vendorID(x)])
		}
		return rows, nil
	}
}

// vendorRefs names the vendors of one batch (one query).
func (h *handlers) vendorRefs(ctx context.Context, ids []string) (map[string]string, error) {
	vs, err := h.imports.VendorsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(vs))
	for id, v := range vs {
		out[id] = spreadsheet.VendorRef(v)
	}
	return out, nil
}
