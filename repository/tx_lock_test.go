package repository_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestWithinTxConcurrentReadThenWrite runs transactions that read before
// they write from many goroutines at once. Each must wait for the write
// lock (on SQLite: BEGIN IMMEDIATE) rather than fail with "database is
// busy".
func TestWithinTxConcurrentReadThenWrite(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		clock := domain.SystemClock{}
		svc := &register.VendorService{Tx: db, Vendors: repository.NewVendors(db), Handling: repository.NewDataHandling(db),
			Audit: domain.Auditor{Store: repository.NewAudit(db), Clock: clock}, Clock: clock}
		const n = 12
		ids := make([]string, n)
		for i := range n {
			v := newVendor(fmt.Sprintf("Vendor %d", i))
			if err := repository.NewVendors(db).Create(t.Context(), v); err != nil {
				t.Fatal(err)
			}
			ids[i] = v.ID
		}
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				// Update reads the vendor, then writes it and its audit event.
				if _, err := svc.Update(t.Context(), ids[i], register.VendorInput{Service: ptr("chat")}, 0); err != nil {
					t.Errorf("update %d: %v", i, err)
				}
			})
		}
		wg.Wait()
	})
}
