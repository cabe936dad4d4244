package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm/clause"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// DataHandling is the GORM store of what data each vendor handles.
type DataHandling struct{ db *DB }

var _ register.DataHandlingStore = (*DataHandling)(nil)

// NewDataHandling returns the data-handling store on db.
func NewDataHandling(db *DB) *DataHandling { return &DataHandling{db: db} }

type handlingRow struct {
	VendorID      string `gorm:"primaryKey"`
	Category      string `gorm:"primaryKey"`
	Stores        bool
	Processes     bool
	Transmits     bool
	RecordCount   int64
	Jurisdictions string // JSON array
	Systems       string // JSON array
	Notes         string
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt     time.Time `gorm:"autoUpdateTime:false"`
}

func (handlingRow) TableName() string { return "data_handling" }

func toHandlingRow(h register.DataHandling) handlingRow {
	return handlingRow{
		VendorID: h.VendorID, Category: h.Category,
		Stores:        slices.Contains(h.Access, register.AccessStores),
		Processes:     slices.Contains(h.Access, register.AccessProcesses),
		Transmits:     slices.Contains(h.Access, register.AccessTransmits),
		RecordCount:   h.RecordCount,
		Jurisdictions: jsonList(h.Jurisdictions), Systems: jsonList(h.Systems), Notes: h.Notes,
		CreatedAt: h.CreatedAt.UTC(), UpdatedAt: h.UpdatedAt.UTC(),
	}
}

func (r handlingRow) toDomain() register.DataHandling {
	h := register.DataHandling{
		VendorID: r.VendorID, Category: r.Category, RecordCount: r.RecordCount, Notes: r.Notes,
		Jurisdictions: parseList(r.Jurisdictions), Systems: parseList(r.Systems),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Access: []register.Access{},
	}
	for _, a := range []struct {
		on bool
		a  register.Access
	}{{r.Processes, register.AccessProcesses}, {r.Stores, register.AccessStores}, {r.Transmits, register.AccessTransmits}} {
		if a.on {
			h.Access = append(h.Access, a.a)
		}
	}
	return h
}

func jsonList(s []string) string {
	if s == nil {
		s = []string{}
	}
	b, _ := json.Marshal(s) // a []string always marshals
	return string(b)
}

func parseList(s string) []string {
	out := []string{}
	_ = json.Unmarshal([]byte(s), &out) // written by jsonList; empty on corruption
	return out
}

// Upsert implements register.DataHandlingStore.
func (s *DataHandling) Upsert(ctx context.Context, h register.DataHandling) error {
	row := toHandlingRow(h)
	res := s.db.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "vendor_id"}, {Name: "category"}},
		DoUpdates: clause.AssignmentColumns([]string{
			"stores", "processes", "transmits", "record_count", "jurisdictions", "systems", "notes", "updated_at",
		}),
	}).Create(&row)
	return translate(res.Error)
}

// Get implements register.DataHandlingStore.
func (s *DataHandling) Get(ctx context.Context, vendorID, category string) (register.DataHandling, error) {
	var row handlingRow
	err := s.db.conn(ctx).Where("vendor_id = ? AND category = ?", vendorID, category).Take(&row).Error
	if err != nil {
		return register.DataHandling{}, fmt.Errorf("data handling %s/%s: %w", vendorID, category, translate(err))
	}
	return row.toDomain(), nil
}

// ListByVendor implements register.DataHandlingStore.
func (s *DataHandling) ListByVendor(ctx context.Context, vendorID string) ([]register.DataHandling, error) {
	var rows []handlingRow
	if err := s.db.conn(ctx).Where("vendor_id = ?", vendorID).Order("category").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]register.DataHandling, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// Delete implements register.DataHandlingStore.
func (s *DataHandling) Delete(ctx context.Context, vendorID, category string) error {
	res := s.db.conn(ctx).Where("vendor_id = ? AND category = ?", vendorID, category).Delete(&handlingRow{})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("data handling %s/%s: %w", vendorID, category, domain.ErrNotFound)
	}
	return nil
}
