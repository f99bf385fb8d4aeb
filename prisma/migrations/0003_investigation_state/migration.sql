-- 0003 alerts, investigation state and the LLM cost ledger (spec §2.3, §1.5, §3.1).
-- alerts is a table the spec's code used but never created (§2.8); it lives here, before investigation_state,
-- so investigation_state.alert_id can be a real foreign key. The 4 orbital tables the spec's 003 also created
-- are declared once, in 0004, with the stricter 003 definitions.

CREATE TABLE alerts (
    alert_pk         TEXT        NOT NULL DEFAULT gen_random_uuid()::TEXT,
    tenant_id        TEXT        NOT NULL DEFAULT 'default',
    source           TEXT        NOT NULL,
    source_alert_id  TEXT        NOT NULL,
    "timestamp"      TIMESTAMPTZ(3) NOT NULL,
    title            TEXT        NOT NULL,
    description      TEXT        NOT NULL DEFAULT '',
    severity         TEXT        NOT NULL,
    tactics          TEXT[]      NOT NULL DEFAULT '{}',
    techniques       TEXT[]      NOT NULL DEFAULT '{}',
    entities         JSONB       NOT NULL DEFAULT '[]',
    product          TEXT        NOT NULL DEFAULT '',
    raw_payload      JSONB       NOT NULL,
    received_at      TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT alerts_pkey PRIMARY KEY (alert_pk),
    CONSTRAINT alerts_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT alerts_tenant_id_source_source_alert_id_key UNIQUE (tenant_id, source, source_alert_id),
    CONSTRAINT alerts_severity_check
        CHECK (severity IN ('critical', 'high', 'medium', 'low', 'informational'))
);
CREATE INDEX idx_alerts_tenant_ts ON alerts (tenant_id, "timestamp" DESC);
CREATE INDEX idx_alerts_tenant_severity ON alerts (tenant_id, severity);
CREATE INDEX idx_alerts_techniques ON alerts USING GIN (techniques);
-- entity pivots ("every alert that mentions host X"): entities @> '[{"primary_value": "host-1"}]'
CREATE INDEX idx_alerts_entities ON alerts USING GIN (entities jsonb_path_ops);

-- investigation_state: the persisted GraphState, plus optimistic locking (version), the work-queue lease
-- (lease_owner, lease_expires_at) and the denormalised fields list views filter on.
CREATE TABLE investigation_state (
    investigation_id     TEXT        NOT NULL DEFAULT gen_random_uuid()::TEXT,
    state                TEXT        NOT NULL DEFAULT 'received',
    alert_id             TEXT        NOT NULL,
    tenant_id            TEXT        NOT NULL DEFAULT 'default',
    graph_state          JSONB       NOT NULL DEFAULT '{}',
    confidence           REAL        NOT NULL DEFAULT 0,
    llm_calls            INTEGER     NOT NULL DEFAULT 0,
    total_cost_usd       REAL        NOT NULL DEFAULT 0,
    created_at           TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    version              INTEGER     NOT NULL DEFAULT 0,
    severity             TEXT        NOT NULL DEFAULT 'medium',
    classification       TEXT,
    title                TEXT        NOT NULL DEFAULT '',
    source               TEXT        NOT NULL DEFAULT '',
    lease_owner          TEXT,
    lease_expires_at     TIMESTAMPTZ(3),
    closed_at            TIMESTAMPTZ(3),
    unrecoverable_error  TEXT,
    CONSTRAINT investigation_state_pkey PRIMARY KEY (investigation_id),
    CONSTRAINT investigation_state_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT investigation_state_alert_id_fkey FOREIGN KEY (alert_id)
        REFERENCES alerts (alert_pk) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT investigation_state_state_check CHECK (state IN (
        'received', 'parsing', 'enriching', 'reasoning', 'awaiting_human', 'responding', 'closed', 'failed')),
    CONSTRAINT investigation_state_confidence_check CHECK (confidence BETWEEN 0 AND 1),
    CONSTRAINT investigation_state_severity_check
        CHECK (severity IN ('critical', 'high', 'medium', 'low', 'informational')),
    CONSTRAINT investigation_state_version_check CHECK (version >= 0),
    CONSTRAINT investigation_state_llm_calls_check CHECK (llm_calls >= 0),
    CONSTRAINT investigation_state_total_cost_usd_check CHECK (total_cost_usd >= 0)
);
CREATE INDEX idx_investigation_tenant_state ON investigation_state (tenant_id, state);
CREATE INDEX idx_investigation_tenant_created ON investigation_state (tenant_id, created_at DESC);
CREATE INDEX idx_investigation_tenant_alert ON investigation_state (tenant_id, alert_id);
-- The reconciler scans every tenant for expired leases of non-terminal investigations.
CREATE INDEX idx_investigation_lease ON investigation_state (lease_expires_at)
    WHERE state NOT IN ('closed', 'failed');

-- inference_logs: the LLM cost ledger. idx_inference_ts leads with tenant_id (so idx_inference_tenant of the
-- spec would be redundant and is not created).
CREATE TABLE inference_logs (
    id                BIGSERIAL   NOT NULL,
    ts                TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    investigation_id  TEXT,
    model_tier        TEXT        NOT NULL,
    model_id          TEXT        NOT NULL,
    input_tokens      INTEGER     NOT NULL DEFAULT 0,
    output_tokens     INTEGER     NOT NULL DEFAULT 0,
    cached_tokens     INTEGER     NOT NULL DEFAULT 0,
    cost_usd          REAL        NOT NULL DEFAULT 0,
    latency_ms        INTEGER     NOT NULL DEFAULT 0,
    task_type         TEXT        NOT NULL,
    tenant_id         TEXT        NOT NULL DEFAULT 'default',
    CONSTRAINT inference_logs_pkey PRIMARY KEY (id),
    CONSTRAINT inference_logs_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_inference_ts ON inference_logs (tenant_id, ts DESC);
CREATE INDEX idx_inference_model ON inference_logs (tenant_id, model_tier);
CREATE INDEX idx_inference_investigation ON inference_logs (tenant_id, investigation_id);
