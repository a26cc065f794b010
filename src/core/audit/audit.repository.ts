import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Id } from '../../db/schema.ts';
import type { RequestContext } from '../shared/context.ts';

export type AuditAction = 'create' | 'update' | 'delete' | 'restore' | 'revoke' | 'login';

export interface AuditRecord {
  entity: string;
  entityId: Id;
  action: AuditAction;
  before?: Record<string, unknown> | undefined;
  after?: Record<string, unknown> | undefined;
}

export type AuditChanges = Record<string, { before?: unknown; after?: unknown }>;

/** Columns whose values never enter the audit log; a change shows only that it happened. */
const SECRET = new Set(['password_hash', 'token_hash']);
/** Bookkeeping columns that change on every write and say nothing about it. */
const NOISE = new Set(['version', 'updated_at', 'created_at', 'tenant_id', 'id']);

function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value ?? null;
}

export function diff(before: Record<string, unknown> = {}, after: Record<string, unknown> = {}): AuditChanges {
  const changes: AuditChanges = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (NOISE.has(key)) continue;
    const b = normalise(before[key]);
    const a = normalise(after[key]);
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    const hide = SECRET.has(key);
    changes[key] = {
      ...(key in before ? { before: hide ? '[secret]' : b } : {}),
      ...(key in after ? { after: hide ? '[secret]' : a } : {}),
    };
  }
  return changes;
}

/** Written inside the transaction of the change it describes, so neither exists without the other. */
export async function writeAudit(executor: Executor, ctx: RequestContext, record: AuditRecord): Promise<void> {
  await executor
    .insertInto('audit_log')
    .values({
      tenant_id: ctx.tenant.id,
      at: ctx.clock.now(),
      user_id: ctx.user?.id ?? null,
      entity: record.entity,
      entity_id: record.entityId,
      action: record.action,
      changes: JSON.stringify(diff(record.before, record.after)),
      api: ctx.api,
      request_id: ctx.requestId,
    })
    .execute();
}

export interface AuditQuery {
  entity?: string | undefined;
  entityId?: string | undefined;
  userId?: Id | undefined;
  before?: Id | undefined;
  limit: number;
}

export function listAudit(executor: Executor, tenantId: Id, query: AuditQuery) {
  let q = executor.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
  if (query.entity) q = q.where('entity', '=', query.entity);
  if (query.entityId) q = q.where('entity_id', '=', query.entityId);
  if (query.userId) q = q.where('user_id', '=', query.userId);
  if (query.before) q = q.where('id', '<', sql<Id>`${query.before}::bigint`);
  return q.orderBy('id', 'desc').limit(query.limit + 1).execute();
}
