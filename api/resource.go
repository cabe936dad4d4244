package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
)

// The create, get, patch and delete handlers of the versioned resources
// (vendors, contracts, reviews, attestations) share these steps; each
// handler keeps its own service call and its own view.

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

// patchVersioned serves the request side of a PATCH: the version named by
// If-Match, the merge patch of type B, then the service's update (without
// If-Match, on the latest version: onLatest).
func patchVersioned[B requestBody[I], I, E any](c *gin.Context, maxBody int64,
	update func(ctx context.Context, id string, in I, version int64) (E, error)) (E, error) {
	var zero E
	version, err := ifMatch(c)
	if err != nil {
		return zero, err
	}
	in, err := readBody[B](c, maxBody)
	if err != nil {
		return zero, err
	}
	var out E
	err = onLatest(c.Request.Context(), version, func() (err error) {
		out, err = update(c.Request.Context(), c.Param("id"), in, version)
		return err
	})
	return out, err
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

// writeVersioned writes a versioned resource with its ETag.
func writeVersioned(c *gin.Context, status int, version int64, body any) {
	setETag(c, version)
	writeJSON(c, status, body)
}
