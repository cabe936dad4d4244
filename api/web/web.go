// Package web holds the console's pages: the html/template files and the
// style sheet, embedded in the binary (no build step, nothing fetched at
// run time), and the data each page renders. It decides nothing: the
// handlers in package api call the domain services and hand their
// results to Render.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"reflect"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain"
)

//go:embed templates/*.html static/console.css
var files embed.FS

// CSS is the console's one style sheet (static/console.css), and
// CSSPath the address it is served at: its content hash is in the name,
// so a browser may keep it for a year and still sees every change.
var (
	CSS     = mustRead("static/console.css")
	CSSPath = "/console-" + contentHash(CSS) + ".css"
)

func mustRead(name string) []byte {
	b, err := fs.ReadFile(files, name)
	if err != nil {
		panic(err)
	}
	return b
}

func contentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// Pages are the templates a handler may render.
const (
	PageSignIn   = "signin.html"
	PageOverview = "overview.html"
	PagePassword = "password.html"
	PageError    = "error.html"
	PageVendors  = "vendors.html"
)

var pages = map[string]*template.Template{}

var funcs = template.FuncMap{
	"css":   func() string { return CSSPath },
	"label": func(s string) string { return strings.ReplaceAll(s, "_", " ") },
	"count": func(n int64, one, many string) string { return domain.Count(n, one, many) },
	"len64": func(v any) int64 { return int64(reflect.ValueOf(v).Len()) },
}

func init() {
	for _, p := range []string{PageSignIn, PageOverview, PagePassword, PageError, PageVendors} {
		pages[p] = template.Must(template.New(p).Funcs(funcs).ParseFS(files, "templates/layout.html",
			"templates/parts.html", "templates/"+p))
	}
}

// Render writes page with data.
func Render(w io.Writer, page string, data Page) error {
	t, ok := pages[page]
	if !ok {
		return fmt.Errorf("web: no page %q", page)
	}
	return t.ExecuteTemplate(w, "layout", data)
}
