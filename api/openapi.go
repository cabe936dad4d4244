package api

import (
	_ "embed"
	"fmt"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
	"sigs.k8s.io/yaml"
)

// OpenAPIYAML is the OpenAPI 3 document of this API.
//
//go:embed openapi.yaml
var OpenAPIYAML []byte

var (
	openAPIOnce sync.Once
	openAPIJSON []byte
	openAPIErr  error
)

func loadOpenAPI() error {
	openAPIOnce.Do(func() {
		openAPIJSON, openAPIErr = yaml.YAMLToJSON(OpenAPIYAML)
		if openAPIErr != nil {
			openAPIErr = fmt.Errorf("openapi.yaml: %w", openAPIErr)
		}
	})
	return openAPIErr
}

func serveOpenAPI(c *gin.Context) error {
	c.Data(http.StatusOK, "application/json", openAPIJSON)
	return nil
}
