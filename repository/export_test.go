package repository

import "context"

// MigrateDownTo rolls the schema back to version (tests of data
// migrations).
func (db *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

// SQLBind rewrites ? placeholders for the dialect.
func (db *DB) SQLBind(q string) string { return db.bind(q) }

// GoMigrationVersions are the versions of the migrations written in Go.
func GoMigrationVersions() []int64 {
	var out []int64
	for _, m := range (&DB{}).goMigrations() {
		out = append(out, m.Version)
	}
	return out
}
