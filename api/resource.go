package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
)

// The create, get, patch and delete handlers of the versioned resources
// (vendors, contracts, reviews, attestations, incidents, obligations,
// findings) are these steps around the resource's service call and its
// view; each handler names those two.

// requestBody is a JSON request body that converts to the domain's input,
// naming the field of each bad value.
type requestBody[I any] interface {
	toDomain() (I, error)
}

// readBody decodes a JSON body of type B and converts it to the domain's
// input.
func readBody[B requestBody[I], I any](c *gin.Context, maxBody int64) (I, error) {
	var b B
	if err := decodeJSON(c, maxBody, &b); err != nil {
		var zero I
		return zero, err
	}
	return b.toDomain()
}

// createVersioned serves a POST that creates a versioned resource: the
// body of type B, the service's create, then 201 with the view, the ETag
// and the Location (the collection's path and the new id).
func createVersioned[B requestBody[I], I any, E domain.Versioned, V any](c *gin.Context, maxBody int64,
	create func(ctx context.Context, in I) (E, error), view func(E) V) error {
	in, err := readBody[B](c, maxBody)
	if err != nil {
		return err
	}
	e, err := create(c.Request.Context(), in)
	if err != nil {
		return err
	}
	c.Header("Location", c.FullPath()+"/"+e.EntityID())
	writeVersioned(c, http.StatusCreated, e.StoredVersion(), view(e))
	return nil
}

// getByID serves a GET of what the path's :id names: its view, 200.
func getByID[E, V any](c *gin.Context, get func(ctx context.Context, id string) (E, error), view func(E) V) error {
	e, err := get(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, view(e))
	return nil
}

// getVersioned serves a GET of a versioned resource: its view with its
// ETag.
func getVersioned[E domain.Versioned, V any](c *gin.Context, get func(ctx context.Context, id string) (E, error),
	view func(E) V) error {
	e, err := get(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	writeVersioned(c, http.StatusOK, e.StoredVersion(), view(e))
	return nil
}

// patchVersioned serves a PATCH, or a POST that changes a versioned
// resource (a contract's amendment): the version named by If-Match, the
// body of type B, the service's update (without If-Match, on the latest
// version: onLatest), then the view with its new ETag.
func patchVersioned[B requestBody[I], I any, E domain.Versioned, V any](c *gin.Context, maxBody int64,
	update func(ctx context.Context, id string, in I, version int64) (E, error), view func(E) V) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	in, err := readBody[B](c, maxBody)
	if err != nil {
		return err
	}
	var e E
	err = onLatest(c.Request.Context(), version, func() (err error) {
		e, err = update(c.Request.Context(), c.Param("id"), in, version)
		return err
	})
	if err != nil {
		return err
	}
	writeVersioned(c, http.StatusOK, e.StoredVersion(), view(e))
	return nil
}

// deleteVersioned serves a DELETE: the version named by If-Match (without
// it, the latest: onLatest), the service's delete, then 204.
func deleteVersioned(c *gin.Context, del func(ctx context.Context, id string, version int64) error) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	if err := onLatest(c.Request.Context(), version, func() error {
		return del(c.Request.Context(), c.Param("id"), version)
	}); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
