import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { givenFields, mutationEvent } from '../../audit/audit.events';
import { AuditRecorder } from '../../audit/audit.recorder';
import type { Scope } from '../../auth/scope';
import { type FieldError, badInput, conflict, isDomainError, notFound } from '../../errors/domain-error';
import { translateDbError } from '../../errors/prisma-errors';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';
import { ALERT_SOURCES } from '../../ingest/canonical';
import { maskSecrets, restoreMaskedSecrets } from './connector-config';
import type { ConnectorFilter, CreateConnectorInput, UpdateConnectorInput } from './connector.inputs';

type ConnectorRow = Prisma.ConnectorGetPayload<object>;

/** A connector as the API shows it: `config` with secrets masked. */
export type ConnectorView = ConnectorRow;

export const CONNECTOR_MODES = ['polling', 'webhook', 'eventhub'] as const;
const MAX_NAME = 200;
const MAX_CONFIG_BYTES = 64 * 1024;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ORDER: SortKey<ConnectorRow>[] = [
  { field: 'name', direction: 'asc', value: (r) => r.name },
  { field: 'connectorId', direction: 'asc', value: (r) => r.connectorId },
];

const view = (row: ConnectorRow): ConnectorView => ({ ...row, config: maskSecrets(row.config) as Prisma.JsonValue });

function checkCommon(
  input: { name?: string | null; adapterType?: string | null; mode?: string | null; config?: unknown },
  errors: FieldError[],
): void {
  if (input.name != null) {
    const n = input.name.trim();
    if (!n) errors.push({ path: 'input.name', message: 'must not be empty' });
    else if (n.length > MAX_NAME) errors.push({ path: 'input.name', message: `at most ${MAX_NAME} characters` });
  }
  if (input.adapterType != null && !(ALERT_SOURCES as readonly string[]).includes(input.adapterType)) {
    errors.push({ path: 'input.adapterType', message: `must be one of ${ALERT_SOURCES.join(', ')}` });
  }
  if (input.mode != null && !(CONNECTOR_MODES as readonly string[]).includes(input.mode)) {
    errors.push({ path: 'input.mode', message: `must be one of ${CONNECTOR_MODES.join(', ')}` });
  }
  if (input.config != null) {
    if (typeof input.config !== 'object' || Array.isArray(input.config)) errors.push({ path: 'input.config', message: 'must be a JSON object' });
    else if (JSON.stringify(input.config).length > MAX_CONFIG_BYTES) errors.push({ path: 'input.config', message: 'at most 64 KB' });
  }
}

/** UNIQUE (tenant_id, name) → CONFLICT naming input.name; other constraint errors translated; rest rethrown. */
function rethrow(err: unknown): never {
  if (isDomainError(err)) throw err;
  const d = translateDbError(err);
  if (d?.code === 'CONFLICT') throw conflict('A connector with this name already exists', { constraint: d.details.constraint, fieldErrors: [{ path: 'input.name', message: 'already in use' }] });
  throw d ?? err;
}

/** `config.changed` for a connector: field NAMES only (never the config, which holds secrets). */
function connectorEvent(row: ConnectorRow, action: string, fields?: string[]) {
  return mutationEvent('config.changed', {
    entity: 'connector',
    entityId: row.connectorId,
    action,
    fields,
    context: { name: row.name, adapter_type: row.adapterType, mode: row.connectorMode, enabled: row.enabled },
  });
}

/**
 * SIEM/XDR connector configurations of the caller's tenant (admin only at the API). Config JSON is
 * stored as given (see report: no encryption at rest yet) and always returned with secrets masked.
 */
export class ConnectorService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  private async find(scope: Scope, id: string, db: Pick<PrismaClient, 'connector'> = this.prisma): Promise<ConnectorRow> {
    // connector_id is a UUID column: a malformed id cannot exist, and must not reach Postgres as a cast error.
    const row = UUID_RE.test(id) ? await db.connector.findFirst({ where: { connectorId: id, tenantId: scope.tenantId } }) : null;
    if (!row) throw notFound('Connector', id);
    return row;
  }

  /** One connector of the caller's tenant (secrets masked); another tenant's id is NOT_FOUND. */
  async get(scope: Scope, id: string): Promise<ConnectorView> {
    return view(await this.find(scope, id));
  }

  /** Connectors of the caller's tenant ordered by name (secrets masked). */
  async list(scope: Scope, filter: ConnectorFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<ConnectorView>> {
    const f = filter ?? {};
    const where: Prisma.ConnectorWhereInput = {
      tenantId: scope.tenantId,
      ...(f.adapterType ? { adapterType: f.adapterType } : {}),
      ...(f.mode ? { connectorMode: f.mode } : {}),
      ...(f.enabled != null ? { enabled: f.enabled } : {}),
      ...(f.search?.trim() ? { name: { contains: f.search.trim(), mode: 'insensitive' } } : {}),
    };
    return paginate(this.prisma.connector, where, ORDER, page, view);
  }

  /** Creates a connector; a name already used in the tenant is CONFLICT. */
  async create(scope: Scope, input: CreateConnectorInput): Promise<ConnectorView> {
    const errors: FieldError[] = [];
    checkCommon(input, errors);
    if (input.name == null) errors.push({ path: 'input.name', message: 'is required' });
    if (errors.length) throw badInput(errors);
    try {
      const row = await this.audit.run(scope, async (tx) => {
        const created = await tx.connector.create({
          data: {
            tenantId: scope.tenantId,
            name: input.name.trim(),
            adapterType: input.adapterType,
            connectorMode: input.mode ?? 'polling',
            config: (input.config ?? {}) as Prisma.InputJsonObject,
            enabled: input.enabled ?? true,
          },
        });
        return { result: created, events: [connectorEvent(created, 'created', givenFields(input))] };
      });
      return view(row);
    } catch (err) {
      rethrow(err);
    }
  }

  /**
   * Updates a connector of the caller's tenant. A new config replaces the stored one, except that
   * `********` under a secret key keeps the stored secret at that path.
   */
  async update(scope: Scope, id: string, input: UpdateConnectorInput): Promise<ConnectorView> {
    const errors: FieldError[] = [];
    checkCommon(input, errors);
    if (errors.length) throw badInput(errors);
    try {
      return await this.audit.run(scope, async (tx) => {
        const row = await this.find(scope, id, tx);
        const config = input.config != null ? restoreMaskedSecrets(input.config, row.config, 'input.config', errors) : undefined;
        if (errors.length) throw badInput(errors);
        const updated = await tx.connector.update({
          where: { connectorId: row.connectorId },
          data: {
            ...(input.name != null ? { name: input.name.trim() } : {}),
            ...(input.adapterType != null ? { adapterType: input.adapterType } : {}),
            ...(input.mode != null ? { connectorMode: input.mode } : {}),
            ...(config !== undefined ? { config: config as Prisma.InputJsonObject } : {}),
            ...(input.enabled != null ? { enabled: input.enabled } : {}),
            updatedAt: new Date(),
          },
        });
        const fields = givenFields(input);
        const action = fields.length === 1 && fields[0] === 'enabled' ? (input.enabled ? 'enabled' : 'disabled') : 'updated';
        return { result: view(updated), events: [connectorEvent(updated, action, fields)] };
      });
    } catch (err) {
      rethrow(err);
    }
  }

  /** Enables or disables a connector of the caller's tenant. */
  async setEnabled(scope: Scope, id: string, enabled: boolean): Promise<ConnectorView> {
    return this.update(scope, id, { enabled });
  }

  /** Deletes a connector of the caller's tenant and returns it as it was (secrets masked). */
  async remove(scope: Scope, id: string): Promise<ConnectorView> {
    return this.audit.run(scope, async (tx) => {
      const row = await this.find(scope, id, tx);
      await tx.connector.deleteMany({ where: { connectorId: row.connectorId, tenantId: scope.tenantId } });
      return { result: view(row), events: [connectorEvent(row, 'deleted')] };
    });
  }
}
