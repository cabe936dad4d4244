package repository

import (
	"context"
	"fmt"

	"github.com/vendorwatch/vendorwatch/domain"
)

// missOrStale explains a versioned write that matched no row: the row is
// gone (ErrNotFound) or has moved on (ErrPrecondition).
func missOrStale(ctx context.Context, db *DB, model any, entity, id string) error {
	var n int64
	if err := db.conn(ctx).Model(model).Where("id = ?", id).Count(&n).Error; err != nil {
		return translate(err)
	}
	if n == 0 {
		return fmt.Errorf("%s %s: %w", entity, id, domain.ErrNotFound)
	}
	return fmt.Errorf("%s %s changed meanwhile: %w", entity, id, domain.ErrPrecondition)
}

// pageOf cuts the limit+1 rows of a keyset query into a page: the extra
// row only signals that another page exists.
func pageOf[R, D any](rows []R, limit int, key func(R) string, conv func(R) D) domain.Page[D] {
	page := domain.Page[D]{Items: make([]D, 0, min(len(rows), limit))}
	for i, r := range rows {
		if i == limit {
			page.Next = key(rows[i-1])
			break
		}
		page.Items = append(page.Items, conv(r))
	}
	return page
}
