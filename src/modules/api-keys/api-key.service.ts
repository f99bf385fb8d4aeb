import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../generated/prisma/client';
import { AuditRecorder } from '../../audit/audit.recorder';
import { mutationEvent } from '../../audit/audit.events';
import { type Role, type Scope, isRole, systemScope } from '../../auth/scope';
import { badInput, notFound } from '../../errors/domain-error';
import { type ConnectionShape, type PageArgs, type SortKey, paginate } from '../../graphql/connection';

const KEY_PREFIX = 'alsk_';
const KEY_ORDER: SortKey<{ createdAt: Date; keyId: string }>[] = [
  { field: 'createdAt', direction: 'desc', value: (r) => r.createdAt },
  { field: 'keyId', direction: 'asc', value: (r) => r.keyId },
];
const AUTH_CACHE_MS = 10_000;
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeyRecord {
  keyId: string;
  tenantId: string;
  name: string;
  keyPrefix: string;
  roles: Role[];
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
}

export interface CreatedApiKey {
  key: ApiKeyRecord;
  /** The secret, shown once; only its sha256 is stored. */
  secret: string;
}

/** sha256 hex of the presented secret; the only form in which keys are stored. */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function newSecret(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

function toRecord(row: {
  keyId: string;
  tenantId: string;
  name: string;
  keyPrefix: string;
  roles: string[];
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
}): ApiKeyRecord {
  return { ...row, roles: row.roles.filter(isRole) };
}

/** The audit record of a key's creation: name, roles and expiry; never the secret, its prefix or its hash. */
function keyCreatedEvent(row: { keyId: string; name: string; roles: string[]; expiresAt: Date | null }, fields: string[]) {
  return mutationEvent('config.changed', {
    entity: 'api_key',
    entityId: row.keyId,
    action: 'created',
    fields,
    context: { name: row.name, roles: row.roles, expires_at: row.expiresAt ? row.expiresAt.toISOString() : null },
  });
}

interface CachedAuth {
  scope: Omit<Scope, 'requestId'>;
  expiresAt: Date | null;
  until: number;
}

/** API keys: issue, revoke, list, and authenticate presented secrets. */
export class ApiKeyService {
  private readonly cache = new Map<string, CachedAuth>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditRecorder = new AuditRecorder(prisma),
  ) {}

  /**
   * Resolves a presented secret to the caller's scope, or null when the key is unknown, revoked or
   * expired. Results are cached for a few seconds per process; revocation in this process is immediate.
   */
  async authenticate(secret: string, requestId: string): Promise<Scope | null> {
    if (secret.length < 16 || secret.length > 512) return null;
    const hash = hashApiKey(secret);
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now && (!hit.expiresAt || hit.expiresAt.getTime() > now)) {
      this.touch(hit.scope.keyId!, now);
      return { ...hit.scope, requestId };
    }
    const row = await this.prisma.apiKey.findUnique({ where: { keyHash: hash } });
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now)) {
      this.cache.delete(hash);
      return null;
    }
    const scope: Omit<Scope, 'requestId'> = {
      tenantId: row.tenantId,
      actor: `api_key:${row.keyId}`,
      roles: row.roles.filter(isRole),
      keyId: row.keyId,
    };
    this.cache.set(hash, { scope, expiresAt: row.expiresAt, until: now + AUTH_CACHE_MS });
    this.touch(row.keyId, now);
    return { ...scope, requestId };
  }

  private touch(keyId: string, now: number): void {
    const last = this.lastUsedWritten.get(keyId) ?? 0;
    if (now - last < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(keyId, now);
    void this.prisma.apiKey
      .update({ where: { keyId }, data: { lastUsedAt: new Date(now) } })
      .catch(() => undefined);
  }

  /** Issues a key for the caller's tenant. Returns the secret once. */
  async create(
    scope: Scope,
    input: { name: string; roles: Role[]; expiresAt?: Date | null },
  ): Promise<CreatedApiKey> {
    const errors = [];
    if (!input.name.trim()) errors.push({ path: 'input.name', message: 'must not be empty' });
    if (input.name.length > 200) errors.push({ path: 'input.name', message: 'at most 200 characters' });
    if (input.roles.length === 0) errors.push({ path: 'input.roles', message: 'at least one role' });
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      errors.push({ path: 'input.expiresAt', message: 'must be in the future' });
    }
    if (errors.length) throw badInput(errors);
    const secret = newSecret();
    const row = await this.audit.run(scope, async (tx) => {
      const created = await tx.apiKey.create({
        data: {
          tenantId: scope.tenantId,
          name: input.name.trim(),
          keyPrefix: secret.slice(0, 12),
          keyHash: hashApiKey(secret),
          roles: [...new Set(input.roles)],
          createdBy: scope.actor,
          expiresAt: input.expiresAt ?? null,
        },
      });
      return { result: created, events: [keyCreatedEvent(created, input.expiresAt ? ['name', 'roles', 'expiresAt'] : ['name', 'roles'])] };
    });
    return { key: toRecord(row), secret };
  }

  /** Revokes a key of the caller's tenant; another tenant's key is NOT_FOUND. Idempotent. */
  async revoke(scope: Scope, keyId: string): Promise<ApiKeyRecord> {
    const row = await this.prisma.apiKey.findFirst({ where: { keyId, tenantId: scope.tenantId } });
    if (!row) throw notFound('ApiKey', keyId);
    // Revoking a revoked key changes nothing and records nothing.
    const updated = row.revokedAt
      ? row
      : await this.audit.run(scope, async (tx) => {
          const r = await tx.apiKey.update({
            where: { keyId },
            data: { revokedAt: new Date(), revokedBy: scope.actor },
          });
          const event = mutationEvent('config.changed', {
            entity: 'api_key',
            entityId: keyId,
            action: 'revoked',
            severity: 'warning',
            fields: ['revokedAt'],
            context: { name: r.name, roles: r.roles },
          });
          return { result: r, events: [event] };
        });
    this.cache.delete(row.keyHash);
    return toRecord(updated);
  }

  /** Keys of the caller's tenant, newest first (never the secret or its hash). */
  async list(scope: Scope, opts: { includeRevoked?: boolean } = {}, page: PageArgs = {}): Promise<ConnectionShape<ApiKeyRecord>> {
    return paginate(
      this.prisma.apiKey,
      { tenantId: scope.tenantId, ...(opts.includeRevoked ? {} : { revokedAt: null }) },
      KEY_ORDER,
      page,
      toRecord,
    );
  }

  /**
   * Makes sure the configured bootstrap secret is a valid admin key of tenant `default`
   * (created on first start, un-revoked never: a revoked bootstrap key stays revoked).
   */
  async ensureBootstrapKey(secret: string): Promise<{ created: boolean }> {
    const keyHash = hashApiKey(secret);
    const existing = await this.prisma.apiKey.findUnique({ where: { keyHash } });
    if (existing) return { created: false };
    const scope = systemScope('default', 'bootstrap');
    await this.audit.run(scope, async (tx) => {
      const created = await tx.apiKey.create({
        data: {
          tenantId: 'default',
          name: 'bootstrap',
          keyPrefix: secret.slice(0, 12),
          keyHash,
          roles: ['admin'],
          createdBy: scope.actor,
        },
      });
      return { result: created, events: [keyCreatedEvent(created, ['name', 'roles'])] };
    });
    return { created: true };
  }
}
