import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Id } from '../../db/schema.ts';
import { departmentSubtree } from '../departments/departments.service.ts';
import { can, type RequestContext } from './context.ts';

/**
 * The SQL condition on a customer row (aliased `c`) that says whether the caller may see it:
 * the role's data scope (own / department / department tree / all), plus customers shared
 * with the caller, plus the public pool for those with pool access. Every read of customers,
 * and of what hangs off them (contacts, follow-ups, plans, opportunities), goes through it.
 */
export async function customerVisibility(executor: Executor, ctx: RequestContext): Promise<RawBuilder<boolean>> {
  if (ctx.dataScope === 'all' || !ctx.user) return sql<boolean>`true`;
  const me = ctx.user.id;
  const clauses: RawBuilder<unknown>[] = [sql`c.owner_id = ${me}`];
  const department = ctx.user.departmentId;
  if (department && ctx.dataScope === 'department') clauses.push(sql`c.owner_department_id = ${department}`);
  if (department && ctx.dataScope === 'department_tree') {
    const ids: Id[] = await departmentSubtree(executor, ctx.tenant.id, department);
    clauses.push(sql`c.owner_department_id = ANY(${sql.val(ids)}::bigint[])`);
  }
  clauses.push(
    sql`EXISTS (SELECT 1 FROM customer_share s WHERE s.tenant_id = c.tenant_id AND s.customer_id = c.id AND s.user_id = ${me})`,
  );
  if (can(ctx, 'pool:access')) clauses.push(sql`c.in_pool`);
  return sql<boolean>`(${sql.join(clauses, sql` OR `)})`;
}

/** Throws not-found unless the customer exists in the tenant, is not deleted and is visible. */
export async function visibleCustomerIds(executor: Executor, ctx: RequestContext, ids: readonly Id[]): Promise<Set<Id>> {
  if (ids.length === 0) return new Set();
  const visible = await customerVisibility(executor, ctx);
  const rows = await executor
    .selectFrom('customer as c')
    .select('c.id')
    .where('c.tenant_id', '=', ctx.tenant.id)
    .where('c.id', 'in', [...ids])
    .where('c.deleted_at', 'is', null)
    .where(visible)
    .execute();
  return new Set(rows.map((r) => r.id));
}
