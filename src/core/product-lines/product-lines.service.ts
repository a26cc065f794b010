import type { Kysely, Selectable } from 'kysely';
import type { DB, Id, ProductLineTable } from '../../db/schema.ts';
import type { RequestContext } from '../shared/context.ts';
import { invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';

export type ProductLine = Selectable<ProductLineTable>;

/** Product lines (产品线) of the caller's tenant: seed 002's `default-product-id` header. */
export class ProductLinesService {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * The product line a request acts in: the given one, which must be the tenant's (another
   * tenant's id reads as unknown), or the tenant's default when none is given.
   */
  async resolve(ctx: RequestContext, id: Id | undefined, field = 'productLineId'): Promise<ProductLine> {
    let q = this.db.selectFrom('product_line').selectAll().where('tenant_id', '=', ctx.tenant.id);
    q = id === undefined ? q.where('is_default', '=', true) : q.where('id', '=', requireId(id, field));
    const row = await q.executeTakeFirst();
    if (row) return row;
    if (id === undefined) throw notFound('default_product_line', ctx.tenant.slug);
    throw invalidField(field, `product line ${id} does not exist`, 'reference_not_found');
  }
}
