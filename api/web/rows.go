package web

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"
)

// Long lists write their rows here, in Go, rather than in their
// template: html/template runs each action through reflection and an
// escaper (about 1 µs each), which made a page of 50 vendors cost more
// than twice the CPU of the same page as JSON (BENCHMARKS.md, "Web
// console under load"). The markup is the one the template would write;
// every value is escaped here as it is written.

// rowWriter builds escaped HTML.
type rowWriter struct{ strings.Builder }

// raw writes markup as it is.
func (w *rowWriter) raw(s ...string) {
	for _, x := range s {
		w.WriteString(x)
	}
}

// text writes s escaped for HTML text or a quoted attribute value.
func (w *rowWriter) text(s string) { template.HTMLEscape(w, []byte(s)) }

// tier writes a tier badge, as the "tier" template does.
func (w *rowWriter) tier(t string) {
	w.raw(`<span class="tier tier-`)
	w.text(t)
	w.raw(`">`)
	w.text(t)
	w.raw(`</span>`)
}

// VendorRows writes the rows of the vendor list (vendors.html's tbody).
func VendorRows(rows []VendorRow) template.HTML {
	var w rowWriter
	w.Grow(len(rows) * 900)
	for _, r := range rows {
		w.raw("<tr>\n    <th scope=\"row\"><a href=\"/vendors/")
		w.text(url.PathEscape(r.ID))
		w.raw(`">`)
		w.text(r.Name)
		w.raw(`</a>`)
		if r.Service != "" {
			w.raw(`<span class="sub">`)
			w.text(r.Service)
			w.raw(`</span>`)
		}
		w.raw("</th>\n    <td>")
		w.text(strings.ReplaceAll(string(r.Status), "_", " "))
		w.raw("</td>\n    <td>")
		w.text(strings.ReplaceAll(string(r.Criticality), "_", " "))
		w.raw("</td>\n    <td>")
		w.tier(string(r.Tier))
		score := strconv.Itoa(r.Score)
		if r.Overridden {
			w.raw(` <span class="sub">set by override (score `, score, `)</span>`)
		} else {
			w.raw(` <span class="score" title="inherent score out of 100">`, score, `</span>`)
		}
		w.raw("</td>\n    <td>")
		if r.Residual != nil {
			w.tier(string(r.Residual.Tier))
			w.raw(` <span class="score" title="residual score out of 100">`, strconv.Itoa(r.Residual.Score), `</span>`)
		} else {
			w.raw(`<span class="muted">not scored yet</span>`)
		}
		w.raw("</td>\n    <td>")
		if r.NextReviewDue.IsZero() {
			w.raw(`<span class="muted">never reviewed</span>`)
		} else {
			d := r.NextReviewDue.String()
			w.raw(`<time datetime="`, d, `">`, d, `</time>`)
			if r.ReviewOverdue {
				w.raw(` <strong class="flag">overdue</strong>`)
			}
		}
		w.raw("</td>\n  </tr>\n  ")
	}
	return template.HTML(w.String()) //nolint:gosec // every value above is escaped as it is written
}

// SelectField writes a filter's select as the "select" template of
// parts.html does (a test holds them equal): the vendor list writes its
// five this way, for the same reason as its rows.
func SelectField(s Select) template.HTML {
	var w rowWriter
	name := template.HTMLEscapeString(s.Name)
	w.raw("<p class=\"field\">\n    <label for=\"f-", name, `">`)
	w.text(s.Label)
	w.raw("</label>\n    <select id=\"f-", name, `" name="`, name, "\">\n      ")
	if !s.Required {
		w.raw(`<option value=""`)
		if s.Value == "" {
			w.raw(" selected")
		}
		w.raw(">any</option>")
	}
	w.raw("\n      ")
	for _, o := range s.Options {
		w.raw(`<option value="`)
		w.text(o.Value)
		w.raw(`"`)
		if o.Value == s.Value {
			w.raw(" selected")
		}
		w.raw(">")
		w.text(strings.ReplaceAll(o.Label, "_", " "))
		w.raw("</option>\n      ")
	}
	w.raw("</select>\n  </p>")
	return template.HTML(w.String()) //nolint:gosec // every value above is escaped as it is written
}
