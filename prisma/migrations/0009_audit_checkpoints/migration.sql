-- 0009 signed audit checkpoints, Merkle subtree hashes and the retention archive register (spec §4.9).
--
-- * audit_signing_keys: every Ed25519 public key that ever signed a checkpoint, by fingerprint (SHA-256 hex of
--   the DER SubjectPublicKeyInfo), so checkpoints signed before a key rotation stay verifiable. retired_at marks
--   a key that no longer signs; its rows are never deleted.
-- * audit_checkpoints: one signed checkpoint per (tenant, sequence). The signature covers
--   {tenant, sequence, head_hash, merkle_root, tree_size, created_at} (src/audit/checkpoint-signing.ts);
--   created_at is the signed time, supplied by the writer (no DEFAULT; TIMESTAMPTZ(3) like every timestamp,
--   so the stored value is exactly the signed millisecond text). accumulator holds the RFC 9162 compact range
--   {size, nodes[]} after tree_size leaves, so the next checkpoint only appends the newer record hashes.
--   tree_size = sequence_number: the tree always covers the whole chain 1..sequence.
-- * audit_merkle_nodes: every perfect, aligned Merkle subtree hash of 256 leaves or more (level >= 8), written
--   by the checkpoint job, so an inclusion proof reads O(log n) stored nodes plus at most two 256-leaf blocks,
--   and stays computable after older partitions are archived.
-- * audit_archives: what the retention job exported and detached, per tenant and partition. The verifier starts
--   a tenant's chain after the last contiguous archived sequence, anchored on the archived last_hash.
-- All four are append-only (audit_immutable_guard), like audit_records.

CREATE TABLE audit_signing_keys (
    fingerprint     TEXT        NOT NULL,
    public_key_pem  TEXT        NOT NULL,
    algorithm       TEXT        NOT NULL DEFAULT 'ed25519',
    created_at      TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    retired_at      TIMESTAMPTZ(3),
    CONSTRAINT audit_signing_keys_pkey PRIMARY KEY (fingerprint),
    CONSTRAINT audit_signing_keys_fingerprint_check CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    CONSTRAINT audit_signing_keys_algorithm_check CHECK (algorithm = 'ed25519'),
    CONSTRAINT audit_signing_keys_public_key_pem_check CHECK (public_key_pem LIKE '-----BEGIN PUBLIC KEY-----%')
);

CREATE TABLE audit_checkpoints (
    tenant_id        TEXT        NOT NULL DEFAULT 'default',
    sequence_number  BIGINT      NOT NULL,
    head_hash        TEXT        NOT NULL,
    merkle_root      TEXT        NOT NULL,
    tree_size        BIGINT      NOT NULL,
    accumulator      JSONB       NOT NULL,
    signature        TEXT        NOT NULL,
    key_fingerprint  TEXT        NOT NULL,
    created_at       TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT audit_checkpoints_pkey PRIMARY KEY (tenant_id, sequence_number),
    CONSTRAINT audit_checkpoints_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT audit_checkpoints_key_fingerprint_fkey FOREIGN KEY (key_fingerprint)
        REFERENCES audit_signing_keys (fingerprint) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT audit_checkpoints_sequence_number_check CHECK (sequence_number >= 1),
    CONSTRAINT audit_checkpoints_tree_size_check CHECK (tree_size = sequence_number),
    CONSTRAINT audit_checkpoints_head_hash_check CHECK (head_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT audit_checkpoints_merkle_root_check CHECK (merkle_root ~ '^[0-9a-f]{64}$'),
    CONSTRAINT audit_checkpoints_signature_check CHECK (signature ~ '^[A-Za-z0-9+/]{86}==$'),
    CONSTRAINT audit_checkpoints_accumulator_check
        CHECK (jsonb_typeof(accumulator) = 'object' AND (accumulator ->> 'size')::BIGINT = tree_size)
);

CREATE TABLE audit_merkle_nodes (
    tenant_id   TEXT     NOT NULL DEFAULT 'default',
    level       SMALLINT NOT NULL,
    node_index  BIGINT   NOT NULL,
    hash        TEXT     NOT NULL,
    CONSTRAINT audit_merkle_nodes_pkey PRIMARY KEY (tenant_id, level, node_index),
    CONSTRAINT audit_merkle_nodes_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT audit_merkle_nodes_level_check CHECK (level BETWEEN 8 AND 62),
    CONSTRAINT audit_merkle_nodes_node_index_check CHECK (node_index >= 0),
    CONSTRAINT audit_merkle_nodes_hash_check CHECK (hash ~ '^[0-9a-f]{64}$')
);

CREATE TABLE audit_archives (
    tenant_id       TEXT        NOT NULL DEFAULT 'default',
    partition_name  TEXT        NOT NULL,
    from_sequence   BIGINT      NOT NULL,
    to_sequence     BIGINT      NOT NULL,
    record_count    BIGINT      NOT NULL,
    last_hash       TEXT        NOT NULL,
    file_path       TEXT        NOT NULL,
    file_sha256     TEXT        NOT NULL,
    archived_at     TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT audit_archives_pkey PRIMARY KEY (tenant_id, partition_name),
    CONSTRAINT audit_archives_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT audit_archives_range_check CHECK (from_sequence >= 1 AND to_sequence >= from_sequence),
    CONSTRAINT audit_archives_record_count_check CHECK (record_count = to_sequence - from_sequence + 1),
    CONSTRAINT audit_archives_last_hash_check CHECK (last_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT audit_archives_file_sha256_check CHECK (file_sha256 ~ '^[0-9a-f]{64}$')
);
CREATE INDEX idx_audit_archives_tenant_to ON audit_archives (tenant_id, to_sequence);

CREATE TRIGGER enforce_audit_immutability BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_immutable_guard();
CREATE TRIGGER enforce_audit_immutability_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_immutable_guard();
CREATE TRIGGER enforce_audit_immutability BEFORE UPDATE OR DELETE ON audit_merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION audit_immutable_guard();
CREATE TRIGGER enforce_audit_immutability_truncate BEFORE TRUNCATE ON audit_merkle_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION audit_immutable_guard();
CREATE TRIGGER enforce_audit_immutability BEFORE UPDATE OR DELETE ON audit_archives
    FOR EACH ROW EXECUTE FUNCTION audit_immutable_guard();
CREATE TRIGGER enforce_audit_immutability_truncate BEFORE TRUNCATE ON audit_archives
    FOR EACH STATEMENT EXECUTE FUNCTION audit_immutable_guard();
