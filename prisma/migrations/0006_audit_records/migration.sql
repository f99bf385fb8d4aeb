-- 0006 audit_records (spec §2.6, §4.9): the append-only, per-tenant hash-chained audit trail (SOC 2 CC6.8).
--
-- * Range-partitioned by month on "timestamp"; partitions are named audit_records_YYYY_MM and cover whole
--   months in UTC. audit_records_default catches every row no monthly partition covers, so an insert never
--   fails for lack of a partition.
-- * create_audit_partitions(from_month, to_month) creates the missing monthly partitions of an inclusive month
--   range and returns how many it created (idempotent; safe to run concurrently). A month whose rows already
--   sit in the DEFAULT partition is skipped (PostgreSQL refuses to create a partition that would strand rows
--   in DEFAULT); those rows stay in DEFAULT, where they remain queryable and immutable.
-- * audit_immutable_guard() blocks UPDATE, DELETE (row triggers on the parent, which PostgreSQL clones onto
--   every present and future partition) and TRUNCATE (statement triggers; these are NOT inherited, so
--   create_audit_partitions installs one on every partition, including DEFAULT). The only supported removal
--   is dropping a whole expired partition in the retention lifecycle (DDL, owner rights, itself audited).
-- * The spec's UNIQUE (tenant_id, sequence_number, timestamp) is exactly the primary key, so it is not
--   created twice. sequence_number cannot be made unique per tenant across partitions without the partition
--   key; the chain writer guarantees it by serialising appends per tenant on audit_chain_state.

CREATE TABLE audit_records (
    audit_id           TEXT        NOT NULL,
    tenant_id          TEXT        NOT NULL DEFAULT 'default',
    sequence_number    BIGINT      NOT NULL,
    previous_hash      TEXT        NOT NULL,
    "timestamp"        TIMESTAMPTZ(3) NOT NULL,
    ingested_at        TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    event_type         TEXT        NOT NULL,
    event_category     TEXT        NOT NULL,
    severity           TEXT        NOT NULL DEFAULT 'info',
    actor_type         TEXT        NOT NULL,
    actor_id           TEXT        NOT NULL,
    actor_permissions  TEXT[]      NOT NULL DEFAULT '{}',
    investigation_id   TEXT        NOT NULL DEFAULT '',
    alert_id           TEXT        NOT NULL DEFAULT '',
    entity_ids         TEXT[]      NOT NULL DEFAULT '{}',
    context            JSONB       NOT NULL DEFAULT '{}',
    decision           JSONB       NOT NULL DEFAULT '{}',
    outcome            JSONB       NOT NULL DEFAULT '{}',
    record_hash        TEXT        NOT NULL,
    record_version     TEXT        NOT NULL DEFAULT '1.0',
    CONSTRAINT audit_records_pkey PRIMARY KEY (tenant_id, sequence_number, "timestamp"),
    CONSTRAINT audit_records_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT audit_records_severity_check CHECK (severity IN ('info', 'warning', 'critical')),
    CONSTRAINT audit_records_event_category_check
        CHECK (event_category IN ('decision', 'action', 'approval', 'security', 'system')),
    CONSTRAINT audit_records_sequence_number_check CHECK (sequence_number >= 0),
    CONSTRAINT audit_records_record_hash_check CHECK (record_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT audit_records_previous_hash_check CHECK (previous_hash ~ '^[0-9a-f]{64}$')
) PARTITION BY RANGE ("timestamp");

CREATE INDEX idx_audit_tenant_ts ON audit_records (tenant_id, "timestamp" DESC);
CREATE INDEX idx_audit_investigation ON audit_records (tenant_id, investigation_id, "timestamp")
    WHERE investigation_id <> '';
CREATE INDEX idx_audit_alert ON audit_records (tenant_id, alert_id, "timestamp") WHERE alert_id <> '';
CREATE INDEX idx_audit_event_type ON audit_records (tenant_id, event_type, "timestamp");
CREATE INDEX idx_audit_event_category ON audit_records (tenant_id, event_category, "timestamp");
CREATE INDEX idx_audit_actor ON audit_records (tenant_id, actor_id, "timestamp");
CREATE INDEX idx_audit_severity ON audit_records (tenant_id, severity, "timestamp")
    WHERE severity IN ('warning', 'critical');

CREATE TABLE audit_records_default PARTITION OF audit_records DEFAULT;

CREATE FUNCTION audit_immutable_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_records is append-only: % operations are forbidden', TG_OP
        USING ERRCODE = 'prohibited_sql_statement_attempted',
              HINT = 'Records leave audit_records only when the retention lifecycle drops an expired partition.';
END;
$$;

CREATE TRIGGER enforce_audit_immutability
    BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_immutable_guard();

CREATE TRIGGER enforce_audit_immutability_truncate
    BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION audit_immutable_guard();

CREATE TRIGGER enforce_audit_immutability_truncate
    BEFORE TRUNCATE ON audit_records_default
    FOR EACH STATEMENT EXECUTE FUNCTION audit_immutable_guard();

CREATE FUNCTION create_audit_partitions(from_month DATE, to_month DATE) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
    parent_schema  TEXT;
    month_start    DATE;
    last_month     DATE;
    part_name      TEXT;
    lower_bound    TIMESTAMPTZ(3);
    upper_bound    TIMESTAMPTZ(3);
    stranded       BOOLEAN;
    part           REGCLASS;
    created        INTEGER := 0;
BEGIN
    IF from_month IS NULL OR to_month IS NULL THEN
        RAISE EXCEPTION 'create_audit_partitions: from_month and to_month must not be null'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    month_start := date_trunc('month', from_month)::DATE;
    last_month := date_trunc('month', to_month)::DATE;
    IF last_month < month_start THEN
        RAISE EXCEPTION 'create_audit_partitions: to_month % is before from_month %', to_month, from_month
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    SELECT n.nspname INTO parent_schema
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = 'audit_records'::REGCLASS;

    WHILE month_start <= last_month LOOP
        part_name := 'audit_records_' || to_char(month_start, 'YYYY_MM');
        IF to_regclass(format('%I.%I', parent_schema, part_name)) IS NULL THEN
            -- Month boundaries in UTC, whatever the session time zone.
            lower_bound := month_start::TIMESTAMP AT TIME ZONE 'UTC';
            upper_bound := (month_start + INTERVAL '1 month')::TIMESTAMP AT TIME ZONE 'UTC';
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.audit_records_default WHERE "timestamp" >= $1 AND "timestamp" < $2)',
                           parent_schema)
               INTO stranded USING lower_bound, upper_bound;
            IF stranded THEN
                RAISE NOTICE 'create_audit_partitions: % not created: audit_records_default already holds rows for that month',
                    part_name;
            ELSE
                BEGIN
                    EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.audit_records FOR VALUES FROM (%L) TO (%L)',
                                   parent_schema, part_name, parent_schema, lower_bound, upper_bound);
                    created := created + 1;
                EXCEPTION
                    WHEN duplicate_table OR unique_violation THEN
                        NULL;  -- created by a concurrent caller (unique_violation: the race hit the catalogs)
                    WHEN check_violation THEN
                        -- a concurrent insert put rows for this month into DEFAULT in the meantime
                        RAISE NOTICE 'create_audit_partitions: % not created: audit_records_default holds rows for that month',
                            part_name;
                END;
            END IF;
        END IF;
        month_start := (month_start + INTERVAL '1 month')::DATE;
    END LOOP;

    -- TRUNCATE triggers are not inherited by partitions: give every partition its own.
    FOR part IN SELECT i.inhrelid::REGCLASS FROM pg_inherits i WHERE i.inhparent = 'audit_records'::REGCLASS LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_trigger t
                        WHERE t.tgrelid = part AND t.tgname = 'enforce_audit_immutability_truncate') THEN
            BEGIN
                EXECUTE format('CREATE TRIGGER enforce_audit_immutability_truncate BEFORE TRUNCATE ON %s '
                               'FOR EACH STATEMENT EXECUTE FUNCTION audit_immutable_guard()', part);
            EXCEPTION WHEN duplicate_object THEN
                NULL;  -- installed by a concurrent caller
            END;
        END IF;
    END LOOP;

    RETURN created;
END;
$$;

-- The current month (UTC) and the 3 months ahead; the retention job keeps creating 3 months ahead.
SELECT create_audit_partitions(
    date_trunc('month', now() AT TIME ZONE 'UTC')::DATE,
    (date_trunc('month', now() AT TIME ZONE 'UTC') + INTERVAL '3 months')::DATE);
