// Package seedgen generates a deterministic synthetic portfolio into an
// empty database, for demonstrations and for benchmarks at scale.
package seedgen

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/policy"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
)

// Seeding writes a deterministic synthetic portfolio: vendors with their
// data handling, contracts with breach-notification clause versions,
// attestations, reviews, incidents with their notification clock, one
// timeline entry each, and the obligations the regulatory catalogue gives
// them. The rows are computed in Go with the domain's own functions
// (ComputeInherentRisk, NoticeDue, Catalogue.Obligations), so they are
// what the services would have stored, but they are written straight into
// the tables, without an audit event per row: seeded data is synthetic.
// Each batch's transaction writes one audit event instead, "seed.write" on
// the entity "seed" (the seed run's id), stating the vendors and the rows
// per table it wrote; the audit log's sealer seals it like any other.

// DefaultAsOf is the reference "now" of a seeded portfolio when none is
// given: expiries, incident ages and review dates are laid out around it,
// so the same seed always gives the same rows.
var DefaultAsOf = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

// MaxVendors bounds Options.Vendors.
const MaxVendors = 1_000_000

// seedBatchVendors is how many vendors, with everything that belongs to
// them, one transaction writes. It is fixed (not tunable) because a
// vendor's parent is drawn from its own block of this many vendors, so it
// is always in the same batch or an earlier one.
const seedBatchVendors = 1000

// seedActor names the creator of seeded rows (created_by, recorded_by).
const seedActor = "seed"

// ErrNotEmpty is returned when the database already has vendors:
// seeding only an empty database keeps the result a pure function of the
// options.
var ErrNotEmpty = errors.New("the database already has vendors; seed only an empty database")

// Options says what to generate.
type Options struct {
	// Vendors is how many vendors to generate, 1 to MaxVendors.
	Vendors int
	// Seed selects the portfolio: the same seed and options give the same
	// rows, ids included.
	Seed int64
	// AsOf is the reference "now" (zero: DefaultAsOf). Every seeded
	// instant lies before it; attestation expiries lie on both sides.
	AsOf time.Time
	// Calendar counts business-day windows (nil: the US federal calendar,
	// as the server uses); Standards count standards in words (nil: the
	// default policy's); Profile and Catalogue decide the obligations
	// (nil Catalogue: incident.DefaultCatalogue). Pass the server's settings
	// so stored notice clocks and obligations match what it computes.
	Calendar  domain.BusinessCalendar
	Standards map[contract.NotificationStandard]contract.StandardWindow
	Profile   incident.OrgProfile
	Catalogue *incident.Catalogue
	// Providers is the size of the pool of shared providers (fourth
	// parties) the vendors depend on, 0 for no supply chain; at most
	// MaxProviders.
	Providers int
}

// MaxProviders bounds Options.Providers.
const MaxProviders = 100_000

// Counts are the rows a seed wrote, per table.
type Counts struct {
	Vendors        int64 `json:"vendors"`
	DataHandling   int64 `json:"data_handling"`
	Contracts      int64 `json:"contracts"`
	ClauseVersions int64 `json:"clause_versions"`
	Attestations   int64 `json:"attestations"`
	Reviews        int64 `json:"reviews"`
	Incidents      int64 `json:"incidents"`
	Timeline       int64 `json:"incident_timeline"`
	Obligations    int64 `json:"obligations"`
	// Providers are the fourth parties of the supply chain (also vendor
	// rows), Dependencies its edges.
	Providers    int64 `json:"providers"`
	Dependencies int64 `json:"vendor_dependencies"`
}

// Total is the number of rows written.
func (c Counts) Total() int64 {
	return c.Vendors + c.DataHandling + c.Contracts + c.ClauseVersions + c.Attestations + c.Reviews +
		c.Incidents + c.Timeline + c.Obligations + c.Providers + c.Dependencies
}

func (c *Counts) add(o Counts) {
	c.Vendors += o.Vendors
	c.DataHandling += o.DataHandling
	c.Contracts += o.Contracts
	c.ClauseVersions += o.ClauseVersions
	c.Attestations += o.Attestations
	c.Reviews += o.Reviews
	c.Incidents += o.Incidents
	c.Timeline += o.Timeline
	c.Obligations += o.Obligations
	c.Providers += o.Providers
	c.Dependencies += o.Dependencies
}

// Seed generates opt.Vendors vendors and everything around them into the
// empty database db, in batches of seedBatchVendors vendors, each batch in
// its own transaction (repository.DB.WriteBulk); progress (may be nil) is
// called after each batch with the vendors written so far. Generation runs
// one batch ahead of the writes. On error the batches already committed
// stay.
func Seed(ctx context.Context, db *repository.DB, opt Options, progress func(done, total int)) (Counts, error) {
	var total Counts
	if opt.Vendors < 1 || opt.Vendors > MaxVendors {
		return total, domain.Invalid("vendors", "must be from 1 to %d", MaxVendors)
	}
	if opt.Providers < 0 || opt.Providers > MaxProviders {
		return total, domain.Invalid("providers", "must be from 0 to %d", MaxProviders)
	}
	if opt.AsOf.IsZero() {
		opt.AsOf = DefaultAsOf
	}
	opt.AsOf = opt.AsOf.UTC().Truncate(time.Second)
	if opt.Calendar == nil {
		opt.Calendar = calendar.USFederal()
	}
	if opt.Standards == nil {
		opt.Standards = policy.DefaultPolicy().Clauses.StandardWindows
	}
	if opt.Catalogue == nil {
		c := incident.DefaultCatalogue()
		opt.Catalogue = &c
	}
	nonEmpty, err := db.HasVendors(ctx)
	if err != nil {
		return total, err
	}
	if nonEmpty {
		return total, ErrNotEmpty
	}

	run := domain.NewID() // the entity id of the run's audit events
	actor := domain.ActorFrom(ctx)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *seedBatch, 2)
	go func() {
		defer close(batches)
		g := newSeedGen(opt)
		for start := 0; start < opt.Vendors; start += seedBatchVendors {
			b := g.batch(start, min(start+seedBatchVendors, opt.Vendors))
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	for b := range batches {
		b.rows.Audit = []domain.AuditEvent{b.auditEvent(run, actor, opt)}
		if err := db.WriteBulk(ctx, &b.rows); err != nil {
			cancel()
			for range batches { // let the generator finish
			}
			return total, fmt.Errorf("seed vendors %d-%d: %w", b.start+1, b.end, err)
		}
		total.add(b.counts())
		if progress != nil {
			progress(b.end, opt.Vendors)
		}
	}
	if err := ctx.Err(); err != nil {
		return total, err
	}
	return total, db.Analyze(ctx)
}

// seedBatch holds the rows of vendors [start, end).
type seedBatch struct {
	start, end int
	rows       repository.Bulk
}

// AuditAction is the action of the audit event each seeded batch writes.
const AuditAction = "seed.write"

// auditEvent is the audit event that records the batch: what was seeded,
// by whom and when, and the rows per table, on the entity "seed" named by
// the run's id.
func (b *seedBatch) auditEvent(run string, actor domain.Actor, opt Options) domain.AuditEvent {
	return domain.AuditEvent{ID: domain.NewID(), At: time.Now().UTC(), ActorID: actor.ID, ActorName: actor.Name,
		Action: AuditAction, Entity: "seed", EntityID: run,
		After: domain.Snapshot(struct {
			Seed        int64     `json:"seed"`
			AsOf        time.Time `json:"as_of"`
			VendorsFrom int       `json:"vendors_from"`
			VendorsTo   int       `json:"vendors_to"`
			Rows        Counts    `json:"rows"`
		}{opt.Seed, opt.AsOf, b.start + 1, b.end, b.counts()})}
}

// counts are the rows of the batch, per table.
func (b *seedBatch) counts() Counts {
	r := &b.rows
	providers := 0
	for _, v := range r.Vendors {
		if v.Status == register.StatusFourthParty {
			providers++
		}
	}
	return Counts{Vendors: int64(len(r.Vendors) - providers), Providers: int64(providers),
		Dependencies: int64(len(r.Dependencies)), DataHandling: int64(len(r.Handling)),
		Contracts: int64(len(r.Contracts)), ClauseVersions: int64(len(r.Clauses)),
		Attestations: int64(len(r.Attestations)), Reviews: int64(len(r.Reviews)), Incidents: int64(len(r.Incidents)),
		Timeline: int64(len(r.Timeline)), Obligations: int64(len(r.Obligations))}
}
