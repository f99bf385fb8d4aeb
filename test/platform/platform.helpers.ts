import { type GqlResponse, type TestApp, codes, createKey, createTenant, gql } from '../helpers/app';

/** Two tenants (A is the caller under test, B the "other tenant") with keys of every role. */
export interface TwoTenants {
  a: string;
  b: string;
  keys: {
    aAdmin: string;
    aApprover: string;
    aAnalyst: string;
    aViewer: string;
    aIngest: string;
    bAdmin: string;
    bViewer: string;
  };
}

export async function twoTenants(t: TestApp): Promise<TwoTenants> {
  const a = await createTenant(t.db);
  const b = await createTenant(t.db);
  const [aAdmin, aApprover, aAnalyst, aViewer, aIngest, bAdmin, bViewer] = await Promise.all([
    createKey(t.app, a, ['admin']),
    createKey(t.app, a, ['approver']),
    createKey(t.app, a, ['analyst']),
    createKey(t.app, a, ['viewer']),
    createKey(t.app, a, ['ingest']),
    createKey(t.app, b, ['admin']),
    createKey(t.app, b, ['viewer']),
  ]);
  return { a, b, keys: { aAdmin, aApprover, aAnalyst, aViewer, aIngest, bAdmin, bViewer } };
}

/** Runs an operation and fails the test with the errors when there are any. */
export async function ok<T = Record<string, any>>(t: TestApp, key: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const r = await gql<T>(t.url, key, query, variables);
  if (r.body.errors) throw new Error(`unexpected errors: ${JSON.stringify(r.body.errors)}`);
  return r.body.data as T;
}

/** Field paths of a BAD_USER_INPUT error. */
export function fieldPaths(r: GqlResponse): string[] {
  const fe = r.body.errors?.[0]?.extensions?.fieldErrors as { path: string }[] | undefined;
  return (fe ?? []).map((f) => f.path);
}

export { codes, gql };
