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
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/incident"
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
	PageVendor   = "vendor.html"
	PageFindings = "findings.html"
	PageFinding  = "finding.html"
)

var pages = map[string]*template.Template{}

var funcs = template.FuncMap{
	"css":         func() string { return CSSPath },
	"label":       func(s string) string { return strings.ReplaceAll(s, "_", " ") },
	"count":       func(n int64, one, many string) string { return domain.Count(n, one, many) },
	"len64":       func(v any) int64 { return int64(reflect.ValueOf(v).Len()) },
	"ts":          instant,
	"days":        days,
	"badge":       badge,
	"span":        span,
	"join":        func(s []string) string { return strings.Join(s, ", ") },
	"num":         thousands,
	"fig":         func(label string, n int64, href string) Figure { return Figure{Label: label, N: n, Href: href} },
	"i64":         func(n int) int64 { return int64(n) },
	"vendorRows":  VendorRows,
	"selectField": SelectField,
	"percent":     func(r float64) string { return strconv.FormatFloat(math.Round(r*100), 'f', 0, 64) + " %" },
}

// thousands writes n with commas between groups of three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// instant writes a time.Time (or *time.Time) in UTC to the minute.
func instant(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	default:
		return fmt.Sprint(v)
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// days says how far a date is from today: "in 12 days", "today",
// "3 days ago".
func days(n int) string {
	switch {
	case n == 0:
		return "today"
	case n > 0:
		return "in " + domain.Count(int64(n), "day", "days")
	default:
		return domain.Count(int64(-n), "day", "days") + " ago"
	}
}

// span writes a lag in hours under two days, else in whole days.
func span(s *incident.Span) string {
	if s == nil {
		return ""
	}
	if s.Hours < 48 {
		return domain.Count(int64(math.Round(s.Hours)), "hour", "hours")
	}
	return domain.Count(int64(math.Round(s.Days)), "day", "days")
}

// Badge classes of the statuses the pages show: good, needs attention
// soon, bad, or neutral. The badge also writes the status, so colour is
// never the only signal.
var badgeClass = map[string]string{
	"met": "b-ok", "current": "b-ok", "on_time": "b-ok",
	"too_weak": "b-warn", "expiring": "b-warn", "pending": "b-warn",
	"missing": "b-bad", "expired": "b-bad", "late": "b-bad", "overdue": "b-bad",
	"succeeded": "b-ok", "running": "b-warn", "failed": "b-bad", "abandoned": "b-bad",
}

// badge writes a status as a badge.
func badge(status string) template.HTML {
	class, ok := badgeClass[status]
	if !ok {
		class = "b-info"
	}
	return template.HTML(`<span class="badge ` + class + `">` + template.HTMLEscapeString(strings.ReplaceAll(status, "_", " ")) + `</span>`)
}

func init() {
	registerPages(PageSignIn, PageOverview, PagePassword, PageError, PageVendors, PageVendor, PageFindings, PageFinding)
}

// registerPages parses each named page with the layout and the shared parts.
// Each area of the console registers its own pages from its own file's
// init, so adding an area touches no other area's list.
func registerPages(names ...string) {
	for _, p := range names {
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
