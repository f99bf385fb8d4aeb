-- 0008 platform tables: the spec's migrations 009 (embedding_migration), 011 (dashboard_sessions),
-- 012 (connectors), 013 (llm_providers, llm_models) with tenant_id, plus the tables the spec's code used but
-- never created (§2.8): api_keys, approvals, kill_switches, user_entity_behavior.
-- (The 008 fp_patterns governance columns and 010 incident_memory.rare_important are part of 0001.)

-- api_keys: only the sha256 hex of the secret is stored; key_prefix is what UIs show.
CREATE TABLE api_keys (
    key_id        TEXT        NOT NULL DEFAULT gen_random_uuid()::TEXT,
    tenant_id     TEXT        NOT NULL DEFAULT 'default',
    name          TEXT        NOT NULL,
    key_prefix    TEXT        NOT NULL,
    key_hash      TEXT        NOT NULL,
    roles         TEXT[]      NOT NULL,
    created_by    TEXT        NOT NULL DEFAULT 'system',
    created_at    TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    last_used_at  TIMESTAMPTZ(3),
    expires_at    TIMESTAMPTZ(3),
    revoked_at    TIMESTAMPTZ(3),
    revoked_by    TEXT,
    CONSTRAINT api_keys_pkey PRIMARY KEY (key_id),
    CONSTRAINT api_keys_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
    CONSTRAINT api_keys_key_hash_check CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT api_keys_roles_check CHECK (
        cardinality(roles) > 0
        AND roles <@ ARRAY['viewer', 'analyst', 'approver', 'admin', 'ingest']::TEXT[])
);
CREATE INDEX idx_api_keys_tenant ON api_keys (tenant_id, created_at DESC);

-- approvals: first-class human approval requests for tier >= 2 actions (spec §4.8).
-- decisions holds every decision of a two-person approval: [{actor, decision, reason, at}, ...].
CREATE TABLE approvals (
    approval_id         TEXT        NOT NULL DEFAULT gen_random_uuid()::TEXT,
    tenant_id           TEXT        NOT NULL DEFAULT 'default',
    investigation_id    TEXT        NOT NULL,
    action              TEXT        NOT NULL,
    target              TEXT        NOT NULL,
    risk_tier           INTEGER     NOT NULL,
    rationale           TEXT        NOT NULL DEFAULT '',
    requested_by        TEXT        NOT NULL,
    requested_at        TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    required_approvals  INTEGER     NOT NULL DEFAULT 1,
    decisions           JSONB       NOT NULL DEFAULT '[]',
    decided_by          TEXT,
    decided_at          TIMESTAMPTZ(3),
    decision_reason     TEXT,
    status              TEXT        NOT NULL DEFAULT 'pending',
    expires_at          TIMESTAMPTZ(3) NOT NULL,
    escalated_at        TIMESTAMPTZ(3),
    CONSTRAINT approvals_pkey PRIMARY KEY (approval_id),
    CONSTRAINT approvals_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT approvals_investigation_id_fkey FOREIGN KEY (investigation_id)
        REFERENCES investigation_state (investigation_id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT approvals_risk_tier_check CHECK (risk_tier BETWEEN 0 AND 3),
    CONSTRAINT approvals_required_approvals_check CHECK (required_approvals BETWEEN 1 AND 2),
    CONSTRAINT approvals_status_check
        CHECK (status IN ('pending', 'approved', 'rejected', 'timed_out', 'escalated', 'cancelled'))
);
CREATE INDEX idx_approvals_tenant_status ON approvals (tenant_id, status, expires_at);
CREATE INDEX idx_approvals_tenant_investigation ON approvals (tenant_id, investigation_id);

-- kill_switches: at most one active switch per (tenant, dimension, value); history rows keep deactivated_at.
CREATE TABLE kill_switches (
    id              TEXT        NOT NULL DEFAULT gen_random_uuid()::TEXT,
    tenant_id       TEXT        NOT NULL DEFAULT 'default',
    dimension       TEXT        NOT NULL,
    value           TEXT        NOT NULL,
    reason          TEXT        NOT NULL DEFAULT '',
    activated_by    TEXT        NOT NULL,
    activated_at    TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    deactivated_by  TEXT,
    deactivated_at  TIMESTAMPTZ(3),
    deactivation_reason TEXT,
    CONSTRAINT kill_switches_pkey PRIMARY KEY (id),
    CONSTRAINT kill_switches_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT kill_switches_dimension_check
        CHECK (dimension IN ('tenant', 'pattern', 'technique', 'datasource'))
);
CREATE UNIQUE INDEX kill_switches_tenant_id_dimension_value_key ON kill_switches (tenant_id, dimension, value)
    WHERE deactivated_at IS NULL;
CREATE INDEX idx_kill_switches_tenant ON kill_switches (tenant_id, activated_at DESC);

-- user_entity_behavior: UEBA / IAM / endpoint / CTEM risk signals per entity (spec §3.5 RiskSignal).
-- risk_score is NULL when there is no baseline: missing data is never "safe".
CREATE TABLE user_entity_behavior (
    id                    BIGSERIAL   NOT NULL,
    tenant_id             TEXT        NOT NULL DEFAULT 'default',
    entity_id             TEXT        NOT NULL,
    entity_type           TEXT        NOT NULL,
    signal_type           TEXT        NOT NULL,
    risk_state            TEXT        NOT NULL,
    risk_score            REAL,
    data_freshness_hours  REAL,
    source                TEXT        NOT NULL DEFAULT '',
    details               JSONB       NOT NULL DEFAULT '{}',
    observed_at           TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT user_entity_behavior_pkey PRIMARY KEY (id),
    CONSTRAINT user_entity_behavior_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT user_entity_behavior_signal_type_check CHECK (signal_type IN ('ueba', 'iam', 'endpoint', 'ctem')),
    CONSTRAINT user_entity_behavior_risk_state_check
        CHECK (risk_state IN ('no_baseline', 'unknown', 'low', 'medium', 'high')),
    CONSTRAINT user_entity_behavior_risk_score_check CHECK (risk_score BETWEEN 0 AND 10)
);
CREATE INDEX idx_ueba_entity ON user_entity_behavior (tenant_id, entity_id, observed_at DESC);

-- connectors (spec 012): per-tenant SIEM connector configuration.
CREATE TABLE connectors (
    connector_id    UUID        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id       TEXT        NOT NULL DEFAULT 'default',
    name            TEXT        NOT NULL,
    adapter_type    TEXT        NOT NULL,
    connector_mode  TEXT        NOT NULL DEFAULT 'polling',
    config          JSONB       NOT NULL DEFAULT '{}',
    enabled         BOOLEAN     NOT NULL DEFAULT true,
    created_at      TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT connectors_pkey PRIMARY KEY (connector_id),
    CONSTRAINT connectors_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT connectors_tenant_id_name_key UNIQUE (tenant_id, name),
    CONSTRAINT connectors_connector_mode_check CHECK (connector_mode IN ('polling', 'webhook', 'eventhub')),
    -- the ingest sources of src/ingest/canonical.ts ALERT_SOURCES (keep in step)
    CONSTRAINT connectors_adapter_type_check CHECK (adapter_type IN (
        'canonical', 'sentinel', 'defender', 'elastic', 'splunk', 'wazuh', 'crowdstrike', 'google_secops',
        'guardduty', 'security_hub', 'gcp_scc', 'ocsf'))
);
CREATE INDEX idx_connectors_adapter_type ON connectors (tenant_id, adapter_type);

-- llm_providers / llm_models (spec 013): per-tenant LLM configuration. Ids are text ids unique per tenant
-- (two tenants may both configure provider `anthropic`); models reference their tenant's provider.
-- llm_models.fallback_model names another model_id of the tenant but is not a foreign key: fallback chains may
-- point at a model configured later (or at a built-in default), and the router resolves and validates the chain.
CREATE TABLE llm_providers (
    provider_id   TEXT        NOT NULL,
    tenant_id     TEXT        NOT NULL DEFAULT 'default',
    display_name  TEXT        NOT NULL,
    api_base_url  TEXT        NOT NULL DEFAULT '',
    api_key_enc   TEXT        NOT NULL DEFAULT '',
    enabled       BOOLEAN     NOT NULL DEFAULT true,
    created_at    TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT llm_providers_pkey PRIMARY KEY (tenant_id, provider_id),
    CONSTRAINT llm_providers_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE TABLE llm_models (
    model_id           TEXT             NOT NULL,
    tenant_id          TEXT             NOT NULL DEFAULT 'default',
    provider_id        TEXT             NOT NULL,
    display_name       TEXT             NOT NULL DEFAULT '',
    model_name         TEXT             NOT NULL,
    tier               TEXT             NOT NULL DEFAULT 'tier_1',
    max_context        INTEGER          NOT NULL DEFAULT 200000,
    max_tokens         INTEGER          NOT NULL DEFAULT 8192,
    temperature        REAL             NOT NULL DEFAULT 0.2,
    cost_input         DOUBLE PRECISION NOT NULL DEFAULT 0,
    cost_output        DOUBLE PRECISION NOT NULL DEFAULT 0,
    latency_slo        TEXT             NOT NULL DEFAULT '30s',
    tasks              TEXT[]           NOT NULL DEFAULT '{}',
    fallback_model     TEXT,
    enabled            BOOLEAN          NOT NULL DEFAULT true,
    extended_thinking  BOOLEAN          NOT NULL DEFAULT false,
    created_at         TIMESTAMPTZ(3)      NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ(3)      NOT NULL DEFAULT now(),
    CONSTRAINT llm_models_pkey PRIMARY KEY (tenant_id, model_id),
    CONSTRAINT llm_models_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT llm_models_tenant_id_provider_id_fkey FOREIGN KEY (tenant_id, provider_id)
        REFERENCES llm_providers (tenant_id, provider_id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT llm_models_tier_check CHECK (tier IN ('tier_0', 'tier_1', 'tier_1_plus', 'tier_2')),
    CONSTRAINT llm_models_cost_check CHECK (cost_input >= 0 AND cost_output >= 0)
);
CREATE INDEX idx_llm_models_provider ON llm_models (tenant_id, provider_id);
CREATE INDEX idx_llm_models_tier ON llm_models (tenant_id, tier);

-- embedding_migration (spec 009, §4.12): checkpointed, pausable re-embedding progress.
CREATE TABLE embedding_migration (
    id               BIGSERIAL   NOT NULL,
    tenant_id        TEXT        NOT NULL DEFAULT 'default',
    old_model        TEXT        NOT NULL,
    new_model        TEXT        NOT NULL,
    collection       TEXT        NOT NULL,
    last_point_id    TEXT        NOT NULL DEFAULT '',
    points_migrated  BIGINT      NOT NULL DEFAULT 0,
    points_total     BIGINT      NOT NULL DEFAULT 0,
    started_at       TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    completed_at     TIMESTAMPTZ(3),
    status           TEXT        NOT NULL DEFAULT 'in_progress',
    CONSTRAINT embedding_migration_pkey PRIMARY KEY (id),
    CONSTRAINT embedding_migration_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT embedding_migration_status_check
        CHECK (status IN ('in_progress', 'paused', 'completed', 'failed')),
    CONSTRAINT embedding_migration_points_check CHECK (points_migrated >= 0 AND points_total >= 0)
);
CREATE INDEX idx_embedding_migration_tenant ON embedding_migration (tenant_id, collection, status);

-- dashboard_sessions (spec 011). session_id is a credential: the API shows (and pages by) session_fingerprint,
-- the sha256 hex of its UTF-8 bytes, derived here (decode(..., 'escape') of the text with backslashes doubled
-- gives those bytes, and unlike convert_to it is immutable, as a generated column requires).
CREATE TABLE dashboard_sessions (
    session_id  TEXT        NOT NULL,
    user_id     TEXT        NOT NULL,
    role        TEXT        NOT NULL DEFAULT 'analyst',
    tenant_id   TEXT        NOT NULL DEFAULT 'default',
    created_at  TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ(3) NOT NULL,
    session_fingerprint TEXT NOT NULL
        GENERATED ALWAYS AS (encode(sha256(decode(replace(session_id, '\', '\\'), 'escape')), 'hex')) STORED,
    CONSTRAINT dashboard_sessions_pkey PRIMARY KEY (session_id),
    CONSTRAINT dashboard_sessions_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_dashboard_sessions_user ON dashboard_sessions (tenant_id, user_id);
CREATE INDEX idx_dashboard_sessions_expires ON dashboard_sessions (expires_at);
