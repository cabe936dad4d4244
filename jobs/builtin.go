package jobs

import (
	"context"

	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/services"
)

// The built-in jobs.
const (
	JobScan         = "scan"          // the compliance scan: findings from rules
	JobRiskSnapshot = "risk_snapshot" // the daily risk snapshot of every vendor
)

// Default schedules (UTC).
const (
	DefaultScanSchedule     = "0 * * * *"  // hourly, on the hour
	DefaultSnapshotSchedule = "15 2 * * *" // daily at 02:15
)

// Scanner runs the compliance scan (finding.ScanService).
type Scanner interface {
	Run(ctx context.Context) (finding.ScanResult, error)
}

// ScanJob runs the compliance scan and reports its counts.
func ScanJob(s Scanner) Func {
	return func(ctx context.Context) (map[string]int, error) {
		res, err := s.Run(ctx)
		return map[string]int{"opened": res.Opened, "still_open": res.StillOpen, "resolved": res.Resolved,
			"reopened": res.Reopened, "escalated": res.Escalated, "events_failed": res.EventsFailed}, err
	}
}

// Schedules are the cron specs of the built-in jobs; "" registers a job
// for manual runs only.
type Schedules struct {
	Scan     string
	Snapshot string
}

// RegisterBuiltins adds the scan and the risk snapshot to s. It fails on
// a bad spec.
func RegisterBuiltins(s *Scheduler, svc *services.Services, sch Schedules) error {
	if err := s.Add(JobScan, sch.Scan, ScanJob(svc.Scan)); err != nil {
		return err
	}
	return s.Add(JobRiskSnapshot, sch.Snapshot, svc.Snapshots.Take)
}
