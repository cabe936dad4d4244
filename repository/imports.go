package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/importing"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// Imports is the GORM store of import runs and of the set-based reads and
// bulk writes that spreadsheet imports use.
type Imports struct{ db *DB }

var _ importing.ImportStore = (*Imports)(nil)

// NewImports returns the import store on db.
func NewImports(db *DB) *Imports { return &Imports{db: db} }

// importChunk bounds the values of one IN list and the rows of one
// multi-row INSERT, well under both databases' parameter limits.
const importChunk = 500

type importRunRow struct {
	ID         string
	Kind       string
	Mode       string
	Status     string
	FileName   string
	FileSHA256 string `gorm:"column:file_sha256"`
	FileSize   int64
	RowCount   int
	ActorID    string
	ActorName  string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	Result     string
}

func (importRunRow) TableName() string { return "import_runs" }

// SaveRun implements importing.ImportStore.
func (s *Imports) SaveRun(ctx context.Context, r importing.ImportResult) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	row := importRunRow{ID: r.ID, Kind: string(r.Kind), Mode: string(r.Mode), Status: r.Status, FileName: r.FileName,
		FileSHA256: r.FileSHA256, FileSize: r.FileSize, RowCount: r.Summary.Rows, ActorID: r.ActorID,
		ActorName: r.ActorName, CreatedAt: r.CreatedAt.UTC(), Result: string(b)}
	return translate(s.db.conn(ctx).Create(&row).Error)
}

// GetRun implements importing.ImportStore.
func (s *Imports) GetRun(ctx context.Context, id string) (importing.ImportResult, error) {
	var row importRunRow
	if err := s.db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return importing.ImportResult{}, fmt.Errorf("import %s: %w", id, translate(err))
	}
	var r importing.ImportResult
	if err := json.Unmarshal([]byte(row.Result), &r); err != nil {
		return importing.ImportResult{}, fmt.Errorf("import %s: stored result: %w", id, err)
	}
	return r, nil
}

// chunks hands vals to fn in batches of at most importChunk (a bound on
// the placeholders of one IN list).
func chunks(vals []string, fn func([]string) error) error { return inBatches(vals, importChunk, fn) }

// VendorsByKeys implements importing.ImportStore.
func (s *Imports) VendorsByKeys(ctx context.Context, refs, nameKeys []string) ([]register.Vendor, error) {
	seen := map[string]bool{}
	var out []register.Vendor
	read := func(col string) func([]string) error {
		return func(vals []string) error {
			var rows []vendorRow
			if err := s.db.conn(ctx).Where(col+" IN ?", vals).Find(&rows).Error; err != nil {
				return translate(err)
			}
			for _, r := range rows {
				if !seen[r.ID] {
					seen[r.ID] = true
					out = append(out, r.toDomain())
				}
			}
			return nil
		}
	}
	if err := chunks(refs, read("external_ref")); err != nil {
		return nil, err
	}
	if err := chunks(nameKeys, read("name_key")); err != nil {
		return nil, err
	}
	return out, nil
}

// ProvidersByKeys implements importing.ImportStore. The vendors table keeps
// no match key, so a match key is looked up by the prefix of its first word
// on the indexed name_key (a name key starts with it: the match key only
// drops punctuation and a trailing legal form), and the candidates are
// kept when their own match key is one of matchKeys.
func (s *Imports) ProvidersByKeys(ctx context.Context, leis, domains, matchKeys []string) ([]register.Vendor, error) {
	seen := map[string]bool{}
	var out []register.Vendor
	keep := func(rows []vendorRow, ok func(register.Vendor) bool) {
		for _, r := range rows {
			v := r.toDomain()
			if !seen[v.ID] && ok(v) {
				seen[v.ID] = true
				out = append(out, v)
			}
		}
	}
	all := func(register.Vendor) bool { return true }
	for col, vals := range map[string][]string{"lei": leis, "domain": domains} {
		err := chunks(vals, func(vals []string) error {
			var rows []vendorRow
			if err := s.db.conn(ctx).Where(col+" IN ?", vals).Find(&rows).Error; err != nil {
				return translate(err)
			}
			keep(rows, all)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	wanted := map[string]bool{}
	var prefixes []string
	for _, k := range matchKeys {
		if k == "" || wanted[k] {
			continue
		}
		wanted[k] = true
		first, _, _ := strings.Cut(k, " ")
		if !slices.Contains(prefixes, first) {
			prefixes = append(prefixes, first)
		}
	}
	err := chunks(prefixes, func(vals []string) error {
		conds := make([]string, len(vals))
		args := make([]any, len(vals))
		for i, p := range vals {
			conds[i], args[i] = "name_key LIKE ?", p+"%"
		}
		var rows []vendorRow
		if err := s.db.conn(ctx).Where(strings.Join(conds, " OR "), args...).Find(&rows).Error; err != nil {
			return translate(err)
		}
		keep(rows, func(v register.Vendor) bool { return wanted[register.MatchKey(v.Name)] })
		return nil
	})
	return out, err
}

// VendorsByIDs implements importing.ImportStore.
func (s *Imports) VendorsByIDs(ctx context.Context, ids []string) ([]register.Vendor, error) {
	var out []register.Vendor
	err := chunks(ids, func(vals []string) error {
		var rows []vendorRow
		if err := s.db.conn(ctx).Where("id IN ?", vals).Find(&rows).Error; err != nil {
			return translate(err)
		}
		for _, r := range rows {
			out = append(out, r.toDomain())
		}
		return nil
	})
	return out, err
}

// VendorNames implements importing.ImportStore: one indexed read in name
// order (the unique name_key).
func (s *Imports) VendorNames(ctx context.Context, limit int) ([]string, error) {
	names := []string{}
	err := s.db.conn(ctx).Raw("SELECT name FROM vendors ORDER BY name_key LIMIT ?", limit).Scan(&names).Error
	return names, translate(err)
}

// CreateVendors implements importing.ImportStore with multi-row INSERTs.
func (s *Imports) CreateVendors(ctx context.Context, vs []register.Vendor) error {
	rows := make([]vendorRow, len(vs))
	for i, v := range vs {
		rows[i] = toVendorRow(v)
	}
	return translate(s.db.conn(ctx).CreateInBatches(&rows, importChunk).Error)
}

// AppendAudit implements importing.ImportStore: the events, numbered by the
// database and queued for the sealer, in multi-row INSERTs.
func (s *Imports) AppendAudit(ctx context.Context, es []domain.AuditEvent) error {
	if _, err := insertAudit(ctx, s.db, es, importChunk); err != nil {
		return fmt.Errorf("append audit events: %w", err)
	}
	return nil
}
