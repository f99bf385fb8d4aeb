/**
 * The response-action vocabulary that is safety-critical: actions that always need a human approval,
 * whatever the confidence (spec §4.8). One list for playbook validation, seeding and response planning.
 */

/**
 * Playbook actions that always need a human approval, whatever the confidence (spec §4.8: account disable,
 * endpoint isolation, firewall/IOC block, session revocation, MFA re-registration; spec §4.4 "needs human
 * approval" column; plus other irreversible or service-affecting containment steps).
 */
export const DESTRUCTIVE_ACTIONS: readonly string[] = [
  'disable_account',
  'isolate_endpoint',
  'block_ioc',
  'block_ip',
  'firewall_block',
  'revoke_sessions',
  'force_mfa_reregistration',
  'force_password_reset',
  'purge_email',
  'quarantine_file',
  'reimage_endpoint',
  'revoke_access_keys',
  'revoke_api_credentials',
  'revoke_oauth_grants',
  'rollback_iam_changes',
  'freeze_delta_tables',
  'halt_prescriptive_outputs',
  'isolate_node_opcua',
  'switch_to_manual_control',
  'disable_nl_interface',
  'isolate_node',
];


/** Spec §4.8 destructive actions under names the seed list does not use. */
const SPEC_DESTRUCTIVE_ALIASES = [
  'account_disable',
  'disable_user',
  'endpoint_isolation',
  'isolate_host',
  'firewall_rule',
  'block_domain',
  'block_url',
  'block_hash',
  'ioc_block',
  'session_revocation',
  'revoke_session',
  'mfa_reregistration',
  'reset_mfa',
];

/** Every action that always needs a human approval. */
export const ALL_DESTRUCTIVE_ACTIONS: ReadonlySet<string> = new Set([...DESTRUCTIVE_ACTIONS, ...SPEC_DESTRUCTIVE_ALIASES]);

/** Whether an action always needs a human approval (spec §4.8), under any of its common names. */
export function isDestructiveAction(action: string): boolean {
  return ALL_DESTRUCTIVE_ACTIONS.has(action);
}
