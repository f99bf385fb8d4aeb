import { DomainError } from '../../src/errors/domain-error';
import { AGENT_ACTIONS, AGENT_ROLES, agentMay, assertAgentMay, ROLE_PERMISSIONS } from '../../src/engine/agents/permissions';

describe('agent permission matrix', () => {
  it('matches spec §3.2, with query_data for the correlator and the mapper', () => {
    expect(ROLE_PERMISSIONS).toEqual({
      ioc_extractor: ['query_data', 'call_llm'],
      context_enricher: ['query_data', 'query_graph', 'call_llm'],
      ctem_correlator: ['query_data'],
      atlas_mapper: ['query_data'],
      reasoning_agent: ['query_data', 'query_graph', 'analyse', 'comment_incident', 'call_llm'],
      response_agent: ['query_data', 'analyse', 'update_incident', 'execute_playbook', 'call_llm'],
    });
    expect(AGENT_ROLES).toHaveLength(6);
    expect(AGENT_ACTIONS).toHaveLength(7);
  });

  it('denies by default with FORBIDDEN', () => {
    expect(() => assertAgentMay('response_agent', 'execute_playbook')).not.toThrow();
    const denied: [string, string][] = [
      ['reasoning_agent', 'execute_playbook'],
      ['ioc_extractor', 'update_incident'],
      ['ctem_correlator', 'call_llm'],
      ['atlas_mapper', 'query_graph'],
      ['unknown_agent', 'query_data'],
      ['response_agent', 'drop_tables'],
      ['__proto__', 'query_data'],
      ['toString', 'query_data'],
    ];
    for (const [role, action] of denied) {
      expect(agentMay(role, action)).toBe(false);
      try {
        assertAgentMay(role, action);
        throw new Error('expected FORBIDDEN');
      } catch (e) {
        expect(e).toBeInstanceOf(DomainError);
        expect((e as DomainError).code).toBe('FORBIDDEN');
      }
    }
  });

  it('the matrix is frozen', () => {
    expect(Object.isFrozen(ROLE_PERMISSIONS)).toBe(true);
    expect(Object.isFrozen(ROLE_PERMISSIONS.ioc_extractor)).toBe(true);
  });
});
