-- 0010 approval reminders and critical-action acknowledgement (spec §4.8).
--
-- * secondary_reviewer_at: when the one-off secondary-reviewer notice is due (50 % of the approval's timeout,
--   src/engine/approval-timeouts.ts). NULL = no notice planned (rows written before this migration that were
--   no longer pending, or rows created outside the engine).
-- * secondary_notified_at: when the notice was sent. Set once, by a guarded update
--   (status = 'pending' AND secondary_notified_at IS NULL), so a redelivered job or a second worker does nothing.
-- * requires_acknowledgement: the approval is for a critical action (risk tier 3, or any gated action of a
--   critical investigation): approving it needs an explicit acknowledgement, and its timeout escalates
--   (the approval stays open for a human), whatever the severity policy says.
-- Per-tenant timeout overrides live in tenants.settings.approvalTimeouts (JSON, like shadowMode): no column.

ALTER TABLE approvals
    ADD COLUMN secondary_reviewer_at    TIMESTAMPTZ(3),
    ADD COLUMN secondary_notified_at    TIMESTAMPTZ(3),
    ADD COLUMN requires_acknowledgement BOOLEAN NOT NULL DEFAULT false;

UPDATE approvals
   SET secondary_reviewer_at = requested_at + (expires_at - requested_at) / 2
 WHERE status = 'pending';

UPDATE approvals a
   SET requires_acknowledgement = true
  FROM investigation_state i
 WHERE i.investigation_id = a.investigation_id
   AND (a.risk_tier >= 3 OR i.severity = 'critical');

CREATE INDEX idx_approvals_status_reminder ON approvals (status, secondary_reviewer_at);
