-- +goose Up
-- Fourth parties: a vendor's own providers (sub-processors) are vendor
-- records like any other, one per provider however many vendors use it,
-- matched on their legal identifiers. A provider known to us only through
-- a vendor has the status fourth_party.
ALTER TABLE vendors DROP CONSTRAINT vendors_status_check;
ALTER TABLE vendors ADD CONSTRAINT vendors_status_check
    CHECK (status IN ('prospect', 'onboarding', 'active', 'offboarding', 'terminated', 'fourth_party'));
-- lei: ISO 17442 Legal Entity Identifier (20 characters, check digits
-- verified by the domain); registration_number: the company register's
-- number; domain: the provider's main internet domain, lower case.
ALTER TABLE vendors ADD COLUMN lei text;
ALTER TABLE vendors ADD COLUMN registration_number text NOT NULL DEFAULT '';
ALTER TABLE vendors ADD COLUMN domain text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX vendors_lei_uq ON vendors (lei) WHERE lei IS NOT NULL;
CREATE INDEX vendors_registration_number_idx ON vendors (registration_number) WHERE registration_number <> '';
CREATE INDEX vendors_domain_idx ON vendors (domain) WHERE domain <> '';

-- A dependency edge: the vendor relies on the provider for a service, and
-- some of our data (data_categories, a subset of what the vendor handles
-- from us) flows to it, stored and processed in countries. Rank is the
-- depth of an edge below one of our vendors; queries stop at 5.
CREATE TABLE vendor_dependencies (
    id              uuid PRIMARY KEY,
    vendor_id       uuid NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    provider_id     uuid NOT NULL REFERENCES vendors (id) ON DELETE RESTRICT,
    service         text NOT NULL CHECK (service IN ('hosting', 'data_storage', 'payment_processing', 'support',
                                                     'analytics', 'communications', 'other')),
    data_categories jsonb NOT NULL DEFAULT '[]',
    countries       jsonb NOT NULL DEFAULT '[]',
    source          text NOT NULL CHECK (source IN ('contract', 'published_list', 'questionnaire', 'manual')),
    as_of           date NOT NULL,
    evidence_ref    text NOT NULL DEFAULT '',
    notes           text NOT NULL DEFAULT '',
    version         bigint NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT vendor_dependencies_not_self_ck CHECK (vendor_id <> provider_id)
);
CREATE UNIQUE INDEX vendor_dependencies_edge_uq ON vendor_dependencies (vendor_id, provider_id, service);
CREATE INDEX vendor_dependencies_provider_idx ON vendor_dependencies (provider_id, vendor_id);

-- +goose Down
DROP TABLE vendor_dependencies;
DROP INDEX vendors_domain_idx;
DROP INDEX vendors_registration_number_idx;
DROP INDEX vendors_lei_uq;
ALTER TABLE vendors DROP COLUMN domain;
ALTER TABLE vendors DROP COLUMN registration_number;
ALTER TABLE vendors DROP COLUMN lei;
UPDATE vendors SET status = 'prospect' WHERE status = 'fourth_party';
ALTER TABLE vendors DROP CONSTRAINT vendors_status_check;
ALTER TABLE vendors ADD CONSTRAINT vendors_status_check
    CHECK (status IN ('prospect', 'onboarding', 'active', 'offboarding', 'terminated'));
