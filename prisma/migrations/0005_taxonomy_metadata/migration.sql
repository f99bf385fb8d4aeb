-- 0005 taxonomy metadata (spec §2.5). Global key/value rows (attack_version, atlas_version, last_sync) that the
-- context gateway copies into decisions and audit events as taxonomy_version. The rows themselves, like the
-- taxonomy_ids seed, are data: they are written by the seeder (seeds/) and the MITRE importer, not here.

CREATE TABLE taxonomy_metadata (
    key         TEXT        NOT NULL,
    value       TEXT        NOT NULL,
    updated_at  TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT taxonomy_metadata_pkey PRIMARY KEY (key)
);
