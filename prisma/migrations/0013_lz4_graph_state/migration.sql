-- The GraphState (investigation_state.graph_state, 1–10 KB of JSON) is rewritten by every transition of an
-- investigation, and each closed investigation's decision chain is copied to incident_memory; values
-- over ~2 KB are compressed on every write. lz4 compresses several times faster than the default pglz
-- at a similar ratio for JSON. Servers built without lz4 (PGlite, the embedded database) keep pglz.
DO $$
BEGIN
  ALTER TABLE investigation_state ALTER COLUMN graph_state SET COMPRESSION lz4;
  ALTER TABLE incident_memory ALTER COLUMN decision_chain SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available: graph_state keeps the default compression';
END $$;
