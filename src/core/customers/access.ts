import type { Customer, Id } from '../../db/schema.ts';
import type { Executor } from '../../db/database.ts';
import { can, type RequestContext } from '../shared/context.ts';
import { forbidden, notFound } from '../shared/errors.ts';
import { findCustomer } from './customers.repository.ts';

/**
 * Why the caller may not change a customer it can see, or null when it may. A locked customer
 * (锁定) is held by its owner: only the owner and callers whose data scope is the whole tenant
 * may change it.
 */
export function editRefusal(ctx: RequestContext, customer: Pick<Customer, 'id' | 'is_locked' | 'owner_id'>): string | null {
  if (!customer.is_locked || !ctx.user || ctx.dataScope === 'all') return null;
  if (customer.owner_id === ctx.user.id) return null;
  return `customer ${customer.id} is locked: only its owner or a user who sees all customers may change it`;
}

export function assertEditable(ctx: RequestContext, customer: Pick<Customer, 'id' | 'is_locked' | 'owner_id'>): void {
  const refusal = editRefusal(ctx, customer);
  if (refusal) throw forbidden(refusal, 'customer_locked');
}

/** What the caller may do with a customer it can see: the `_can_edit` / `_can_del` of reads. */
export function customerRights(ctx: RequestContext, customer: Pick<Customer, 'id' | 'is_locked' | 'owner_id'>) {
  const canEdit = editRefusal(ctx, customer) === null;
  return { canEdit, canDelete: canEdit && can(ctx, 'customers:delete') };
}

/**
 * For APIs that tell "outside your data scope" apart from "no such customer": forbidden when the
 * customer exists (not deleted) in the caller's tenant, not-found otherwise. Another tenant's ids
 * stay exactly like missing ones.
 */
export async function refuseInvisible(executor: Executor, ctx: RequestContext, id: Id): Promise<never> {
  const row = await findCustomer(executor, ctx.tenant.id, id);
  if (row && !row.deleted_at) throw forbidden(`customer ${id} is outside your data scope`, 'customer_out_of_scope');
  throw notFound('customer', id);
}
