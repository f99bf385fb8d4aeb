-- 0001 tenancy and core (spec §2.1, migration 001 + the 008 fp_patterns governance columns + 010 rare_important).
--
-- Conventions used by every ALUSKORT migration:
--   * Every tenant-owned table has tenant_id TEXT NOT NULL DEFAULT 'default' REFERENCES tenants, and its
--     indexes lead with tenant_id. MITRE reference data (mitre_techniques, mitre_groups, taxonomy_ids,
--     taxonomy_metadata) is global.
--   * Arrays are NOT NULL DEFAULT '{}' (also where the spec only says NOT NULL): Prisma cannot model a nullable
--     list, and its create inputs treat every list as optional, so a default avoids a runtime NOT NULL error.
--   * A column that has a DEFAULT in the spec is NOT NULL (a NULL would only mean "the default"); timestamps
--     created_at/updated_at/last_updated are NOT NULL DEFAULT now().
--   * Constraints carry explicit, stable names (<table>_<cols>_check / _key / _fkey, Prisma's convention),
--     so API errors can name them. Foreign keys to tenants are ON DELETE RESTRICT ON UPDATE CASCADE
--     (Prisma's defaults for a required relation).

-- ---------------------------------------------------------------------------------------------------------
-- tenants: the spec uses tenant_id everywhere but never defines the registry (§2.8, §9.20).
CREATE TABLE tenants (
    tenant_id   TEXT        NOT NULL,
    name        TEXT        NOT NULL,
    tier        TEXT        NOT NULL DEFAULT 'standard',
    legal_hold  BOOLEAN     NOT NULL DEFAULT false,
    settings    JSONB       NOT NULL DEFAULT '{}',
    created_at  TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT tenants_pkey PRIMARY KEY (tenant_id),
    CONSTRAINT tenants_tier_check CHECK (tier IN ('trial', 'standard', 'premium')),
    CONSTRAINT tenants_tenant_id_check CHECK (tenant_id <> '')
);

INSERT INTO tenants (tenant_id, name, tier) VALUES ('default', 'Default tenant', 'standard');

-- ---------------------------------------------------------------------------------------------------------
-- mitre_techniques (global). Extra columns for the STIX importer: framework, stix_id, is_subtechnique, deprecated.
CREATE TABLE mitre_techniques (
    doc_id              TEXT        NOT NULL,
    doc_type            TEXT        NOT NULL DEFAULT 'mitre_technique',
    technique_id        TEXT        NOT NULL,
    technique_name      TEXT        NOT NULL,
    parent_technique    TEXT,
    tactic              TEXT[]      NOT NULL DEFAULT '{}',
    description         TEXT        NOT NULL,
    detection           TEXT,
    platforms           TEXT[]      NOT NULL DEFAULT '{}',
    data_sources        TEXT[]      NOT NULL DEFAULT '{}',
    log_tables          TEXT[]      NOT NULL DEFAULT '{}',
    kill_chain_phase    TEXT,
    severity_baseline   TEXT        NOT NULL DEFAULT 'medium',
    groups_using        TEXT[]      NOT NULL DEFAULT '{}',
    software_using      TEXT[]      NOT NULL DEFAULT '{}',
    related_techniques  TEXT[]      NOT NULL DEFAULT '{}',
    attack_version      TEXT,
    last_updated        TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    created_at          TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    framework           TEXT        NOT NULL DEFAULT 'attack',
    stix_id             TEXT,
    is_subtechnique     BOOLEAN     NOT NULL DEFAULT false,
    deprecated          BOOLEAN     NOT NULL DEFAULT false,
    CONSTRAINT mitre_techniques_pkey PRIMARY KEY (doc_id),
    CONSTRAINT mitre_techniques_technique_id_key UNIQUE (technique_id),
    CONSTRAINT mitre_techniques_framework_check CHECK (framework IN ('attack', 'atlas'))
);
-- idx_mitre_technique_id duplicates the UNIQUE index; kept because the spec names it.
CREATE INDEX idx_mitre_technique_id ON mitre_techniques (technique_id);
CREATE INDEX idx_mitre_framework ON mitre_techniques (framework);
CREATE INDEX idx_mitre_tactic ON mitre_techniques USING GIN (tactic);
CREATE INDEX idx_mitre_platforms ON mitre_techniques USING GIN (platforms);
CREATE INDEX idx_mitre_groups_using ON mitre_techniques USING GIN (groups_using);

-- mitre_groups (global). "references" is a reserved word, hence quoted.
CREATE TABLE mitre_groups (
    doc_id           TEXT        NOT NULL,
    doc_type         TEXT        NOT NULL DEFAULT 'mitre_group',
    group_id         TEXT        NOT NULL,
    group_name       TEXT        NOT NULL,
    aliases          TEXT[]      NOT NULL DEFAULT '{}',
    description      TEXT        NOT NULL,
    techniques_used  JSONB       NOT NULL DEFAULT '[]',
    software_used    TEXT[]      NOT NULL DEFAULT '{}',
    target_sectors   TEXT[]      NOT NULL DEFAULT '{}',
    "references"     TEXT[]      NOT NULL DEFAULT '{}',
    last_updated     TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    stix_id          TEXT,
    CONSTRAINT mitre_groups_pkey PRIMARY KEY (doc_id),
    CONSTRAINT mitre_groups_group_id_key UNIQUE (group_id)
);
CREATE INDEX idx_mitre_groups_aliases ON mitre_groups USING GIN (aliases);

-- taxonomy_ids (global): the deny-by-default allowlist.
-- parent_id is deliberately NOT a foreign key: importers load sub-techniques and parents in bundle order
-- (and ATLAS sub-techniques may reference parents from another file), a self-FK would force a topological
-- sort or deferred constraints for no gain; validation only ever looks ids up by technique_id.
-- framework values are lower-case ('attack'/'atlas'), fixing the 'ATLAS' vs 'atlas' mismatch (§2.8, §9.13).
-- related_attack_ids is the ATLAS -> ATT&CK cross-walk the ATLAS mapper queries (missing column in the spec).
CREATE TABLE taxonomy_ids (
    technique_id        TEXT        NOT NULL,
    framework           TEXT        NOT NULL,
    name                TEXT        NOT NULL,
    is_subtechnique     BOOLEAN     NOT NULL DEFAULT false,
    parent_id           TEXT,
    deprecated          BOOLEAN     NOT NULL DEFAULT false,
    revoked             BOOLEAN     NOT NULL DEFAULT false,
    revoked_by          TEXT,
    related_attack_ids  TEXT[]      NOT NULL DEFAULT '{}',
    tactics             TEXT[]      NOT NULL DEFAULT '{}',
    last_updated        TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT taxonomy_ids_pkey PRIMARY KEY (technique_id),
    CONSTRAINT taxonomy_ids_framework_check CHECK (framework IN ('attack', 'atlas'))
);
CREATE INDEX idx_taxonomy_framework ON taxonomy_ids (framework);
CREATE INDEX idx_taxonomy_related_attack ON taxonomy_ids USING GIN (related_attack_ids);

-- ---------------------------------------------------------------------------------------------------------
-- threat_intel_iocs: unique per tenant (tenant_id, indicator_type, indicator_value).
CREATE TABLE threat_intel_iocs (
    doc_id                TEXT        NOT NULL,
    tenant_id             TEXT        NOT NULL DEFAULT 'default',
    indicator_type        TEXT        NOT NULL,
    indicator_value       TEXT        NOT NULL,
    confidence            INTEGER     NOT NULL,
    severity              TEXT,
    associated_campaigns  TEXT[]      NOT NULL DEFAULT '{}',
    associated_groups     TEXT[]      NOT NULL DEFAULT '{}',
    mitre_techniques      TEXT[]      NOT NULL DEFAULT '{}',
    first_seen            TIMESTAMPTZ(3),
    last_seen             TIMESTAMPTZ(3),
    sources               TEXT[]      NOT NULL DEFAULT '{}',
    context               TEXT,
    expiry                TIMESTAMPTZ(3),
    tags                  TEXT[]      NOT NULL DEFAULT '{}',
    created_at            TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT threat_intel_iocs_pkey PRIMARY KEY (doc_id),
    CONSTRAINT threat_intel_iocs_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT threat_intel_iocs_tenant_id_indicator_type_indicator_value_key
        UNIQUE (tenant_id, indicator_type, indicator_value),
    CONSTRAINT threat_intel_iocs_confidence_check CHECK (confidence BETWEEN 0 AND 100),
    CONSTRAINT threat_intel_iocs_severity_check
        CHECK (severity IS NULL OR severity IN ('critical', 'high', 'medium', 'low', 'informational')),
    CONSTRAINT threat_intel_iocs_indicator_type_check CHECK (indicator_type IN (
        'ipv4', 'ipv6', 'cidr', 'asn', 'domain', 'hostname', 'url', 'email', 'account',
        'md5', 'sha1', 'sha256', 'sha512', 'ssdeep', 'file_name', 'file_path', 'process_name',
        'registry_key', 'mutex', 'user_agent', 'cve', 'ja3', 'certificate_serial', 'bitcoin_address')),
    CONSTRAINT threat_intel_iocs_indicator_value_check CHECK (indicator_value <> '')
);
CREATE INDEX idx_ioc_campaigns ON threat_intel_iocs USING GIN (associated_campaigns);
CREATE INDEX idx_ioc_techniques ON threat_intel_iocs USING GIN (mitre_techniques);
CREATE INDEX idx_ioc_expiry ON threat_intel_iocs (tenant_id, expiry);

-- ---------------------------------------------------------------------------------------------------------
-- playbooks: adds tactics and severity, which the response agent queries but the spec's DDL lacks (§2.8).
CREATE TABLE playbooks (
    doc_id               TEXT        NOT NULL,
    tenant_id            TEXT        NOT NULL DEFAULT 'default',
    title                TEXT        NOT NULL,
    category             TEXT        NOT NULL,
    severity_applicable  TEXT[]      NOT NULL DEFAULT '{}',
    trigger_conditions   JSONB,
    alert_products       TEXT[]      NOT NULL DEFAULT '{}',
    mitre_techniques     TEXT[]      NOT NULL DEFAULT '{}',
    escalation_criteria  JSONB,
    resolution_criteria  JSONB,
    source               TEXT        NOT NULL DEFAULT 'manual',
    version              TEXT        NOT NULL DEFAULT '1.0',
    review_status        TEXT        NOT NULL DEFAULT 'draft',
    approved_by          TEXT,
    last_updated         TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    created_at           TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    tactics              TEXT[]      NOT NULL DEFAULT '{}',
    severity             TEXT        NOT NULL DEFAULT 'medium',
    CONSTRAINT playbooks_pkey PRIMARY KEY (doc_id),
    CONSTRAINT playbooks_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT playbooks_review_status_check CHECK (review_status IN ('draft', 'approved')),
    CONSTRAINT playbooks_severity_check
        CHECK (severity IN ('critical', 'high', 'medium', 'low', 'informational')),
    CONSTRAINT playbooks_severity_applicable_check
        CHECK (severity_applicable <@ ARRAY['critical', 'high', 'medium', 'low', 'informational']::TEXT[])
);
CREATE INDEX idx_playbooks_tenant_status ON playbooks (tenant_id, review_status);
CREATE INDEX idx_playbooks_techniques ON playbooks USING GIN (mitre_techniques);
CREATE INDEX idx_playbooks_tactics ON playbooks USING GIN (tactics);

CREATE TABLE playbook_steps (
    playbook_id        TEXT    NOT NULL,
    step_number        INTEGER NOT NULL,
    tenant_id          TEXT    NOT NULL DEFAULT 'default',
    action             TEXT    NOT NULL,
    description        TEXT    NOT NULL,
    queries            JSONB,
    automated          BOOLEAN NOT NULL DEFAULT false,
    requires_approval  BOOLEAN NOT NULL DEFAULT false,
    approval_reason    TEXT,
    assigned_agent     TEXT,
    CONSTRAINT playbook_steps_pkey PRIMARY KEY (playbook_id, step_number),
    CONSTRAINT playbook_steps_playbook_id_fkey FOREIGN KEY (playbook_id)
        REFERENCES playbooks (doc_id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT playbook_steps_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_playbook_steps_tenant ON playbook_steps (tenant_id, playbook_id);

-- ---------------------------------------------------------------------------------------------------------
-- incident_memory (rare_important from migration 010).
CREATE TABLE incident_memory (
    doc_id                  TEXT        NOT NULL,
    incident_id             TEXT        NOT NULL,
    alert_ids               TEXT[]      NOT NULL DEFAULT '{}',
    "timestamp"             TIMESTAMPTZ(3) NOT NULL,
    tenant_id               TEXT        NOT NULL DEFAULT 'default',
    initial_classification  TEXT,
    final_classification    TEXT,
    corrected_by            TEXT,
    correction_reason       TEXT,
    alert_product           TEXT,
    alert_name              TEXT        NOT NULL,
    alert_source            TEXT        NOT NULL,
    severity                TEXT        NOT NULL,
    entities                JSONB       NOT NULL,
    mitre_techniques        TEXT[]      NOT NULL DEFAULT '{}',
    investigation_summary   TEXT        NOT NULL,
    decision_chain          JSONB,
    outcome                 TEXT        NOT NULL,
    analyst_feedback        JSONB,
    lessons_learned         TEXT,
    similar_to              TEXT[]      NOT NULL DEFAULT '{}',
    tags                    TEXT[]      NOT NULL DEFAULT '{}',
    created_at              TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    rare_important          BOOLEAN     NOT NULL DEFAULT false,
    CONSTRAINT incident_memory_pkey PRIMARY KEY (doc_id),
    CONSTRAINT incident_memory_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_incident_timestamp ON incident_memory (tenant_id, "timestamp" DESC);
CREATE INDEX idx_incident_outcome ON incident_memory (tenant_id, outcome);
CREATE INDEX idx_incident_incident_id ON incident_memory (tenant_id, incident_id);
CREATE INDEX idx_incident_techniques ON incident_memory USING GIN (mitre_techniques);

-- ---------------------------------------------------------------------------------------------------------
-- fp_patterns, including the migration-008 governance columns and created_by.
-- Deviation: approved_by defaults to '' and approval_date is nullable, because a pattern starts in
-- 'pending_review' and has no approval yet (the spec's NOT NULL approval_date forced a fake date).
CREATE TABLE fp_patterns (
    pattern_id            TEXT             NOT NULL,
    tenant_id             TEXT             NOT NULL DEFAULT 'default',
    pattern_name          TEXT             NOT NULL,
    alert_names           TEXT[]           NOT NULL DEFAULT '{}',
    conditions            JSONB            NOT NULL,
    confidence_threshold  DOUBLE PRECISION NOT NULL DEFAULT 0.90,
    auto_close            BOOLEAN          NOT NULL DEFAULT true,
    occurrences           INTEGER          NOT NULL DEFAULT 0,
    last_occurrence       TIMESTAMPTZ(3),
    approved_by           TEXT             NOT NULL DEFAULT '',
    approval_date         TIMESTAMPTZ(3),
    status                TEXT             NOT NULL DEFAULT 'pending_review',
    created_at            TIMESTAMPTZ(3)      NOT NULL DEFAULT now(),
    created_by            TEXT             NOT NULL DEFAULT '',
    approved_by_1         TEXT             NOT NULL DEFAULT '',
    approved_by_2         TEXT             NOT NULL DEFAULT '',
    expiry_date           TIMESTAMPTZ(3),
    reaffirmed_date       TIMESTAMPTZ(3),
    reaffirmed_by         TEXT             NOT NULL DEFAULT '',
    scope_rule_family     TEXT             NOT NULL DEFAULT '',
    scope_tenant_id       TEXT             NOT NULL DEFAULT '',
    scope_asset_class     TEXT             NOT NULL DEFAULT '',
    CONSTRAINT fp_patterns_pkey PRIMARY KEY (pattern_id),
    CONSTRAINT fp_patterns_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fp_patterns_status_check CHECK (status IN (
        'pending_review', 'approved', 'active', 'shadow', 'deprecated', 'expired', 'revoked')),
    CONSTRAINT fp_patterns_confidence_threshold_check CHECK (confidence_threshold BETWEEN 0 AND 1),
    CONSTRAINT fp_patterns_occurrences_check CHECK (occurrences >= 0)
);
CREATE INDEX idx_fp_alert_names ON fp_patterns USING GIN (alert_names);
CREATE INDEX idx_fp_tenant_status ON fp_patterns (tenant_id, status);

-- ---------------------------------------------------------------------------------------------------------
CREATE TABLE org_context (
    doc_id                   TEXT        NOT NULL,
    entity_type              TEXT        NOT NULL,
    entity_name              TEXT        NOT NULL,
    criticality              TEXT        NOT NULL DEFAULT 'medium',
    role                     TEXT,
    network_segment          TEXT,
    owner                    TEXT,
    business_unit            TEXT,
    maintenance_window       TEXT,
    normal_services          TEXT[]      NOT NULL DEFAULT '{}',
    normal_admin_users       TEXT[]      NOT NULL DEFAULT '{}',
    alert_suppression_rules  JSONB,
    tags                     TEXT[]      NOT NULL DEFAULT '{}',
    tenant_id                TEXT        NOT NULL DEFAULT 'default',
    last_updated             TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT org_context_pkey PRIMARY KEY (doc_id),
    CONSTRAINT org_context_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_org_context_entity ON org_context (tenant_id, entity_type, entity_name);
-- One record per entity of a tenant, names compared case-insensitively (upserts by natural key rely on it:
-- INSERT ... ON CONFLICT (tenant_id, entity_type, lower(entity_name))). An expression index: not in the Prisma model.
CREATE UNIQUE INDEX org_context_tenant_entity_key ON org_context (tenant_id, entity_type, lower(entity_name));
