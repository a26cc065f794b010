import { sql, type ExpressionBuilder } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { CustomerTable, DB, Id, OpportunityTable } from '../../db/schema.ts';
import type { OpportunityQuery } from './opportunities.types.ts';

type OpportunityExpressions = ExpressionBuilder<DB & { o: OpportunityTable; c: CustomerTable }, 'o' | 'c'>;

/** Opportunities (aliased `o`) joined to their customer (aliased `c`, for the visibility condition). */
export function opportunitiesWithCustomer(executor: Executor, tenantId: Id) {
  return executor
    .selectFrom('opportunity as o')
    .innerJoin('customer as c', (j) => j.onRef('c.tenant_id', '=', 'o.tenant_id').onRef('c.id', '=', 'o.customer_id'))
    .where('o.tenant_id', '=', tenantId)
    .where('o.deleted_at', 'is', null)
    .where('c.deleted_at', 'is', null);
}

/** Conditions of an opportunity list, on the table aliased `o`. */
export function opportunityConditions(query: OpportunityQuery) {
  return (eb: OpportunityExpressions) => {
    const and = [];
    if (query.customerId) and.push(eb('o.customer_id', '=', query.customerId));
    if (query.ownerId) and.push(eb('o.owner_id', '=', query.ownerId));
    if (query.typeId) and.push(eb('o.type_id', '=', query.typeId));
    if (query.stageId) and.push(eb('o.stage_id', '=', query.stageId));
    if (query.status) and.push(eb('o.status', '=', query.status));
    return eb.and(and);
  };
}

/**
 * Sets customers' opportunity_count from their live opportunities. Callers lock the customer
 * rows first (SELECT … FOR UPDATE), so under READ COMMITTED the count sees every committed
 * concurrent change to those customers' opportunities.
 */
export async function recountOpportunities(executor: Executor, tenantId: Id, customerIds: readonly Id[]): Promise<void> {
  if (customerIds.length === 0) return;
  await executor
    .updateTable('customer as c')
    .set({
      opportunity_count: sql<number>`(SELECT count(*)::int FROM opportunity o WHERE o.tenant_id = c.tenant_id AND o.customer_id = c.id AND o.deleted_at IS NULL)`,
    })
    .where('c.tenant_id', '=', tenantId)
    .where('c.id', 'in', [...customerIds])
    .execute();
}
