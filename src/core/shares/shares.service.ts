import type { Kysely, Transaction } from 'kysely';
import type { Customer, DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import type { CustomersService } from '../customers/customers.service.ts';
import type { RequestContext } from '../shared/context.ts';
import { invalidField } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { inTransaction } from '../shared/rows.ts';

export interface Share {
  user_id: Id;
  user_name: string;
  shared_by: Id | null;
  created_at: Date;
}

/**
 * Customers shared (共享) with other users. A share makes the customer visible to that user
 * whatever their data scope (see customerVisibility). Whoever sees a customer may share it
 * and take shares back.
 */
export class SharesService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly customers: CustomersService,
  ) {}

  async list(ctx: RequestContext, customerId: Id): Promise<Share[]> {
    await this.customers.requireVisible(this.db, ctx, customerId);
    return this.shares(this.db, ctx, customerId);
  }

  /** Shares of a customer row the caller obtained from a customer service call (which checked access). */
  sharesOf(ctx: RequestContext, customer: Pick<Customer, 'id'>): Promise<Share[]> {
    return this.shares(this.db, ctx, customer.id);
  }

  /** Shares with each user (again sharing with someone is a no-op); answers all shares of the customer. */
  async share(ctx: RequestContext, customerId: Id, userIds: readonly Id[]): Promise<Share[]> {
    const ids = [...new Set(userIds.map((id, i) => requireId(id, `userIds[${i}]`)))];
    if (ids.length === 0) throw invalidField('userIds', 'must name at least one user');
    return inTransaction(this.db, async (trx) => {
      await this.customers.requireVisible(trx, ctx, customerId, { forUpdate: true });
      const found = await trx.selectFrom('app_user').select('id').where('tenant_id', '=', ctx.tenant.id).where('id', 'in', ids).execute();
      const missing = ids.filter((id) => !found.some((f) => f.id === id));
      if (missing.length) throw invalidField('userIds', `user(s) ${missing.join(', ')} do not exist`, 'reference_not_found');
      const added = await trx
        .insertInto('customer_share')
        .values(ids.map((user_id) => ({ tenant_id: ctx.tenant.id, customer_id: customerId, user_id, shared_by: ctx.user?.id ?? null, created_at: ctx.clock.now() })))
        .onConflict((oc) => oc.columns(['tenant_id', 'customer_id', 'user_id']).doNothing())
        .returning('user_id')
        .execute();
      if (added.length) {
        await writeAudit(trx, ctx, { entity: 'customer_share', entityId: customerId, action: 'create', after: { user_ids: added.map((a) => a.user_id) } });
      }
      return this.shares(trx, ctx, customerId);
    });
  }

  /** Takes the customer back from the given users, or from everyone it was shared with. */
  async unshare(ctx: RequestContext, customerId: Id, userIds?: readonly Id[]): Promise<void> {
    const ids = userIds?.map((id, i) => requireId(id, `userIds[${i}]`));
    await inTransaction(this.db, async (trx) => {
      await this.customers.requireVisible(trx, ctx, customerId, { forUpdate: true });
      let q = trx.deleteFrom('customer_share').where('tenant_id', '=', ctx.tenant.id).where('customer_id', '=', customerId);
      if (ids) {
        if (ids.length === 0) return;
        q = q.where('user_id', 'in', ids);
      }
      const removed = await q.returning('user_id').execute();
      if (removed.length) {
        await writeAudit(trx, ctx, { entity: 'customer_share', entityId: customerId, action: 'delete', before: { user_ids: removed.map((r) => r.user_id) } });
      }
    });
  }

  private shares(executor: Kysely<DB> | Transaction<DB>, ctx: RequestContext, customerId: Id): Promise<Share[]> {
    return executor
      .selectFrom('customer_share as s')
      .innerJoin('app_user as u', (j) => j.onRef('u.tenant_id', '=', 's.tenant_id').onRef('u.id', '=', 's.user_id'))
      .select(['s.user_id', 'u.name as user_name', 's.shared_by', 's.created_at'])
      .where('s.tenant_id', '=', ctx.tenant.id)
      .where('s.customer_id', '=', customerId)
      .orderBy('s.created_at')
      .orderBy('s.user_id')
      .execute();
  }
}
