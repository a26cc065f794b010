import { sql, type Kysely } from 'kysely';
import type { DB, Id } from '../../db/schema.ts';
import type { CustomersService } from '../customers/customers.service.ts';
import { requireDictionaryItem } from '../dictionaries/dictionaries.service.ts';
import type { Actor, RequestContext } from '../shared/context.ts';
import { forbidden } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, type Page, pageLimit, type PageRequest, toKeysetPage } from '../shared/pagination.ts';
import { inTransaction } from '../shared/rows.ts';
import { customerVisibility } from '../shared/scope.ts';

export interface Favourite {
  customer_id: Id;
  customer_name: string;
  marker_id: Id | null;
  created_at: Date;
}

export interface FavouriteFilter extends PageRequest {
  markerId?: Id | undefined;
}

/**
 * A user's favourite customers (收藏), each with a favourite_marker item (收藏标识). Marks are
 * personal: every method works on the caller's own.
 */
export class FavouritesService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly customers: CustomersService,
  ) {}

  /** Caller's favourites whose customer is still visible, most recently marked first. */
  async list(ctx: RequestContext, filter: FavouriteFilter): Promise<Page<Favourite>> {
    const me = requireUser(ctx);
    const limit = pageLimit(filter);
    const visible = await customerVisibility(this.db, ctx);
    let q = this.db
      .selectFrom('customer_favourite as f')
      .innerJoin('customer as c', (j) => j.onRef('c.tenant_id', '=', 'f.tenant_id').onRef('c.id', '=', 'f.customer_id'))
      .select(['f.customer_id', 'c.name as customer_name', 'f.marker_id', 'f.created_at', sql<string>`f.created_at::text`.as('sort_key')])
      .where('f.tenant_id', '=', ctx.tenant.id)
      .where('f.user_id', '=', me.id)
      .where('c.deleted_at', 'is', null)
      .where(visible);
    if (filter.markerId) q = q.where('f.marker_id', '=', requireId(filter.markerId, 'markerId'));
    if (filter.cursor) {
      const [at, id] = decodeCursor(filter.cursor, 2);
      q = q.where(sql<boolean>`(f.created_at, f.customer_id) < (${String(at)}::timestamptz, ${requireId(id, 'cursor')})`);
    }
    const rows = await q.orderBy('f.created_at', 'desc').orderBy('f.customer_id', 'desc').limit(limit + 1).execute();
    return toKeysetPage(rows, limit, (row) => row.customer_id);
  }

  /**
   * Marks a visible customer as the caller's favourite, or changes its marker. Without a marker
   * the favourite_marker dictionary's default item is used (seed 004's 默认的客户标识); null
   * leaves the favourite unmarked.
   */
  async set(ctx: RequestContext, customerId: Id, input: { markerId?: Id | null | undefined }): Promise<Favourite> {
    const me = requireUser(ctx);
    return inTransaction(this.db, async (trx) => {
      const customer = await this.customers.requireVisible(trx, ctx, customerId);
      let markerId: Id | null;
      if (input.markerId === undefined) {
        const fallback = await trx
          .selectFrom('dictionary_item')
          .select('id')
          .where('tenant_id', '=', ctx.tenant.id)
          .where('dictionary', '=', 'favourite_marker')
          .where('is_default', '=', true)
          .where('is_active', '=', true)
          .executeTakeFirst();
        markerId = fallback?.id ?? null;
      } else {
        markerId = input.markerId === null ? null : (await requireDictionaryItem(trx, ctx.tenant.id, 'favourite_marker', input.markerId, 'markerId')).id;
      }
      const row = await trx
        .insertInto('customer_favourite')
        .values({ tenant_id: ctx.tenant.id, customer_id: customer.id, user_id: me.id, marker_id: markerId, created_at: ctx.clock.now() })
        .onConflict((oc) => oc.columns(['tenant_id', 'customer_id', 'user_id']).doUpdateSet({ marker_id: markerId }))
        .returning(['customer_id', 'marker_id', 'created_at'])
        .executeTakeFirstOrThrow();
      return { ...row, customer_name: customer.name };
    });
  }

  /**
   * Removes the caller's marks from these customers. A customer that is neither marked nor
   * visible answers not-found; removing a mark that is not there is otherwise a no-op.
   */
  async remove(ctx: RequestContext, customerIds: readonly Id[]): Promise<void> {
    const me = requireUser(ctx);
    const ids = [...new Set(customerIds.map((id, i) => requireId(id, customerIds.length === 1 ? 'id' : `customerIds[${i}]`)))];
    if (ids.length === 0) return;
    await inTransaction(this.db, async (trx) => {
      const removed = await trx
        .deleteFrom('customer_favourite')
        .where('tenant_id', '=', ctx.tenant.id)
        .where('user_id', '=', me.id)
        .where('customer_id', 'in', ids)
        .returning('customer_id')
        .execute();
      for (const id of ids) {
        if (!removed.some((r) => r.customer_id === id)) await this.customers.requireVisible(trx, ctx, id);
      }
    });
  }
}

function requireUser(ctx: RequestContext): Actor {
  if (!ctx.user) throw forbidden('Favourites belong to a user; this request has none', 'user_required');
  return ctx.user;
}
