package web

import (
	"time"

	"github.com/vendorwatch/vendorwatch/domain/incident"
)

// Timeliness is the notification-timeliness history of a vendor's page:
// how promptly the vendor told us of each incident, against the deadline
// that applied, and the totals over all its incidents.
type Timeliness struct {
	Stats incident.TimelinessStats
	Rows  []TimelinessRow
	// More says Rows shows only the most recent incidents.
	More bool
}

// TimelinessRow is one incident's notice: when the vendor discovered it,
// when its notice was due and came, the lag and how late it was.
type TimelinessRow struct {
	IncidentID, Title string
	DiscoveredAt      time.Time
	DueAt, NotifiedAt *time.Time
	Window            string // the window that applied, in words ("" without a clause)
	Status            incident.NoticeStatus
	Lag, LateBy       *incident.Span
	Broken            string // contract, law or both
}
