-- 0007 audit chain head and verification log (spec §2.6, §4.9).
-- audit_chain_state is the per-tenant chain head; appends lock its row (SELECT ... FOR UPDATE) so sequence
-- numbers are gap-free and unique per tenant. audit_verification_log adds first_broken_sequence and
-- break_kind so a failed verification says where and how the chain broke, and accepts 'on_demand' runs.

CREATE TABLE audit_chain_state (
    tenant_id       TEXT        NOT NULL,
    last_sequence   BIGINT      NOT NULL DEFAULT 0,
    last_hash       TEXT        NOT NULL DEFAULT repeat('0', 64),
    last_timestamp  TIMESTAMPTZ(3),
    updated_at      TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT audit_chain_state_pkey PRIMARY KEY (tenant_id),
    CONSTRAINT audit_chain_state_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT audit_chain_state_last_sequence_check CHECK (last_sequence >= 0),
    CONSTRAINT audit_chain_state_last_hash_check CHECK (last_hash ~ '^[0-9a-f]{64}$')
);

CREATE TABLE audit_verification_log (
    id                     BIGSERIAL   NOT NULL,
    tenant_id              TEXT        NOT NULL DEFAULT 'default',
    verified_at            TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    verification_type      TEXT        NOT NULL,
    records_checked        BIGINT      NOT NULL,
    from_sequence          BIGINT      NOT NULL,
    to_sequence            BIGINT      NOT NULL,
    chain_valid            BOOLEAN     NOT NULL,
    errors                 JSONB       NOT NULL DEFAULT '[]',
    duration_ms            INTEGER     NOT NULL,
    first_broken_sequence  BIGINT,
    break_kind             TEXT,
    CONSTRAINT audit_verification_log_pkey PRIMARY KEY (id),
    CONSTRAINT audit_verification_log_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT audit_verification_log_verification_type_check
        CHECK (verification_type IN ('continuous', 'daily_full', 'hourly_lag', 'weekly_cold', 'on_demand')),
    CONSTRAINT audit_verification_log_records_checked_check CHECK (records_checked >= 0)
);
CREATE INDEX idx_audit_verification_tenant ON audit_verification_log (tenant_id, verified_at DESC);
