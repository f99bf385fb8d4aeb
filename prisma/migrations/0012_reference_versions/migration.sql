-- Change counters for the reference data the investigation pipeline reads on every step (taxonomy,
-- a tenant's FP patterns, kill switches, playbooks and settings), so a worker can keep that data in
-- memory and still never act on a stale copy: the job's claim statement reads the counters, and a
-- cached copy is only used while they are unchanged.
--
-- * scope 'taxonomy': bumped once per statement that changes taxonomy_ids or taxonomy_metadata.
-- * scope 'tenant:<id>': bumped per changed row of fp_patterns, kill_switches, playbooks, playbook_steps
--   and tenants (the tenant of the old and of the new row).
-- * scope '*': bumped by a TRUNCATE of any of those tables (no rows to name a tenant by); part of every
--   cache key.
-- The counters are ordinary rows, so a bump becomes visible exactly when the change it records commits
-- (a sequence would be visible before the commit, and a reader could cache the old data under the new
-- number). Counters only grow; a cache compares sums.
CREATE TABLE reference_versions (
  scope   TEXT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 0
);

CREATE FUNCTION bump_reference_version(p_scope TEXT) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO reference_versions AS r (scope, version) VALUES (p_scope, 1)
  ON CONFLICT (scope) DO UPDATE SET version = r.version + 1
$$;

CREATE FUNCTION reference_changed_taxonomy() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM bump_reference_version('taxonomy');
  RETURN NULL;
END $$;

CREATE FUNCTION reference_changed_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM bump_reference_version('*');
  RETURN NULL;
END $$;

CREATE FUNCTION reference_changed_tenant_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM bump_reference_version('tenant:' || OLD.tenant_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.tenant_id IS DISTINCT FROM OLD.tenant_id) THEN
    PERFORM bump_reference_version('tenant:' || NEW.tenant_id);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER taxonomy_ids_reference_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON taxonomy_ids
  FOR EACH STATEMENT EXECUTE FUNCTION reference_changed_taxonomy();
CREATE TRIGGER taxonomy_metadata_reference_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON taxonomy_metadata
  FOR EACH STATEMENT EXECUTE FUNCTION reference_changed_taxonomy();

CREATE TRIGGER fp_patterns_reference_version AFTER INSERT OR UPDATE OR DELETE ON fp_patterns
  FOR EACH ROW EXECUTE FUNCTION reference_changed_tenant_row();
CREATE TRIGGER kill_switches_reference_version AFTER INSERT OR UPDATE OR DELETE ON kill_switches
  FOR EACH ROW EXECUTE FUNCTION reference_changed_tenant_row();
CREATE TRIGGER playbooks_reference_version AFTER INSERT OR UPDATE OR DELETE ON playbooks
  FOR EACH ROW EXECUTE FUNCTION reference_changed_tenant_row();
CREATE TRIGGER playbook_steps_reference_version AFTER INSERT OR UPDATE OR DELETE ON playbook_steps
  FOR EACH ROW EXECUTE FUNCTION reference_changed_tenant_row();
CREATE TRIGGER tenants_reference_version AFTER INSERT OR UPDATE OR DELETE ON tenants
  FOR EACH ROW EXECUTE FUNCTION reference_changed_tenant_row();

CREATE TRIGGER fp_patterns_reference_truncate AFTER TRUNCATE ON fp_patterns
  FOR EACH STATEMENT EXECUTE FUNCTION reference_changed_truncate();
CREATE TRIGGER kill_switches_reference_truncate AFTER TRUNCATE ON kill_switches
  FOR EACH STATEMENT EXECUTE FUNCTION reference_changed_truncate();
CREATE TRIGGER playbooks_reference_truncate AFTER TRUNCATE ON playbooks
  FOR EACH STATEMENT EXECUTE FUNCTION reference_changed_truncate();
CREATE TRIGGER playbook_steps_reference_truncate AFTER TRUNCATE ON playbook_steps
  FOR EACH STATEMENT EXECUTE FUNCTION reference_changed_truncate();
CREATE TRIGGER tenants_reference_truncate AFTER TRUNCATE ON tenants
  FOR EACH STATEMENT EXECUTE FUNCTION reference_changed_truncate();
