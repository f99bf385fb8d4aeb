/**
 * The agent permission matrix (spec §3.2 `ROLE_PERMISSIONS`), enforced in code, deny-by-default.
 * Pure: no I/O.
 *
 * The spec's matrix has no entry for ctem_correlator and atlas_mapper (so under deny-by-default they
 * could do nothing); both get `query_data`, as the spec recommends.
 */
import { forbidden } from '../../errors/domain-error';

/** The six agent roles (spec §3.2). */
export const AGENT_ROLES = [
  'ioc_extractor',
  'context_enricher',
  'ctem_correlator',
  'atlas_mapper',
  'reasoning_agent',
  'response_agent',
] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/** The full ActionType set (spec §3.2). */
export const AGENT_ACTIONS = [
  'query_data',
  'query_graph',
  'analyse',
  'comment_incident',
  'update_incident',
  'execute_playbook',
  'call_llm',
] as const;
export type AgentAction = (typeof AGENT_ACTIONS)[number];

/** What each role may do; anything not listed is denied. */
export const ROLE_PERMISSIONS: Readonly<Record<AgentRole, readonly AgentAction[]>> = Object.freeze({
  ioc_extractor: Object.freeze(['query_data', 'call_llm'] as const),
  context_enricher: Object.freeze(['query_data', 'query_graph', 'call_llm'] as const),
  ctem_correlator: Object.freeze(['query_data'] as const),
  atlas_mapper: Object.freeze(['query_data'] as const),
  reasoning_agent: Object.freeze(['query_data', 'query_graph', 'analyse', 'comment_incident', 'call_llm'] as const),
  response_agent: Object.freeze(['query_data', 'analyse', 'update_incident', 'execute_playbook', 'call_llm'] as const),
});

export function isAgentRole(v: unknown): v is AgentRole {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(ROLE_PERMISSIONS, v);
}

/** Whether `role` may perform `action` (false for unknown roles or actions). */
export function agentMay(role: string, action: string): boolean {
  if (!isAgentRole(role)) return false;
  return (ROLE_PERMISSIONS[role] as readonly string[]).includes(action);
}

/** Throws FORBIDDEN unless `role` may perform `action`. */
export function assertAgentMay(role: string, action: string): void {
  if (!agentMay(role, action)) {
    throw forbidden(`Agent ${JSON.stringify(role)} may not ${JSON.stringify(action)}`);
  }
}
