-- Similar-incident search (spec §4.2) without computing a text-search vector per stored incident at
-- query time (to_tsvector costs tens of microseconds a row): the searched document is a stored generated
-- column with a GIN index. incident_search_document is an IMMUTABLE wrapper (array_to_string is only
-- STABLE in general, but immutable for text[]), as generated columns and indexes require.
CREATE FUNCTION incident_search_document(alert_name TEXT, investigation_summary TEXT, mitre_techniques TEXT[])
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT to_tsvector('english'::regconfig,
                     coalesce(alert_name, '') || ' ' || coalesce(investigation_summary, '') || ' ' ||
                     coalesce(array_to_string(mitre_techniques, ' '), ''))
$$;

ALTER TABLE incident_memory
  ADD COLUMN search_document tsvector
  GENERATED ALWAYS AS (incident_search_document(alert_name, investigation_summary, mitre_techniques)) STORED;

CREATE INDEX idx_incident_search ON incident_memory USING GIN (search_document);
