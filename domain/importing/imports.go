package importing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// ImportKind is what a spreadsheet import creates or updates.
type ImportKind string

// Import kinds.
const (
	ImportVendors      ImportKind = "vendors"
	ImportDataHandling ImportKind = "data_handling"
	ImportContracts    ImportKind = "contracts"
	ImportAttestations ImportKind = "attestations"
	ImportDependencies ImportKind = "dependencies" // sub-processor edges of the supply chain
)

// ImportKinds lists the kinds in the order they are best imported (vendors
// first: the others name a vendor).
var ImportKinds = []ImportKind{ImportVendors, ImportDataHandling, ImportContracts, ImportAttestations, ImportDependencies}

// ImportKindNames is the list of kinds for messages.
const ImportKindNames = "vendors, data_handling, contracts, attestations, dependencies"

// Valid reports whether k is a known kind.
func (k ImportKind) Valid() bool {
	for _, v := range ImportKinds {
		if k == v {
			return true
		}
	}
	return false
}

// ImportMode says whether an import writes.
type ImportMode string

// Import modes.
const (
	ImportDryRun ImportMode = "dry_run"
	ImportCommit ImportMode = "commit"
)

// Valid reports whether m is a known mode.
func (m ImportMode) Valid() bool { return m == ImportDryRun || m == ImportCommit }

// Row statuses.
const (
	RowCreate    = "create"
	RowUpdate    = "update"
	RowUnchanged = "unchanged"
	RowError     = "error"
	RowIgnored   = "ignored" // the template's example row
)

// Import run statuses.
const (
	ImportStatusDryRun    = "dry_run"   // validated only; nothing written
	ImportStatusCommitted = "committed" // every row applied in one transaction
	ImportStatusRejected  = "rejected"  // a commit with row errors: nothing written
)

// Import limits.
const (
	// MaxImportRows bounds the data rows of one file.
	MaxImportRows = 100_000
	// MaxImportCellChars bounds one cell's text.
	MaxImportCellChars = 10_000
	// DefaultMaxImportBytes is the default limit of an uploaded file.
	DefaultMaxImportBytes = 32 << 20
	// importBatch is how many rows are validated and written at a time.
	importBatch = 1000
)

// ColumnType is how a column's cells are read and written.
type ColumnType string

// Column types.
const (
	ColText    ColumnType = "text"
	ColEnum    ColumnType = "enum"
	ColDate    ColumnType = "date"
	ColInteger ColumnType = "integer"
	ColDecimal ColumnType = "decimal" // money in major units, at most 2 decimals
	ColBool    ColumnType = "bool"
	ColList    ColumnType = "list" // comma-separated values
)

// ImportList names a long list of values that a template offers as a
// drop-down (too long to spell out in the column, or known only when the
// template is made).
type ImportList string

// Import template lists.
const (
	ListCountries     ImportList = "countries"     // CountryCodes
	ListJurisdictions ImportList = "jurisdictions" // JurisdictionCodes; a cell may hold several
	ListVendors       ImportList = "vendors"       // the names of the vendors in the register
)

// ImportColumn describes one column of an import template (and export).
type ImportColumn struct {
	Field    string     `json:"field"`
	Header   string     `json:"header"`
	Type     ColumnType `json:"type"`
	Required bool       `json:"required"`
	Values   []string   `json:"values,omitempty"` // allowed values: the template's drop-down
	// List, when set, is the drop-down of a column whose values are too
	// many for Values.
	List     ImportList `json:"list,omitempty"`
	Note     string     `json:"note"`
	Example  string     `json:"-"` // the value of the template's example row
	Synonyms []string   `json:"-"`
}

// ExampleRowMarker marks a template's example row: a row with a cell
// holding exactly this text (case aside) is ignored on import and reported
// with status ignored.
const ExampleRowMarker = "Example row: ignored on import"

// ColumnMapping says which column of the file fed which field.
type ColumnMapping struct {
	Column string `json:"column"` // the header as written in the file
	Index  int    `json:"index"`  // 1-based column number
	Field  string `json:"field"`
}

// CellError is one problem in a row. Column is the field; Letter and
// Header locate its column in the file as a spreadsheet shows it ("F",
// "Country"), and are empty when the file has no column for the field.
type CellError struct {
	Column  string `json:"column"`
	Letter  string `json:"letter,omitempty"`
	Header  string `json:"header,omitempty"`
	Message string `json:"message"`
}

// RowResult is the outcome of one data row.
type RowResult struct {
	Row    int         `json:"row"` // the row number in the file (the header is row 1)
	Status string      `json:"status"`
	Key    string      `json:"key,omitempty"` // the record the row matched or created
	Errors []CellError `json:"errors"`
}

// ImportSummary counts the rows by status.
type ImportSummary struct {
	Rows      int `json:"rows"`
	Create    int `json:"create"`
	Update    int `json:"update"`
	Unchanged int `json:"unchanged"`
	Error     int `json:"error"`
	Ignored   int `json:"ignored"` // example rows
}

// ImportResult is the report of an import, kept as the import run of a
// commit.
type ImportResult struct {
	ID             string          `json:"id,omitempty"` // set for commits (kept runs)
	Kind           ImportKind      `json:"kind"`
	Mode           ImportMode      `json:"mode"`
	Status         string          `json:"status"`
	Message        string          `json:"message"`
	FileName       string          `json:"file_name"`
	FileSHA256     string          `json:"file_sha256"`
	FileSize       int64           `json:"file_size"`
	Columns        []ColumnMapping `json:"columns"`
	UnknownColumns []string        `json:"unknown_columns"`
	Summary        ImportSummary   `json:"summary"`
	Rows           []RowResult     `json:"rows"`
	ActorID        string          `json:"actor_id"`
	ActorName      string          `json:"actor_name"`
	CreatedAt      time.Time       `json:"created_at"`
}

// SourceRow is one row of an uploaded sheet.
type SourceRow struct {
	Number   int      // 1-based row number in the file
	Cells    []string // cell values as text (dates may be Excel serials)
	Formulas []int    // 0-based indexes of cells that held a formula
}

// RowSource yields the rows of an uploaded file, the header first. Next
// returns io.EOF after the last row; any other error is a file-level
// problem (an *UploadError or FieldErrors on "file").
type RowSource interface {
	Next() (SourceRow, error)
}

// ImportStore keeps import runs and offers the set-based reads and bulk
// writes that imports need.
type ImportStore interface {
	// SaveRun stores the result of a commit.
	SaveRun(ctx context.Context, r ImportResult) error
	// GetRun returns a stored run. Returns ErrNotFound.
	GetRun(ctx context.Context, id string) (ImportResult, error)
	// VendorsByKeys returns the vendors whose external_ref is in refs or
	// whose name key is in nameKeys, in a few queries whatever the count.
	VendorsByKeys(ctx context.Context, refs, nameKeys []string) ([]register.Vendor, error)
	// ProvidersByKeys returns the vendors whose LEI is in leis, whose domain
	// is in domains, or whose name's register.MatchKey is in matchKeys, in a
	// few queries whatever the count.
	ProvidersByKeys(ctx context.Context, leis, domains, matchKeys []string) ([]register.Vendor, error)
	// VendorsByIDs returns the vendors with these ids.
	VendorsByIDs(ctx context.Context, ids []string) ([]register.Vendor, error)
	// VendorNames returns the first limit vendor names in name order.
	VendorNames(ctx context.Context, limit int) ([]string, error)
	// CreateVendors inserts vendors in batches.
	CreateVendors(ctx context.Context, vs []register.Vendor) error
	// AppendAudit appends events to the audit trail, unsealed, in batches.
	// It must run inside the transaction of the changes it records.
	AppendAudit(ctx context.Context, es []domain.AuditEvent) error
}

// ImportRequest is one import to run.
type ImportRequest struct {
	Kind       ImportKind
	Mode       ImportMode
	FileName   string
	FileSHA256 string
	FileSize   int64
	Source     RowSource
	// Progress, when set, is called after each batch with the number of
	// data rows read so far.
	Progress func(rows int)
}

// ImportService validates and applies spreadsheet imports.
type ImportService struct {
	Tx           domain.Transactor
	Imports      ImportStore
	Vendors      *register.VendorService
	Contracts    *contract.ContractService
	Attestations *attestation.AttestationService
	SupplyChain  *register.SupplyChainService
	Audit        domain.Auditor
	Clock        domain.Clock
}

// errImportRejected rolls back a commit that has row errors.
var errImportRejected = errors.New("import rejected")

// Columns returns the template columns of kind.
func (s *ImportService) Columns(kind ImportKind) []ImportColumn { return importColumns(kind) }

// TemplateVendors returns the vendor names for the vendor drop-down of
// kind's template (at most limit, in name order), or none when kind has no
// vendor column.
func (s *ImportService) TemplateVendors(ctx context.Context, kind ImportKind, limit int) ([]string, error) {
	for _, c := range importColumns(kind) {
		if c.List == ListVendors {
			return s.Imports.VendorNames(ctx, limit)
		}
	}
	return nil, nil
}

// Get returns a kept import run.
func (s *ImportService) Get(ctx context.Context, id string) (ImportResult, error) {
	return domain.Lookup(ctx, "import", id, s.Imports.GetRun)
}

// Run validates every row of req.Source and, for a commit without row
// errors, applies them all in one transaction. A commit with any row error
// writes nothing and reports status rejected. File-level problems (a
// missing required column, too many rows, a bad encoding) are returned as
// errors: FieldErrors on "file" or an *UploadError.
func (s *ImportService) Run(ctx context.Context, req ImportRequest) (ImportResult, error) {
	if !req.Kind.Valid() {
		return ImportResult{}, domain.Invalid("kind", "must be one of %s", ImportKindNames)
	}
	if !req.Mode.Valid() {
		return ImportResult{}, domain.Invalid("mode", "must be dry_run or commit")
	}
	actor := domain.ActorFrom(ctx)
	res := ImportResult{Kind: req.Kind, Mode: req.Mode, FileName: req.FileName, FileSHA256: req.FileSHA256,
		FileSize: req.FileSize, ActorID: actor.ID, ActorName: actor.Name, CreatedAt: s.Clock.Now(),
		Rows: []RowResult{}, UnknownColumns: []string{}}
	header, err := firstRow(req.Source)
	if err != nil {
		return ImportResult{}, err
	}
	cols := importColumns(req.Kind)
	index, mapping, unknown, err := MapColumns(cols, header.Cells)
	if err != nil {
		return ImportResult{}, err
	}
	res.Columns, res.UnknownColumns = mapping, unknown
	if req.Mode == ImportCommit {
		res.ID = domain.NewID()
		// Writes are attributed to the import: the key that ran it keeps
		// its id, the name and request id name the run.
		ctx = domain.WithActor(ctx, domain.Actor{ID: actor.ID, Name: "import " + res.ID, Role: actor.Role})
		ctx = domain.WithRequestID(ctx, "import:"+res.ID)
	}
	k := s.kind(req.Kind)
	failed := false
	process := func(wctx context.Context) error {
		n := 0
		for {
			batch, err := readBatch(req.Source, cols, index, &n)
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				return nil
			}
			live := make([]*importRow, 0, len(batch))
			for _, r := range batch {
				if r.result.Status != RowIgnored {
					live = append(live, r)
				}
			}
			if len(live) > 0 {
				if err := k.plan(ctx, live); err != nil {
					return err
				}
			}
			for _, r := range live {
				if r.failed() {
					failed = true
				}
			}
			if wctx != nil && !failed && len(live) > 0 {
				if err := k.apply(wctx, live); err != nil {
					return err
				}
			}
			for _, r := range batch {
				res.Rows = append(res.Rows, r.result)
			}
			if req.Progress != nil {
				req.Progress(n)
			}
		}
	}
	if req.Mode == ImportDryRun {
		err = process(nil)
	} else {
		err = s.Tx.WithinTx(ctx, func(tx context.Context) error {
			if err := process(tx); err != nil {
				return err
			}
			if failed {
				return errImportRejected
			}
			return nil
		})
		if errors.Is(err, errImportRejected) {
			err = nil
		}
	}
	if err != nil {
		return ImportResult{}, err
	}
	applied := req.Mode == ImportCommit && !failed
	locateErrors(res.Rows, index, header.Cells)
	for i, r := range res.Rows {
		if r.Status == RowCreate && !applied {
			res.Rows[i].Key = "" // nothing was created
		}
		switch r.Status {
		case RowCreate:
			res.Summary.Create++
		case RowUpdate:
			res.Summary.Update++
		case RowUnchanged:
			res.Summary.Unchanged++
		case RowIgnored:
			res.Summary.Ignored++
			continue
		default:
			res.Summary.Error++
		}
		res.Summary.Rows++
	}
	ignored := ""
	if res.Summary.Ignored > 0 {
		ignored = "; " + domain.Count(res.Summary.Ignored, "example row", "example rows") + " ignored"
	}
	switch {
	case req.Mode == ImportDryRun:
		res.Status = ImportStatusDryRun
		res.Message = fmt.Sprintf("Dry run: %s checked, %d with errors%s; nothing was written.",
			domain.Count(res.Summary.Rows, "row", "rows"), res.Summary.Error, ignored)
	case failed:
		res.Status = ImportStatusRejected
		res.Message = fmt.Sprintf("Rejected: %s errors (of %d)%s, so NO row was written (a commit applies all rows or none). Fix the rows and import the file again.",
			domain.Count(res.Summary.Error, "row has", "rows have"), res.Summary.Rows, ignored)
	default:
		res.Status = ImportStatusCommitted
		res.Message = fmt.Sprintf("Committed: %d created, %d updated, %d unchanged, in one transaction%s.",
			res.Summary.Create, res.Summary.Update, res.Summary.Unchanged, ignored)
	}
	if req.Mode == ImportCommit {
		if err := s.Imports.SaveRun(context.WithoutCancel(ctx), res); err != nil {
			return ImportResult{}, fmt.Errorf("save import run: %w", err)
		}
	}
	return res, nil
}

// locateErrors names, in each cell error, the column letter and header of
// the error's field in the file.
func locateErrors(rows []RowResult, index map[string]int, header []string) {
	for _, r := range rows {
		for j := range r.Errors {
			e := &r.Errors[j]
			if i, ok := index[e.Column]; ok {
				e.Letter, e.Header = ColumnLetter(i+1), strings.TrimSpace(header[i])
			}
		}
	}
}

// ColumnLetter is a spreadsheet's name of the n-th column (1-based): A,
// B, ... Z, AA, AB...
func ColumnLetter(n int) string {
	var b []byte
	for ; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}

// exampleRow reports whether a row is a template's example row.
func exampleRow(cells []string) bool {
	for _, c := range cells {
		if strings.EqualFold(strings.TrimSpace(c), ExampleRowMarker) {
			return true
		}
	}
	return false
}

// firstRow returns the header: the first row with any text.
func firstRow(src RowSource) (SourceRow, error) {
	for {
		r, err := src.Next()
		if errors.Is(err, io.EOF) {
			return SourceRow{}, domain.Invalid("file", "is empty: the first row must be the header row of the template")
		}
		if err != nil {
			return SourceRow{}, err
		}
		if !blankRow(r.Cells) {
			return r, nil
		}
	}
}

func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// importRow is one data row being validated and applied.
type importRow struct {
	cells  map[string]string // field -> trimmed text, for the columns in the file
	result RowResult
	op     any // what apply writes, set by plan
}

func (r *importRow) failed() bool { return len(r.result.Errors) > 0 }

func (r *importRow) fail(column, format string, args ...any) {
	r.result.Status = RowError
	r.result.Errors = append(r.result.Errors, CellError{Column: column, Message: fmt.Sprintf(format, args...)})
}

// has reports whether the file has the column.
func (r *importRow) has(field string) bool {
	_, ok := r.cells[field]
	return ok
}

// readBatch reads up to importBatch non-blank data rows.
func readBatch(src RowSource, cols []ImportColumn, index map[string]int, n *int) ([]*importRow, error) {
	var out []*importRow
	for len(out) < importBatch {
		sr, err := src.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if blankRow(sr.Cells) {
			continue
		}
		*n++
		if *n > MaxImportRows {
			return nil, domain.Invalid("file", "has more than %s; split it into several files", domain.Count(MaxImportRows, "data row", "data rows"))
		}
		r := &importRow{cells: make(map[string]string, len(index)), result: RowResult{Row: sr.Number, Errors: []CellError{}}}
		if exampleRow(sr.Cells) {
			r.result.Status = RowIgnored
			out = append(out, r)
			continue
		}
		formula := map[int]bool{}
		for _, i := range sr.Formulas {
			formula[i] = true
		}
		for _, c := range cols {
			i, ok := index[c.Field]
			if !ok {
				continue
			}
			v := ""
			if i < len(sr.Cells) {
				v = strings.TrimSpace(sr.Cells[i])
			}
			switch {
			case formula[i]:
				r.fail(c.Field, "holds a formula; formulas are never evaluated: replace it with its value (Paste Special > Values)")
			case !utf8.ValidString(v):
				r.fail(c.Field, "is not valid UTF-8")
			case utf8.RuneCountInString(v) > MaxImportCellChars:
				r.fail(c.Field, "is longer than %s", domain.Count(MaxImportCellChars, "character", "characters"))
			}
			r.cells[c.Field] = v
		}
		out = append(out, r)
	}
	return out, nil
}

// normHeader folds a header for matching: lower case, letters and digits
// only ("Vendor Name", "vendor_name" and "VENDOR-NAME" are alike).
func normHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MapColumns matches a header row to the kind's columns: by field name,
// template header or a synonym, ignoring case, spaces and punctuation.
// Missing required columns and columns mapped twice are errors on "file";
// unknown columns are returned, not dropped silently.
func MapColumns(cols []ImportColumn, header []string) (index map[string]int, mapping []ColumnMapping, unknown []string, err error) {
	names := map[string]string{}
	for _, c := range cols {
		names[normHeader(c.Field)] = c.Field
		names[normHeader(c.Header)] = c.Field
		for _, s := range c.Synonyms {
			names[normHeader(s)] = c.Field
		}
	}
	index = map[string]int{}
	mapping, unknown = []ColumnMapping{}, []string{}
	var fe domain.FieldErrors
	for i, h := range header {
		if strings.TrimSpace(h) == "" {
			continue
		}
		f, ok := names[normHeader(h)]
		if !ok {
			unknown = append(unknown, h)
			continue
		}
		if j, dup := index[f]; dup {
			fe.Add("file", "columns %q and %q both map to field %s; keep one", header[j], h, f)
			continue
		}
		index[f] = i
		mapping = append(mapping, ColumnMapping{Column: h, Index: i + 1, Field: f})
	}
	for _, c := range cols {
		if _, ok := index[c.Field]; c.Required && !ok {
			fe.Add("file", "is missing the required column %s (%q); download the template for the layout", c.Field, c.Header)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, nil, nil, err
	}
	return index, mapping, unknown, nil
}

// kindImporter validates (plan) and writes (apply) batches of one kind.
type kindImporter interface {
	plan(ctx context.Context, rows []*importRow) error
	apply(ctx context.Context, rows []*importRow) error
}

func (s *ImportService) kind(k ImportKind) kindImporter {
	switch k {
	case ImportDataHandling:
		return &handlingImporter{s: s, vendors: newVendorResolver(s.Imports), seen: map[string]int{}, existing: map[string]map[string]register.DataHandling{}}
	case ImportContracts:
		return &contractImporter{s: s, vendors: newVendorResolver(s.Imports), seen: map[string]int{}}
	case ImportAttestations:
		return &attestationImporter{s: s, vendors: newVendorResolver(s.Imports), seen: map[string]int{}}
	case ImportDependencies:
		return newDependencyImporter(s)
	}
	return &vendorImporter{s: s, seenRef: map[string]int{}, seenName: map[string]int{}}
}

// VendorsByID returns the vendors with these ids (duplicates allowed), in
// a few set-based reads, for exports that name each row's vendor.
func (s *ImportService) VendorsByID(ctx context.Context, ids []string) (map[string]register.Vendor, error) {
	seen := map[string]bool{}
	var uniq []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	vs, err := s.Imports.VendorsByIDs(ctx, uniq)
	if err != nil {
		return nil, err
	}
	out := make(map[string]register.Vendor, len(vs))
	for _, v := range vs {
		out[v.ID] = v
	}
	return out, nil
}
