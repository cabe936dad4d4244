package api

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/reports/spreadsheet"
)

// listResponse is the envelope of every paginated list.
type listResponse[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// pageRequest reads ?limit= and ?cursor=. Cursors are the store's keyset
// position, base64url-encoded so clients treat them as opaque.
func pageRequest(c *gin.Context) (domain.PageRequest, error) {
	p := domain.PageRequest{Limit: domain.DefaultPageLimit}
	if s, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > domain.MaxPageLimit {
			return p, &badRequest{Field: "limit", Message: "must be an integer from 1 to " + strconv.Itoa(domain.MaxPageLimit)}
		}
		p.Limit = n
	}
	if s := c.Query("cursor"); s != "" {
		raw, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(raw) == 0 || len(raw) > 1024 {
			return p, &badRequest{Field: "cursor", Message: "is not a cursor returned by this list"}
		}
		p.After = string(raw)
	}
	return p, nil
}

func encodeCursor(next string) string {
	if next == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(next))
}

// mapPage converts a domain page to the response envelope.
func mapPage[D, T any](p domain.Page[D], conv func(D) T) listResponse[T] {
	out := listResponse[T]{Items: make([]T, len(p.Items)), NextCursor: encodeCursor(p.Next)}
	for i, d := range p.Items {
		out.Items[i] = conv(d)
	}
	return out
}

// listPage serves a list without filters: the page the query asks for
// (pageRequest), each item in its view.
func listPage[D, T any](c *gin.Context, list func(ctx context.Context, p domain.PageRequest) (domain.Page[D], error),
	view func(D) T) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := list(c.Request.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, mapPage(page, view))
	return nil
}

// listFiltered answers a list request whose page (p) and filter (f) are
// read: the spreadsheet export of f when ?format= asks for one, else the
// page of list, each item in its view. export nil: the resource has no
// export, and ?format= is not read.
func listFiltered[F, D, T any](c *gin.Context, f F, p domain.PageRequest,
	list func(ctx context.Context, f F, p domain.PageRequest) (domain.Page[D], error), view func(D) T,
	export func(c *gin.Context, format spreadsheet.Format, f F) error) error {
	if export != nil {
		if format, ok, err := exportFormat(c); err != nil {
			return err
		} else if ok {
			return export(c, format, f)
		}
	}
	page, err := list(c.Request.Context(), f, p)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, mapPage(page, view))
	return nil
}

// mapList converts a whole list (there is no next page) for JSON: an
// empty list is [].
func mapList[D, T any](items []D, conv func(D) T) listResponse[T] {
	return mapPage(domain.Page[D]{Items: items}, conv)
}

// vendorIDQuery reads an optional ?vendor_id= filter, which must be a
// vendor id.
func vendorIDQuery(c *gin.Context) (string, error) {
	id := c.Query("vendor_id")
	if id != "" && !domain.ValidID(id) {
		return "", &badRequest{Field: "vendor_id", Message: "must be a vendor id (UUID)"}
	}
	return id, nil
}

// enumQuery reads an optional enumerated query parameter.
func enumQuery[T ~string](c *gin.Context, name string, valid func(T) bool, allowed string) (T, error) {
	s := c.Query(name)
	if s == "" {
		return "", nil
	}
	if !valid(T(s)) {
		return "", &badRequest{Field: name, Message: "must be one of " + allowed}
	}
	return T(s), nil
}
