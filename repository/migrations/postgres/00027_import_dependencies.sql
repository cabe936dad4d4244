-- +goose Up
-- Import runs keep committed imports of sub-processor edges (kind
-- dependencies) like the other kinds.
ALTER TABLE import_runs DROP CONSTRAINT import_runs_kind_check;
ALTER TABLE import_runs ADD CONSTRAINT import_runs_kind_check
    CHECK (kind IN ('vendors', 'data_handling', 'contracts', 'attestations', 'dependencies'));

-- +goose Down
DELETE FROM import_runs WHERE kind = 'dependencies';
ALTER TABLE import_runs DROP CONSTRAINT import_runs_kind_check;
ALTER TABLE import_runs ADD CONSTRAINT import_runs_kind_check
    CHECK (kind IN ('vendors', 'data_handling', 'contracts', 'attestations'));
