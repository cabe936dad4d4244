package web

import (
	"html/template"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain/importing"
)

// The onboarding area's pages: the guided flow from a new vendor to its
// first review, the vendor profile's edit form, and the spreadsheet
// import with its dry-run preview.
const (
	PageOnboarding = "onboarding.html"
	PageVendorEdit = "vendoredit.html"
	PageImport     = "import.html"
)

func init() {
	for _, p := range []string{PageOnboarding, PageVendorEdit, PageImport} {
		// Like registerPages, with the form parts (forms.html) as well.
		pages[p] = template.Must(template.New(p).Funcs(funcs).ParseFS(files, "templates/layout.html",
			"templates/parts.html", "templates/forms.html", "templates/"+p))
	}
}

// Field is one field of a console form: what it asks, what was typed
// (kept when the form comes back with errors) and the message next to it.
type Field struct {
	Name, Label string
	// Type is how the field is drawn: text, email, url, date, number,
	// textarea, select, checkbox (one box; Value "on" when ticked),
	// checkboxes (several boxes of the same name, Values ticked) or file.
	Type     string
	Value    string
	Values   []string
	Options  []Option
	Required bool
	// Hint says what the field expects, under its label.
	Hint string
	// Error is the message of the field's error ("" without one).
	Error string
	// Accept lists the media types a file field offers to choose.
	Accept string
}

// ID is the field's element id: its name with every character that is
// not a letter, a digit, _ or - made a hyphen, so that it is also a plain
// CSS selector.
func (f Field) ID() string {
	return "f-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return '-'
	}, f.Name)
}

// Ticked reports whether a checkbox of the field with this value is ticked.
func (f Field) Ticked(value string) bool {
	for _, v := range f.Values {
		if v == value {
			return true
		}
	}
	return false
}

// Fieldset groups fields under a legend.
type Fieldset struct {
	Legend string
	Hint   string
	Fields []Field
}

// Hidden is a hidden field of a form.
type Hidden struct {
	Name, Value string
}

// Form is a console form: where it posts, its fields in groups, and the
// messages that belong to no one field.
type Form struct {
	Action string
	// CSRF is the token of the form's csrf field (the page's).
	CSRF string
	// Multipart forms carry a file (multipart/form-data); the CSRF field
	// comes first in them, then Hidden, then the fieldsets.
	Multipart bool
	Hidden    []Hidden
	Fieldsets []Fieldset
	Submit    string
	Errors    []string
}

// HasErrors reports whether the form came back with any error.
func (f *Form) HasErrors() bool {
	if f == nil {
		return false
	}
	if len(f.Errors) > 0 {
		return true
	}
	for _, s := range f.Fieldsets {
		for _, x := range s.Fields {
			if x.Error != "" {
				return true
			}
		}
	}
	return false
}

// Step is one step of the onboarding flow, as its step indicator shows it.
type Step struct {
	Name string
	// Path is the step's page ("" before the vendor exists).
	Path string
	// State is done, current or todo.
	State string
}

// Recorded is one thing a step has recorded so far (a data category, an
// attestation), with an optional action on it.
type Recorded struct {
	Title, Detail string
	Action        *Link
}

// Onboarding is one page of the onboarding flow.
type Onboarding struct {
	Steps  []Step
	Number int // the current step, from 1
	// VendorID and VendorName name the vendor being onboarded ("" on the
	// first step).
	VendorID, VendorName string
	Heading, Intro       string
	// Saved says what was just recorded ("" when nothing was).
	Saved string
	// Recorded lists what the step has recorded so far, under
	// RecordedTitle.
	RecordedTitle string
	Recorded      []Recorded
	Form          *Form
	// Skip leaves the step without recording anything; Next goes on once
	// something is recorded.
	Skip, Next *Link
}

// VendorEdit is the vendor profile's edit form at /vendors/{id}/edit.
type VendorEdit struct {
	VendorID, VendorName string
	Form                 *Form
	// Conflicts are set when the vendor changed since the form was read:
	// nothing was saved; the form now carries the current version.
	Conflicts []Conflict
	// ReadVersion and Version are the version the form was read at and
	// the vendor's version now (on a conflict).
	ReadVersion, Version int64
}

// Conflict is one field whose value sent differs from the value stored
// now.
type Conflict struct {
	Field, Yours, Now string
}

// Import is the spreadsheet import page at /onboarding/import: the
// upload form, and after a run its result.
type Import struct {
	Form *Form
	// Templates link each kind's template workbook.
	Templates []Link
	// Result is the run just made (nil before one).
	Result *importing.ImportResult
	// ErrorRows are the result's rows with errors.
	ErrorRows []importing.RowResult
	// Commit is the form that commits the file previewed (nil unless a
	// dry run found no error).
	Commit *Form
}
