-- 0002 CTEM (spec §2.2, §4.1): exposures, red-team validations, remediations.
-- Keys are per tenant: (tenant_id, exposure_key), (tenant_id, validation_id), (tenant_id, remediation_id).
-- ctem_validations.exposure_id and ctem_remediations.exposure_id hold the exposure's exposure_key (the
-- stable business key the normalisers compute and the feeds carry, not the BIGSERIAL id), enforced by a
-- composite foreign key (tenant_id, exposure_id) -> ctem_exposures (tenant_id, exposure_key), which also
-- guarantees a validation never points at another tenant's exposure.

CREATE TABLE ctem_exposures (
    id                    BIGSERIAL   NOT NULL,
    exposure_key          TEXT        NOT NULL,
    ts                    TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    source_tool           TEXT        NOT NULL,
    title                 TEXT        NOT NULL,
    description           TEXT,
    severity              TEXT        NOT NULL,
    original_severity     TEXT        NOT NULL,
    asset_id              TEXT        NOT NULL,
    asset_type            TEXT        NOT NULL,
    asset_zone            TEXT        NOT NULL,
    exploitability_score  REAL        NOT NULL,
    physical_consequence  TEXT        NOT NULL,
    ctem_score            REAL        NOT NULL,
    atlas_technique       TEXT        NOT NULL DEFAULT '',
    attack_technique      TEXT        NOT NULL DEFAULT '',
    threat_model_ref      TEXT        NOT NULL DEFAULT '',
    status                TEXT        NOT NULL DEFAULT 'Open',
    assigned_to           TEXT        NOT NULL DEFAULT '',
    sla_deadline          TIMESTAMPTZ(3),
    remediation_guidance  TEXT        NOT NULL DEFAULT '',
    evidence_url          TEXT        NOT NULL DEFAULT '',
    tenant_id             TEXT        NOT NULL DEFAULT 'default',
    created_at            TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT ctem_exposures_pkey PRIMARY KEY (id),
    CONSTRAINT ctem_exposures_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT ctem_exposures_tenant_id_exposure_key_key UNIQUE (tenant_id, exposure_key),
    CONSTRAINT ctem_exposures_severity_check CHECK (severity IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')),
    CONSTRAINT ctem_exposures_status_check
        CHECK (status IN ('Open', 'InProgress', 'FixDeployed', 'Verified', 'Closed')),
    CONSTRAINT ctem_exposures_exploitability_score_check CHECK (exploitability_score BETWEEN 0 AND 1),
    CONSTRAINT ctem_exposures_ctem_score_check CHECK (ctem_score BETWEEN 0 AND 10),
    CONSTRAINT ctem_exposures_physical_consequence_check
        CHECK (physical_consequence IN ('safety_life', 'equipment', 'downtime', 'data_loss'))
);
CREATE INDEX idx_ctem_status_severity ON ctem_exposures (tenant_id, status, severity);
CREATE INDEX idx_ctem_sla_open ON ctem_exposures (tenant_id, sla_deadline)
    WHERE status IN ('Open', 'InProgress');
CREATE INDEX idx_ctem_asset ON ctem_exposures (tenant_id, asset_id, asset_zone);
CREATE INDEX idx_ctem_score ON ctem_exposures (tenant_id, ctem_score DESC);

CREATE TABLE ctem_validations (
    id                                 BIGSERIAL   NOT NULL,
    validation_id                      TEXT        NOT NULL,
    exposure_id                        TEXT        NOT NULL,
    campaign_id                        TEXT        NOT NULL,
    ts                                 TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    validation_type                    TEXT        NOT NULL,
    exploitable                        BOOLEAN     NOT NULL DEFAULT false,
    exploit_complexity                 TEXT        NOT NULL DEFAULT 'unknown',
    attack_path                        TEXT,
    physical_consequence_demonstrated  BOOLEAN     NOT NULL DEFAULT false,
    detection_evaded                   BOOLEAN     NOT NULL DEFAULT false,
    detection_rules_tested             JSONB       NOT NULL DEFAULT '[]',
    detection_gaps                     JSONB       NOT NULL DEFAULT '[]',
    tester                             TEXT        NOT NULL DEFAULT '',
    evidence_url                       TEXT        NOT NULL DEFAULT '',
    tenant_id                          TEXT        NOT NULL DEFAULT 'default',
    created_at                         TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT ctem_validations_pkey PRIMARY KEY (id),
    CONSTRAINT ctem_validations_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT ctem_validations_tenant_id_exposure_id_fkey FOREIGN KEY (tenant_id, exposure_id)
        REFERENCES ctem_exposures (tenant_id, exposure_key) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT ctem_validations_tenant_id_validation_id_key UNIQUE (tenant_id, validation_id),
    CONSTRAINT ctem_validations_validation_type_check
        CHECK (validation_type IN ('automated', 'manual_red_team', 'adversarial_ml', 'full_campaign')),
    CONSTRAINT ctem_validations_exploit_complexity_check
        CHECK (exploit_complexity IN ('unknown', 'low', 'medium', 'high'))
);
CREATE INDEX idx_ctem_val_campaign ON ctem_validations (tenant_id, campaign_id, ts);
CREATE INDEX idx_ctem_val_exposure ON ctem_validations (tenant_id, exposure_id);

CREATE TABLE ctem_remediations (
    id                 BIGSERIAL   NOT NULL,
    remediation_id     TEXT        NOT NULL,
    exposure_id        TEXT        NOT NULL,
    ts                 TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    status             TEXT        NOT NULL DEFAULT 'Assigned',
    assigned_to        TEXT        NOT NULL,
    assigned_date      TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    sla_deadline       TIMESTAMPTZ(3),
    fix_deployed_date  TIMESTAMPTZ(3),
    verified_date      TIMESTAMPTZ(3),
    verified_by        TEXT        NOT NULL DEFAULT '',
    sla_breached       BOOLEAN     NOT NULL DEFAULT false,
    escalation_level   TEXT        NOT NULL DEFAULT '',
    fix_description    TEXT        NOT NULL DEFAULT '',
    pull_request_url   TEXT        NOT NULL DEFAULT '',
    tenant_id          TEXT        NOT NULL DEFAULT 'default',
    created_at         TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT ctem_remediations_pkey PRIMARY KEY (id),
    CONSTRAINT ctem_remediations_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES tenants (tenant_id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT ctem_remediations_tenant_id_exposure_id_fkey FOREIGN KEY (tenant_id, exposure_id)
        REFERENCES ctem_exposures (tenant_id, exposure_key) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT ctem_remediations_tenant_id_remediation_id_key UNIQUE (tenant_id, remediation_id),
    CONSTRAINT ctem_remediations_status_check
        CHECK (status IN ('Assigned', 'InProgress', 'FixDeployed', 'Verified', 'Closed'))
);
CREATE INDEX idx_ctem_rem_status ON ctem_remediations (tenant_id, status, sla_deadline);
CREATE INDEX idx_ctem_rem_sla ON ctem_remediations (tenant_id, sla_breached) WHERE sla_breached;
CREATE INDEX idx_ctem_rem_exposure ON ctem_remediations (tenant_id, exposure_id);
