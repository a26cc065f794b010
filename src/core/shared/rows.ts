import type { Kysely, Transaction } from 'kysely';
import type { DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import type { RequestContext } from './context.ts';
import { DomainError, notFound, staleVersion } from './errors.ts';

/** Tables whose rows carry a `version` and answer ETag / If-Match. */
export type VersionedTable =
  | 'department'
  | 'role'
  | 'app_user'
  | 'dictionary_item'
  | 'custom_field'
  | 'customer'
  | 'contact'
  | 'opportunity'
  | 'visit_report'
  | 'follow_up'
  | 'contact_plan'
  | 'contract'
  | 'call_log'
  | 'sms_template';

// The helpers below are generic over several tables; Kysely's per-table typing cannot follow
// a table name chosen at run time, so they work on an untyped view of the same transaction.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (trx: Transaction<DB>) => trx as unknown as Kysely<any>;

export interface UpdateRow {
  table: VersionedTable;
  entity: string;
  id: Id;
  /** The version the caller last read (If-Match); absent: last write wins. */
  expectedVersion?: number | undefined;
  values: Record<string, unknown>;
  /** How the audit log names the change; default `update`. */
  action?: 'update' | 'delete' | 'restore' | undefined;
}

/** Locks the row, refuses a stale write, applies it with a new version and audits the change. */
export async function updateVersioned<R>(trx: Transaction<DB>, ctx: RequestContext, update: UpdateRow): Promise<R> {
  const db = untyped(trx);
  const before = await db
    .selectFrom(update.table)
    .selectAll()
    .where('tenant_id', '=', ctx.tenant.id)
    .where('id', '=', update.id)
    .forUpdate()
    .executeTakeFirst();
  if (!before) throw notFound(update.entity, update.id);
  if (update.expectedVersion !== undefined && before.version !== update.expectedVersion) {
    throw staleVersion(update.entity, update.id);
  }
  const after = await db
    .updateTable(update.table)
    .set({ ...update.values, version: before.version + 1, updated_at: ctx.clock.now() })
    .where('tenant_id', '=', ctx.tenant.id)
    .where('id', '=', update.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, ctx, { entity: update.entity, entityId: update.id, action: update.action ?? 'update', before, after });
  return after as R;
}

/** Runs work in a transaction, turning constraint violations into domain errors instead of 500s. */
export async function inTransaction<T>(db: Kysely<DB>, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(work);
  } catch (error) {
    throw translateDatabaseError(error);
  }
}

export function translateDatabaseError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const constraint = (error as { constraint?: string }).constraint ?? '';
  switch (code) {
    case '23505':
      return new DomainError('conflict', 'duplicate', `A record with the same unique value already exists (${constraint})`);
    case '23503':
      return new DomainError('invalid', 'reference_not_found', `A referenced record does not exist (${constraint})`);
    case '40001':
    case '40P01':
      return new DomainError('conflict', 'concurrent_update', 'The record was changed concurrently; retry the request');
    default:
      return error;
  }
}

/** Who and when of a new row, from the request context. */
export function creationStamps(ctx: RequestContext) {
  const now = ctx.clock.now();
  const by = ctx.user?.id ?? null;
  return { created_by: by, updated_by: by, created_at: now, updated_at: now };
}
