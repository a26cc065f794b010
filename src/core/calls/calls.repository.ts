import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Id } from '../../db/schema.ts';
import { searchRowWhere } from '../customers/customers.repository.ts';
import type { CallQuery } from './calls.types.ts';

/** Calls (aliased `k`) with their user (`u`) and customer (`c`, live ones only) names. */
export function callsWithNames(executor: Executor, tenantId: Id, query: CallQuery = {}) {
  let q = executor
    .selectFrom('call_log as k')
    .leftJoin('customer as c', (j) =>
      j.onRef('c.tenant_id', '=', 'k.tenant_id').onRef('c.id', '=', 'k.customer_id').on('c.deleted_at', 'is', null),
    )
    .leftJoin('app_user as u', (j) => j.onRef('u.tenant_id', '=', 'k.tenant_id').onRef('u.id', '=', 'k.user_id'))
    .where('k.tenant_id', '=', tenantId);
  if (query.customerId) q = q.where('k.customer_id', '=', query.customerId);
  if (query.userId) q = q.where('k.user_id', '=', query.userId);
  if (query.phone) q = q.where('k.phone', '=', query.phone);
  if (query.direction) q = q.where('k.direction', '=', query.direction);
  if (query.billingNumber) q = q.where('k.billing_number', '=', query.billingNumber);
  if (query.startedFrom) q = q.where('k.started_at', '>=', query.startedFrom);
  if (query.startedTo) q = q.where('k.started_at', '<', query.startedTo);
  return q.selectAll('k').select(['u.name as user_name', 'c.name as customer_name']);
}

/**
 * The live customer a number belongs to: its phones hold the number as given, or without a
 * leading 86 country code or trunk 0. The most recently updated one wins when several do.
 */
export async function matchCustomerByPhone(executor: Executor, tenantId: Id, digits: string): Promise<Id | null> {
  const candidates = new Set([digits]);
  if (digits.startsWith('86') && digits.length >= 13) candidates.add(digits.slice(2));
  if (digits.startsWith('0086')) candidates.add(digits.slice(4));
  if (digits.startsWith('0') && digits.length > 3) candidates.add(digits.slice(1));
  const row = await executor
    .selectFrom('customer as c')
    .select('c.id')
    .where('c.tenant_id', '=', tenantId)
    .where('c.deleted_at', 'is', null)
    .where(searchRowWhere(sql`s.phones && ${sql.val([...candidates])}::text[]`))
    .orderBy('c.updated_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}
