import { customerRights } from '../../core/customers/access.ts';
import type { CustomerView } from '../../core/customers/customers.service.ts';
import type { ProductLine } from '../../core/product-lines/product-lines.service.ts';
import type { Services } from '../../core/services.ts';
import type { RequestContext } from '../../core/shared/context.ts';
import { isDomainError, notFound } from '../../core/shared/errors.ts';
import type { CustomField, DictionaryItem, Id } from '../../db/schema.ts';
import type { User } from '../../core/users/users.service.ts';
import { type ItemContext, renderItem, requireCustomerModule, toCustomerInput, wireId } from './render.ts';
import type { AddBody, UpdateBody } from './schemas.ts';

/**
 * The two use cases of seed 002, each a sequence of core service calls: the write goes through
 * CustomersService in one transaction; the answer is gathered from the services that own each
 * part of the item.
 */
export class ModuleData {
  constructor(private readonly services: Services) {}

  async update(ctx: RequestContext, productLineId: string | undefined, body: UpdateBody) {
    const line = await this.productLine(ctx, productLineId);
    requireCustomerModule(body.mid);
    const id = wireId(body.id, 'id');
    // Forbidden outside the caller's data scope or on another's locked customer.
    const current = await this.services.customers.requireEditable(ctx, id);
    if (!(current.product_line_id === line.id || (current.product_line_id === null && line.is_default))) {
      throw notFound('customer', `${id} in product line ${line.id}`);
    }
    const definitions = await this.services.customFields.list(ctx, 'customer');
    // The seed: no owner named means the calling user. A pool customer changes hands only by
    // claim or assign, so there "no owner named" leaves it in the pool.
    const fallback = current.in_pool ? undefined : (ctx.user?.id ?? undefined);
    const input = toCustomerInput(body, definitions, fallback);
    // The version read above: a change made in between is refused (409), not overwritten.
    const customer = await this.services.customers.update(ctx, id, input, current.version);
    return this.item(ctx, customer, line, definitions);
  }

  async add(ctx: RequestContext, productLineId: string | undefined, body: AddBody) {
    const line = await this.productLine(ctx, productLineId);
    requireCustomerModule(body.mid);
    const definitions = await this.services.customFields.list(ctx, 'customer');
    const input = toCustomerInput(body, definitions, undefined);
    const customer = await this.services.customers.create(ctx, { ...input, name: input.name ?? '', productLineId: line.id });
    return this.item(ctx, customer, line, definitions);
  }

  private productLine(ctx: RequestContext, header: string | undefined): Promise<ProductLine> {
    const given = header === undefined || header.trim() === '' ? undefined : header.trim();
    return this.services.productLines.resolve(ctx, given, 'default-product-id');
  }

  private async item(ctx: RequestContext, customer: CustomerView, line: ProductLine, definitions: readonly CustomField[]) {
    const s = this.services;
    const shares = await s.shares.sharesOf(ctx, customer);
    const userIds = [customer.owner_id, customer.last_owner_id, customer.created_by, customer.updated_by, customer.deleted_by, customer.lead_claimer_id, ...shares.map((share) => share.user_id)];
    const users = new Map<Id, User>();
    for (const userId of new Set(userIds)) {
      if (userId) users.set(userId, await s.users.get(ctx, userId));
    }
    const pool = await s.pools.statusOf(ctx, customer);
    const context: ItemContext = {
      timezone: ctx.tenant.timezone,
      productLineId: customer.product_line_id ?? line.id,
      definitions,
      users,
      source: await this.dictionaryItem(ctx, 'customer_source', customer.source_id),
      lifecycle: await this.dictionaryItem(ctx, 'lifecycle_stage', customer.lifecycle_id),
      pool,
      sharedWith: shares.map((share) => share.user_id),
      ...customerRights(ctx, customer),
    };
    return renderItem(customer, context);
  }

  private async dictionaryItem(ctx: RequestContext, dictionary: string, id: Id | null): Promise<DictionaryItem | undefined> {
    if (!id) return undefined;
    try {
      return await this.services.dictionaries.getItem(ctx, dictionary, id);
    } catch (error) {
      if (isDomainError(error) && error.kind === 'not_found') return undefined;
      throw error;
    }
  }
}
