package api

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/api/web"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/importing"
	"github.com/vendorwatch/vendorwatch/reports/spreadsheet"
)

// importTemplates link each kind's template workbook, served to the
// console's session at the path of the API's.
func importTemplates() []web.Link {
	notes := map[importing.ImportKind]string{
		importing.ImportVendors:      "one row per vendor",
		importing.ImportDataHandling: "one row per vendor and category of data",
		importing.ImportContracts:    "one row per contract, with its breach-notification clause",
		importing.ImportAttestations: "one row per audit report or certificate",
		importing.ImportDependencies: "one row per vendor, sub-processor and service (dry runs only for now)",
	}
	out := make([]web.Link, len(importing.ImportKinds))
	for i, k := range importing.ImportKinds {
		out[i] = web.Link{Name: strings.ReplaceAll(string(k), "_", " ") + " template (.xlsx)",
			Path: "/onboarding/import/templates/" + string(k) + ".xlsx", Note: notes[k]}
	}
	return out
}

// importForm is the upload form: a kind and a file, previewed (a dry
// run) or, with the SHA-256 of the file previewed, committed.
func (h *handlers) importForm(c *gin.Context, mode importing.ImportMode, vals url.Values, errs domain.FieldErrors) *web.Form {
	kinds := make([]web.Option, len(importing.ImportKinds))
	for i, k := range importing.ImportKinds {
		kinds[i] = web.Option{Value: string(k), Label: string(k)}
	}
	f := &web.Form{Action: "/onboarding/import", CSRF: pageCSRF(c), Multipart: true,
		Hidden: []web.Hidden{{Name: "mode", Value: string(mode)}}, Submit: "Preview the import"}
	fields := []web.Field{
		{Name: "kind", Label: "What the workbook holds", Type: "select", Required: true, Options: kinds},
		{Name: "file", Label: "Workbook", Type: "file", Required: true, Accept: ".xlsx,.csv",
			Hint: "An .xlsx workbook or a CSV file, at most " + byteSize(h.maxImportBytes()) + "."},
	}
	if mode == importing.ImportCommit {
		f.Hidden = append(f.Hidden, web.Hidden{Name: "kind", Value: vals.Get("kind")},
			web.Hidden{Name: "sha256", Value: vals.Get("sha256")}, web.Hidden{Name: "file_name", Value: vals.Get("file_name")})
		fields = fields[1:]
		fields[0].Label, fields[0].Hint = "The same workbook again", "The file previewed: "+vals.Get("file_name")+"."
		f.Submit = "Commit the import"
	}
	f.Fieldsets = []web.Fieldset{{Fields: fields}}
	f.Errors = fillForm(f.Fieldsets, vals, errs)
	return f
}

// importPage serves GET /onboarding/import: the templates and the
// upload form.
func (h *handlers) importPage(c *gin.Context) error {
	h.renderImport(c, http.StatusOK, web.Import{Form: h.importForm(c, importing.ImportDryRun, url.Values{}, nil)})
	return nil
}

func (h *handlers) renderImport(c *gin.Context, status int, body web.Import) {
	body.Templates = importTemplates()
	renderPage(c, status, web.PageImport, web.Page{Title: "Import from a spreadsheet", User: pageUser(c),
		CSRF: pageCSRF(c), Nav: "onboarding", Body: body})
}

// importFile serves POST /onboarding/import: the file streamed to a
// temporary file and run through POST /api/v1/imports's call. A dry run
// shows each row's errors and, when there is none, the form that commits
// the same file (its SHA-256 must match the one previewed); a commit
// writes every row or none.
func (h *handlers) importFile(c *gin.Context) error {
	vals := url.Values{}
	up, err := h.receiveImport(c, vals)
	if up != nil {
		defer up.remove()
	}
	var res importing.ImportResult
	if err == nil {
		var src spreadsheet.Source
		src, _, err = spreadsheet.OpenFile(up.path, h.maxImportBytes())
		if err == nil {
			defer src.Close()
			res, err = h.imports.Run(c.Request.Context(), importing.ImportRequest{
				Kind: importing.ImportKind(vals.Get("kind")), Mode: importing.ImportMode(vals.Get("mode")),
				FileName: up.name, FileSHA256: up.sha256, FileSize: up.size, Source: src})
		}
	}
	mode := importing.ImportMode(vals.Get("mode"))
	if errors.Is(err, domain.ErrForbidden) {
		err = &domain.ForbiddenError{Field: "kind", Message: "your role may import contracts only"}
	}
	if status, fe, ok := formFailure(err); ok {
		for i := range fe {
			if fe[i].Field != "kind" {
				fe[i].Field = "file" // the file's own problems (its header, its format) are the file field's
			}
		}
		if mode == importing.ImportCommit && vals.Get("sha256") != "" {
			h.renderImport(c, status, web.Import{Commit: h.importForm(c, importing.ImportCommit, vals, fe),
				Form: h.importForm(c, importing.ImportDryRun, url.Values{}, nil)})
			return nil
		}
		h.renderImport(c, status, web.Import{Form: h.importForm(c, importing.ImportDryRun, vals, fe)})
		return nil
	}
	if err != nil {
		return err
	}
	body := web.Import{Result: &res, Form: h.importForm(c, importing.ImportDryRun, url.Values{"kind": {string(res.Kind)}}, nil)}
	for _, r := range res.Rows {
		if len(r.Errors) > 0 {
			body.ErrorRows = append(body.ErrorRows, r)
		}
	}
	status := http.StatusOK
	switch {
	case res.Status == importing.ImportStatusRejected:
		status = http.StatusUnprocessableEntity
	case res.Status == importing.ImportStatusDryRun && res.Summary.Error == 0:
		body.Commit = h.importForm(c, importing.ImportCommit, url.Values{"kind": {string(res.Kind)}, "sha256": {res.FileSHA256},
			"file_name": {res.FileName}}, nil)
	}
	h.renderImport(c, status, body)
	return nil
}

// receiveImport reads the import form's parts into vals (kind, mode,
// sha256) and spools its file, checking the kind and mode (and the
// caller's role for the kind) before the file is read, and that a commit
// sends the file previewed.
func (h *handlers) receiveImport(c *gin.Context, vals url.Values) (*spooled, error) {
	fields, part, err := multipartFields(c)
	if isTooLarge(err) {
		return nil, importTooLarge(h.maxImportBytes())
	}
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"kind", "mode", "sha256", "file_name"} {
		vals.Set(name, fields[name])
	}
	kind, mode := importing.ImportKind(vals.Get("kind")), importing.ImportMode(vals.Get("mode"))
	if err := checkImportParams(c, kind, mode); err != nil {
		return nil, err
	}
	if part == nil || part.FileName() == "" {
		return nil, domain.Invalid("file", "is required: choose the workbook")
	}
	up, err := spool(part, h.maxImportBytes())
	if err != nil {
		return nil, err
	}
	up.name = domain.SanitizeEvidenceName(part.FileName())
	if mode == importing.ImportCommit && up.sha256 != vals.Get("sha256") {
		return up, domain.Invalid("file", "is not the file previewed: preview this file first, then commit it")
	}
	return up, nil
}
