import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type AuditResult, serverAudits } from 'graphql-http';
import { type TestApp, createKey, createTenant, startTestApp } from '../helpers/app';

/** Where the full result table goes (the README lists the SHOULD/MAY results from it). */
const REPORT = process.env.GRAPHQL_HTTP_AUDIT_REPORT ?? path.join(os.tmpdir(), 'aluskort-graphql-http-audit.md');

function table(results: AuditResult[]): string {
  const rows = results.map((r) => {
    const reason = r.status === 'ok' ? '' : r.reason.replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 160);
    return `| ${r.id} | ${r.name.replace(/\|/g, '\\|')} | ${r.status} | ${reason} |`;
  });
  return ['| id | audit | result | reason |', '|---|---|---|---|', ...rows].join('\n');
}

describe('GraphQL over HTTP conformance (graphql-http serverAudits)', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp();
    key = await createKey(t.app, await createTenant(t.db), ['viewer']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('passes every MUST audit', async () => {
    // Operations need an API key; everything else about each request is the audit's own.
    const fetchFn = (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${key}`);
      return fetch(input, { ...init, headers });
    };
    const audits = serverAudits({ url: t.url, fetchFn });
    const results: AuditResult[] = [];
    for (const audit of audits) results.push(await audit.fn()); // one at a time: the machine is shared

    const byLevel = (level: string) => results.filter((r) => r.name.startsWith(`${level} `));
    const summary = ['MUST', 'SHOULD', 'MAY']
      .map((l) => `${l}: ${byLevel(l).filter((r) => r.status === 'ok').length}/${byLevel(l).length} ok`)
      .join(', ');
    await writeFile(REPORT, `# graphql-http ${summary}\n\n${table(results)}\n`);

    expect(byLevel('MUST').length).toBeGreaterThan(10);
    const failedMusts = byLevel('MUST')
      .flatMap((r) => (r.status === 'ok' ? [] : [`${r.id} ${r.name}: ${r.reason}`]));
    expect(failedMusts).toEqual([]);
  });
});
