import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Id } from '../../db/schema.ts';
import { escapeLike } from '../users/users.repository.ts';
import type { ContractQuery } from './contracts.types.ts';

/** Contracts (aliased `k`) of live customers (aliased `c`, for the visibility condition), with the customer's name. */
export function contractsWithCustomer(executor: Executor, tenantId: Id, query: ContractQuery = {}) {
  let q = executor
    .selectFrom('contract as k')
    .innerJoin('customer as c', (j) => j.onRef('c.tenant_id', '=', 'k.tenant_id').onRef('c.id', '=', 'k.customer_id'))
    .where('k.tenant_id', '=', tenantId)
    .where('c.deleted_at', 'is', null);
  if (query.customerId) q = q.where('k.customer_id', '=', query.customerId);
  if (query.ownerId) q = q.where('k.owner_id', '=', query.ownerId);
  if (query.kind) q = q.where('k.kind', '=', query.kind);
  if (query.status) q = q.where('k.status', '=', query.status);
  if (query.q) {
    const like = `%${escapeLike(query.q)}%`;
    q = q.where((eb) => eb.or([eb('k.number', 'ilike', like), eb('k.title', 'ilike', like)]));
  }
  return q.selectAll('k').select('c.name as customer_name');
}

/**
 * Sets customers' last deal (time and amount) to their latest audited contract, or clears it
 * when none is left. Sample-gift orders are not deals. Callers lock the customer rows first.
 * Derived: the customer's version stays.
 */
export async function recomputeLastDeal(executor: Executor, tenantId: Id, customerId: Id): Promise<void> {
  await executor
    .updateTable('customer as c')
    .set({
      last_deal_at: sql<Date | null>`(SELECT k.deal_at FROM contract k WHERE k.tenant_id = c.tenant_id AND k.customer_id = c.id
        AND k.status = 'audited' AND k.kind = 'contract' ORDER BY k.deal_at DESC, k.id DESC LIMIT 1)`,
      last_deal_amount: sql<string | null>`(SELECT k.amount FROM contract k WHERE k.tenant_id = c.tenant_id AND k.customer_id = c.id
        AND k.status = 'audited' AND k.kind = 'contract' ORDER BY k.deal_at DESC, k.id DESC LIMIT 1)`,
    })
    .where('c.tenant_id', '=', tenantId)
    .where('c.id', '=', customerId)
    .execute();
}
