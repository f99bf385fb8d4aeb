-- 0004 the 10 ATLAS telemetry tables (spec §2.3 and §2.4).
-- The spec's 003 and 004 both declared orbital_inference_logs, edge_node_telemetry, databricks_audit and
-- model_registry (004 with IF NOT EXISTS, so it was a no-op). Each table is declared exactly once here, with
-- the stricter 003 definitions (NOT NULL columns, INET source_ip, REAL scores). Index names are unique per
-- table (the spec's 004 reused idx_inference_ts, colliding with inference_logs; here it is
-- idx_orbital_inference_ts). Every index leads with tenant_id.

CREATE TABLE orbital_inference_logs (
    id                    BIGSERIAL   NOT NULL,
    ts                    TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    edge_node_id          TEXT        NOT NULL,
    model_version         TEXT        NOT NULL,
    input_hash            TEXT        NOT NULL,
    output_hash           TEXT        NOT NULL,
    physics_check_result  TEXT        NOT NULL,
    confidence_score      REAL        NOT NULL,
    inference_latency_ms  INTEGER     NOT NULL,
    tenant_id             TEXT        NOT NULL DEFAULT 'default',
    ingested_at           TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT orbital_inference_logs_pkey PRIMARY KEY (id),
    CONSTRAINT orbital_inference_logs_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_orbital_inference_ts ON orbital_inference_logs (tenant_id, ts);
CREATE INDEX idx_orbital_inference_node_ts ON orbital_inference_logs (tenant_id, edge_node_id, ts);

CREATE TABLE orbital_physics_oracle (
    id            BIGSERIAL        NOT NULL,
    ts            TIMESTAMPTZ(3)      NOT NULL DEFAULT now(),
    edge_node_id  TEXT             NOT NULL,
    constraint_id TEXT,
    check_result  TEXT,
    latency_ms    DOUBLE PRECISION,
    error_state   TEXT,
    input_hash    TEXT,
    tenant_id     TEXT             NOT NULL DEFAULT 'default',
    ingested_at   TIMESTAMPTZ(3)      NOT NULL DEFAULT now(),
    CONSTRAINT orbital_physics_oracle_pkey PRIMARY KEY (id),
    CONSTRAINT orbital_physics_oracle_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_physics_oracle_ts ON orbital_physics_oracle (tenant_id, ts);
CREATE INDEX idx_physics_oracle_node_ts ON orbital_physics_oracle (tenant_id, edge_node_id, ts);

CREATE TABLE orbital_nl_query_logs (
    id                       BIGSERIAL   NOT NULL,
    ts                       TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    user_id                  TEXT        NOT NULL,
    session_id               TEXT,
    query_text               TEXT,
    response_summary         TEXT,
    tool_calls_made          INTEGER     NOT NULL DEFAULT 0,
    safety_filter_triggered  BOOLEAN     NOT NULL DEFAULT false,
    token_count              INTEGER     NOT NULL DEFAULT 0,
    tenant_id                TEXT        NOT NULL DEFAULT 'default',
    ingested_at              TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT orbital_nl_query_logs_pkey PRIMARY KEY (id),
    CONSTRAINT orbital_nl_query_logs_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_nl_query_ts ON orbital_nl_query_logs (tenant_id, ts);
CREATE INDEX idx_nl_query_user_ts ON orbital_nl_query_logs (tenant_id, user_id, ts);

CREATE TABLE orbital_api_logs (
    id                     BIGSERIAL   NOT NULL,
    ts                     TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    caller_ip              TEXT,
    caller_identity        TEXT        NOT NULL,
    endpoint               TEXT,
    method                 TEXT,
    response_code          INTEGER,
    request_payload_size   INTEGER     NOT NULL DEFAULT 0,
    response_payload_size  INTEGER     NOT NULL DEFAULT 0,
    tenant_id              TEXT        NOT NULL DEFAULT 'default',
    ingested_at            TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT orbital_api_logs_pkey PRIMARY KEY (id),
    CONSTRAINT orbital_api_logs_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_api_logs_ts ON orbital_api_logs (tenant_id, ts);
CREATE INDEX idx_api_logs_caller_ts ON orbital_api_logs (tenant_id, caller_identity, ts);

CREATE TABLE edge_node_telemetry (
    id                  BIGSERIAL   NOT NULL,
    ts                  TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    edge_node_id        TEXT        NOT NULL,
    model_weight_hash   TEXT        NOT NULL,
    disk_integrity      TEXT,
    boot_attestation    TEXT,
    active_connections  INTEGER     NOT NULL DEFAULT 0,
    cpu_utilisation     REAL        NOT NULL DEFAULT 0,
    memory_utilisation  REAL        NOT NULL DEFAULT 0,
    tenant_id           TEXT        NOT NULL DEFAULT 'default',
    ingested_at         TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT edge_node_telemetry_pkey PRIMARY KEY (id),
    CONSTRAINT edge_node_telemetry_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_edge_telemetry_ts ON edge_node_telemetry (tenant_id, ts);
CREATE INDEX idx_edge_telemetry_node_ts ON edge_node_telemetry (tenant_id, edge_node_id, ts);

CREATE TABLE databricks_audit (
    id               BIGSERIAL   NOT NULL,
    ts               TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    user_id          TEXT        NOT NULL,
    action           TEXT        NOT NULL,
    target_resource  TEXT        NOT NULL,
    source_ip        INET,
    workspace_id     TEXT,
    cluster_name     TEXT,
    tenant_id        TEXT        NOT NULL DEFAULT 'default',
    ingested_at      TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT databricks_audit_pkey PRIMARY KEY (id),
    CONSTRAINT databricks_audit_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_databricks_ts ON databricks_audit (tenant_id, ts);
CREATE INDEX idx_databricks_user_ts ON databricks_audit (tenant_id, user_id, ts);
CREATE INDEX idx_databricks_action_ts ON databricks_audit (tenant_id, action, ts);

CREATE TABLE model_registry (
    id             BIGSERIAL   NOT NULL,
    ts             TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    user_id        TEXT        NOT NULL,
    action         TEXT        NOT NULL,
    model_name     TEXT        NOT NULL,
    model_version  TEXT,
    model_hash     TEXT,
    stage          TEXT,
    approved_by    TEXT,
    tenant_id      TEXT        NOT NULL DEFAULT 'default',
    ingested_at    TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT model_registry_pkey PRIMARY KEY (id),
    CONSTRAINT model_registry_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_model_registry_ts ON model_registry (tenant_id, ts);
CREATE INDEX idx_model_registry_name_ts ON model_registry (tenant_id, model_name, ts);

CREATE TABLE cicd_audit (
    id                  BIGSERIAL   NOT NULL,
    ts                  TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    pipeline_id         TEXT        NOT NULL,
    trigger_type        TEXT,
    commit_hash         TEXT,
    dependency_changes  TEXT,
    tests_passed        INTEGER     NOT NULL DEFAULT 0,
    tests_failed        INTEGER     NOT NULL DEFAULT 0,
    deployer            TEXT,
    tenant_id           TEXT        NOT NULL DEFAULT 'default',
    ingested_at         TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT cicd_audit_pkey PRIMARY KEY (id),
    CONSTRAINT cicd_audit_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_cicd_ts ON cicd_audit (tenant_id, ts);
CREATE INDEX idx_cicd_pipeline_ts ON cicd_audit (tenant_id, pipeline_id, ts);

CREATE TABLE partner_api_logs (
    id             BIGSERIAL   NOT NULL,
    ts             TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    partner_id     TEXT        NOT NULL,
    partner_name   TEXT,
    direction      TEXT,
    data_type      TEXT,
    payload_size   INTEGER     NOT NULL DEFAULT 0,
    response_code  INTEGER,
    mtls_verified  BOOLEAN     NOT NULL DEFAULT true,
    tenant_id      TEXT        NOT NULL DEFAULT 'default',
    ingested_at    TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT partner_api_logs_pkey PRIMARY KEY (id),
    CONSTRAINT partner_api_logs_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_partner_ts ON partner_api_logs (tenant_id, ts);
CREATE INDEX idx_partner_partner_ts ON partner_api_logs (tenant_id, partner_id, ts);

CREATE TABLE opcua_telemetry (
    id                    BIGSERIAL   NOT NULL,
    ts                    TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    edge_node_id          TEXT        NOT NULL,
    sensor_count          INTEGER     NOT NULL DEFAULT 0,
    data_points_received  INTEGER     NOT NULL DEFAULT 0,
    connection_state      TEXT,
    auth_method           TEXT,
    protocol_violations   INTEGER     NOT NULL DEFAULT 0,
    tenant_id             TEXT        NOT NULL DEFAULT 'default',
    ingested_at           TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT opcua_telemetry_pkey PRIMARY KEY (id),
    CONSTRAINT opcua_telemetry_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX idx_opcua_ts ON opcua_telemetry (tenant_id, ts);
CREATE INDEX idx_opcua_node_ts ON opcua_telemetry (tenant_id, edge_node_id, ts);
