-- +goose Up
-- The DORA register of information (Commission Implementing Regulation (EU)
-- 2024/2956): only what the register needs and the rest of the schema does
-- not hold. Vendor names, contract dates, data categories and sub-processor
-- edges are read from their own tables when the register is built.

-- The financial entities that keep and file the register (B_01.01, B_01.02).
CREATE TABLE dora_entities (
    lei                 text PRIMARY KEY,
    name                text NOT NULL,
    country             text NOT NULL,
    entity_type         text NOT NULL,
    currency            text NOT NULL,
    competent_authority text NOT NULL DEFAULT '',
    hierarchy           text NOT NULL DEFAULT '',
    parent_lei          text NOT NULL DEFAULT '',
    total_assets_minor  INTEGER CHECK (total_assets_minor >= 0),
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL
);

-- A vendor's facts as an ICT third-party service provider (B_05.01).
CREATE TABLE dora_providers (
    vendor_id                 TEXT PRIMARY KEY REFERENCES vendors (id) ON DELETE CASCADE,
    euid                      text NOT NULL DEFAULT '',
    person_type               text NOT NULL DEFAULT '' CHECK (person_type IN ('', 'legal', 'individual')),
    hq_country                text NOT NULL DEFAULT '',
    ultimate_parent_vendor_id TEXT REFERENCES vendors (id) ON DELETE SET NULL,
    updated_at                DATETIME NOT NULL
);

-- A contract as a DORA contractual arrangement (B_02.01, B_02.02, B_03, B_04).
CREATE TABLE dora_contracts (
    contract_id           TEXT PRIMARY KEY REFERENCES contracts (id) ON DELETE CASCADE,
    entity_lei            text NOT NULL REFERENCES dora_entities (lei) ON DELETE RESTRICT,
    arrangement_ref       text NOT NULL UNIQUE,
    arrangement_type      text NOT NULL CHECK (arrangement_type IN ('standalone', 'overarching', 'subsequent')),
    overarching_ref       text NOT NULL DEFAULT '',
    annual_expense_minor  INTEGER CHECK (annual_expense_minor >= 0),
    expense_currency      text NOT NULL DEFAULT '',
    governing_law_country text NOT NULL DEFAULT '',
    notice_entity_days    integer CHECK (notice_entity_days >= 0),
    notice_provider_days  integer CHECK (notice_provider_days >= 0),
    termination_reason    text NOT NULL DEFAULT '',
    updated_at            DATETIME NOT NULL
);
CREATE INDEX dora_contracts_entity_idx ON dora_contracts (entity_lei, arrangement_ref);

-- The functions of the financial entities (B_06.01).
CREATE TABLE dora_functions (
    function_id            text NOT NULL,
    entity_lei             text NOT NULL REFERENCES dora_entities (lei) ON DELETE RESTRICT,
    name                   text NOT NULL,
    licensed_activity      text NOT NULL DEFAULT '',
    criticality            text NOT NULL DEFAULT '' CHECK (criticality IN ('', 'yes', 'no', 'not_assessed')),
    criticality_reasons    text NOT NULL DEFAULT '',
    last_assessed_on       TEXT,
    rto_hours              integer CHECK (rto_hours >= 0),
    rpo_hours              integer CHECK (rpo_hours >= 0),
    discontinuation_impact text NOT NULL DEFAULT '',
    updated_at             DATETIME NOT NULL,
    PRIMARY KEY (entity_lei, function_id)
);

-- The ICT services provided under a contract, with their assessment (B_02.02, B_07.01).
CREATE TABLE dora_services (
    contract_id              TEXT NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    service_type             text NOT NULL,
    start_on                 TEXT,
    end_on                   TEXT,
    provision_country        text NOT NULL DEFAULT '',
    stores_data              BOOLEAN,
    storage_country          text NOT NULL DEFAULT '',
    processing_country       text NOT NULL DEFAULT '',
    sensitivity              text NOT NULL DEFAULT '',
    reliance                 text NOT NULL DEFAULT '',
    substitutability         text NOT NULL DEFAULT '',
    not_substitutable_reason text NOT NULL DEFAULT '',
    last_audit_on            TEXT,
    exit_plan                BOOLEAN,
    reintegration            text NOT NULL DEFAULT '',
    discontinuation_impact   text NOT NULL DEFAULT '',
    alternatives             text NOT NULL DEFAULT '',
    alternative_providers    text NOT NULL DEFAULT '',
    updated_at               DATETIME NOT NULL,
    PRIMARY KEY (contract_id, service_type)
);

-- Which functions each ICT service of a contract supports (B_02.02 rows).
CREATE TABLE dora_service_functions (
    contract_id  TEXT NOT NULL,
    service_type text NOT NULL,
    entity_lei   text NOT NULL,
    function_id  text NOT NULL,
    PRIMARY KEY (contract_id, service_type, entity_lei, function_id),
    FOREIGN KEY (contract_id, service_type) REFERENCES dora_services (contract_id, service_type) ON DELETE CASCADE,
    FOREIGN KEY (entity_lei, function_id) REFERENCES dora_functions (entity_lei, function_id) ON DELETE RESTRICT
);
CREATE INDEX dora_service_functions_function_idx ON dora_service_functions (entity_lei, function_id);

-- +goose Down
DROP TABLE dora_service_functions;
DROP TABLE dora_services;
DROP TABLE dora_functions;
DROP TABLE dora_contracts;
DROP TABLE dora_providers;
DROP TABLE dora_entities;
