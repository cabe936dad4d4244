package register

import (
	"slices"
	"strconv"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Access is what a vendor does with a category of data (PCI DSS wording).
type Access string

// Kinds of access.
const (
	AccessStores    Access = "stores"
	AccessProcesses Access = "processes"
	AccessTransmits Access = "transmits"
)

// DataHandling records that a vendor handles a category of data.
type DataHandling struct {
	VendorID      string    `json:"vendor_id"`
	Category      string    `json:"category"`
	Access        []Access  `json:"access"`        // at least one, sorted, distinct
	RecordCount   int64     `json:"record_count"`  // approximate number of records (or data subjects)
	Jurisdictions []string  `json:"jurisdictions"` // where the data subjects live, e.g. US-CA, EU, GB
	Systems       []string  `json:"systems"`       // our systems the data flows from
	Notes         string    `json:"notes"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// MaxRecordCount bounds RecordCount: more than the world's population by
// two orders of magnitude, enough for row counts of logs.
const MaxRecordCount = 1_000_000_000_000

// DataHandlingInput is the writable part of a DataHandling.
type DataHandlingInput struct {
	Category      string
	Access        []string
	RecordCount   int64
	Jurisdictions []string
	Systems       []string
	Notes         string
}

// NewDataHandling validates in and returns the record for vendorID.
func NewDataHandling(vendorID string, in DataHandlingInput) (DataHandling, error) {
	var fe domain.FieldErrors
	if _, ok := LookupCategory(in.Category); !ok {
		fe.Add("category", "unknown data category %s; GET /api/v1/data-categories lists them", strconv.Quote(in.Category))
	}
	var access []Access
	for i, a := range in.Access {
		switch Access(a) {
		case AccessStores, AccessProcesses, AccessTransmits:
			access = append(access, Access(a))
		default:
			fe.Add(domain.IndexField("access", i), "must be one of stores, processes, transmits")
		}
	}
	if len(in.Access) == 0 {
		fe.Add("access", "is required: one or more of stores, processes, transmits")
	}
	slices.Sort(access)
	access = slices.Compact(access)
	if in.RecordCount < 0 || in.RecordCount > MaxRecordCount {
		fe.Add("record_count", "must be between 0 and %d", int64(MaxRecordCount))
	}
	jur := domain.NormalizeJurisdictions("jurisdictions", in.Jurisdictions, &fe)
	if len(in.Systems) > 50 {
		fe.Add("systems", "must list at most 50 systems")
	}
	systems := make([]string, 0, len(in.Systems))
	for i, s := range in.Systems {
		if s = domain.CheckText(&fe, domain.IndexField("systems", i), s, true, 200); s != "" {
			systems = append(systems, s)
		}
	}
	notes := domain.CheckText(&fe, "notes", in.Notes, false, 2000)
	if err := fe.Err(); err != nil {
		return DataHandling{}, err
	}
	return DataHandling{
		VendorID: vendorID, Category: in.Category, Access: access, RecordCount: in.RecordCount,
		Jurisdictions: jur, Systems: systems, Notes: notes,
	}, nil
}
