import type { EnqueueOptions, InvestigationJob, WorkQueue } from '../../src/engine/queue';
import type { AlertSource } from '../../src/ingest/canonical';

/** A queue that records what ingest enqueues and runs nothing: investigations stay RECEIVED. */
export function recordingQueue(): WorkQueue & { jobs: { job: InvestigationJob; opts?: EnqueueOptions }[] } {
  const jobs: { job: InvestigationJob; opts?: EnqueueOptions }[] = [];
  return {
    kind: 'memory',
    jobs,
    async enqueue(job, opts) {
      jobs.push({ job, opts });
    },
    process() {
      // nothing runs: the pipeline runtime is tested elsewhere
    },
    async close() {},
  };
}

/** Sample directory → source (as in test/ingest/samples.test.ts). */
export const SOURCE_OF_DIR: Record<string, AlertSource> = {
  sentinel: 'sentinel',
  defender_graph: 'defender',
  elastic: 'elastic',
  splunk: 'splunk',
  wazuh: 'wazuh',
  crowdstrike: 'crowdstrike',
  google_secops: 'google_secops',
  guardduty: 'guardduty',
  asff: 'security_hub',
  gcp_scc: 'gcp_scc',
  ocsf: 'ocsf',
};

/** sample file → [alerts, of which mappable]: the expectations of test/ingest/samples.test.ts. */
export const EXPECTED_COUNTS: Record<string, [number, number]> = {
  'sentinel/securityalert-arm-entity-01.json': [1, 1],
  'sentinel/securityalert-loganalytics-row-01.json': [1, 1],
  'sentinel/securityincident-arm-01.json': [1, 0],
  'defender_graph/graph-alerts-v2-linux-customti-and-air.json': [2, 2],
  'defender_graph/graph-alerts-v2-list-mde-hidden-file.json': [1, 1],
  'defender_graph/graph-incidents-list-multistage.json': [1, 0],
  'defender_graph/graph-legacy-v1-security-alerts-list.json': [3, 3],
  'elastic/kibana-alert-8.1-indicator-match-esarchive.json': [1, 1],
  'elastic/siem-signal-7.16-indicator-match-esarchive.json': [1, 1],
  'splunk/es-notable-identity-root-su-ossec.json': [1, 1],
  'splunk/es-notables-recurring-malware-array.json': [2, 2],
  'splunk/notable-raw-excessive-failed-logins.json': [1, 1],
  'wazuh/wazuh-alert-fim-file-added-554.json': [1, 1],
  'wazuh/wazuh-alert-virustotal-malicious-87105.json': [1, 1],
  'wazuh/wazuh-alert-virustotal-no-positives-87104.json': [1, 1],
  'crowdstrike/falcon-alert-epp-ldt-ml-pup-quarantine.json': [1, 1],
  'crowdstrike/falcon-alert-idp-identity-verification-denied.json': [1, 1],
  'crowdstrike/falcon-alerts-v2-entities-cloud-ioa.json': [2, 2],
  'google_secops/secops-rule-detection-multi-event-udm.json': [1, 1],
  'google_secops/secops-rule-detection-v2-greynoise-ip-match.json': [1, 1],
  'guardduty/guardduty-finding-ec2-winrm-bruteforce-actor.json': [1, 1],
  'guardduty/guardduty-finding-iamuser-toripcaller.json': [1, 1],
  'guardduty/guardduty-finding-impact-s3-maliciousipcaller.json': [1, 1],
  'asff/asff-guardduty-cloudtrail-logging-disabled.json': [1, 1],
  'asff/asff-inspector-openssl-cve.json': [1, 1],
  'asff/asff-securityhub-fsbp-ec2-19.json': [1, 1],
  'gcp_scc/scc-listfindings-result-critical-application.json': [1, 1],
  'gcp_scc/scc-pubsub-pull-notifications-base64.json': [4, 3],
  'ocsf/compliance-finding-2003-sechub-pci.json': [1, 0],
  'ocsf/detection-finding-2004-okta.json': [1, 1],
  'ocsf/detection-finding-2004-sechub-guardduty.json': [1, 1],
  'ocsf/security-finding-2001-falco.json': [1, 1],
  'ocsf/security-finding-2001-sechub-rc2.json': [1, 1],
  'ocsf/vulnerability-finding-2002-inspector.json': [1, 0],
};

/** The GraphQL enum value of a source (`security_hub` → `SECURITY_HUB`). */
export const gqlSource = (s: AlertSource) => s.toUpperCase();

export const RESULT_FIELDS = 'deduplicated dropped reason error { code message path } investigation { id state severity title source alertId version createdAt }';
