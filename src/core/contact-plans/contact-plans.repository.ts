import { sql, type ExpressionBuilder } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { ContactPlanTable, CustomerTable, DB, Id } from '../../db/schema.ts';
import type { ContactPlanQuery } from './contact-plans.types.ts';

type PlanExpressions = ExpressionBuilder<DB & { p: ContactPlanTable; c: CustomerTable }, 'p' | 'c'>;

/**
 * Plans (aliased `p`) of live customers (aliased `c`, for the visibility condition), with the
 * names of the customer and contact.
 */
export function plansWithCustomer(executor: Executor, tenantId: Id) {
  return executor
    .selectFrom('contact_plan as p')
    .innerJoin('customer as c', (j) => j.onRef('c.tenant_id', '=', 'p.tenant_id').onRef('c.id', '=', 'p.customer_id'))
    .leftJoin('contact as ct', (j) => j.onRef('ct.tenant_id', '=', 'p.tenant_id').onRef('ct.id', '=', 'p.contact_id'))
    .where('p.tenant_id', '=', tenantId)
    .where('c.deleted_at', 'is', null);
}

/** Conditions of a plan list, on the table aliased `p`. */
export function planConditions(query: ContactPlanQuery) {
  return (eb: PlanExpressions) => {
    const and = [];
    if (query.customerId) and.push(eb('p.customer_id', '=', query.customerId));
    if (query.contactId) and.push(eb('p.contact_id', '=', query.contactId));
    if (query.ownerId) and.push(eb('p.owner_id', '=', query.ownerId));
    if (query.status) and.push(eb('p.status', '=', query.status));
    if (query.plannedFrom) and.push(eb('p.planned_at', '>=', query.plannedFrom));
    if (query.plannedTo) and.push(eb('p.planned_at', '<', query.plannedTo));
    return eb.and(and);
  };
}

/**
 * Sets customers' next_follow_at to their earliest pending plan (contact_plan_pending_by_customer).
 * Callers lock the customer rows first, so concurrent plan writes for one customer take turns
 * and each recomputation sees the others' committed plans. Derived: the customer's version stays.
 */
export async function recomputeNextFollow(executor: Executor, tenantId: Id, customerIds: readonly Id[]): Promise<void> {
  if (customerIds.length === 0) return;
  await executor
    .updateTable('customer as c')
    .set({
      next_follow_at: sql<Date | null>`(SELECT min(p.planned_at) FROM contact_plan p WHERE p.tenant_id = c.tenant_id AND p.customer_id = c.id AND p.status = 'pending')`,
    })
    .where('c.tenant_id', '=', tenantId)
    .where('c.id', 'in', [...customerIds])
    .execute();
}
