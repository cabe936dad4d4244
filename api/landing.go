package api

import (
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Link is one of the service's entry points, as a newcomer looks for
// them. serve's start message, the landing page at / and the index at
// /api/v1 all list Links, so they cannot disagree.
type Link struct {
	Name string `json:"name"`
	Path string `json:"path"`
	Note string `json:"note"`
}

// Links are the entry points, relative to the service's base URL. A web
// console, once it exists, is added here and takes over / from landing.
var Links = []Link{
	{"API", "/api/v1", "JSON under /api/v1; every call but this index, the OpenAPI document and the health checks needs Authorization: Bearer <api key>"},
	{"OpenAPI document", "/api/v1/openapi.json", "every route with its roles and its request and response shapes"},
	{"health", "/healthz", "the process answers"},
	{"readiness", "/readyz", "the database answers"},
}

// landingPage is the page at /: where things are.
var landingPage = template.Must(template.New("landing").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vendorwatch</title></head>
<body>
<h1>Vendorwatch</h1>
<p>Third-party vendor risk and contract compliance. This address serves the Vendorwatch REST API:</p>
<ul>
{{range .}}<li><a href="{{.Path}}">{{.Name}}</a> ({{.Path}}): {{.Note}}</li>
{{end}}</ul>
<p>The first start of <code>vendorwatch serve</code> prints an admin API key; <code>vendorwatch apikey create</code> makes more.</p>
</body></html>
`))

// landing serves GET /: a short page that says where things are. It is
// the one handler to replace when a web console is served at /.
func landing(c *gin.Context) error {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(http.StatusOK)
	if err := landingPage.Execute(c.Writer, Links); err != nil {
		logFrom(c).Error("landing page", "error", err.Error())
	}
	return nil
}

// apiIndex serves GET /api/v1: the entry points, as JSON.
func apiIndex(c *gin.Context) error {
	writeJSON(c, http.StatusOK, gin.H{"name": "Vendorwatch API", "version": "v1", "links": Links})
	return nil
}
