import { sql, type Kysely } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import type { CustomersService } from '../customers/customers.service.ts';
import { notify } from '../notifications/notify.ts';
import type { RequestContext } from '../shared/context.ts';
import { invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../shared/pagination.ts';
import { inTransaction } from '../shared/rows.ts';
import { customerVisibility } from '../shared/scope.ts';
import {
  MAX_ADD_HIT,
  type MessageBoardEntryView,
  type MessageBoardFilter,
  type MessageBoardInput,
  type PublishedItemInput,
  type PublishedItemView,
} from './ecommerce.types.ts';

const MAX_TITLE = 200;
const MAX_URL = 2000;
const MAX_SUMMARY = 5000;
const MAX_MESSAGE = 5000;
const MAX_CONTACT = 200;
const ITEM_COLUMNS = ['id', 'title', 'url', 'summary', 'hits', 'created_by', 'created_at', 'updated_at'] as const;

/**
 * What the tenant's website feeds back (seed 004 ECommerce): view counts of published items and
 * messages left on the message board (留言反馈). A message about a customer notifies its owner
 * and shows on the customer's timeline. Both writes work with a site-key context.
 */
export class ECommerceService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly customers: CustomersService,
  ) {}

  async createItem(ctx: RequestContext, input: PublishedItemInput): Promise<PublishedItemView> {
    const title = typeof input.title === 'string' ? input.title.trim() : '';
    if (!title || title.length > MAX_TITLE) throw invalidField('title', `is required: 1 to ${MAX_TITLE} characters`);
    const url = optionalText(input.url, 'url', MAX_URL);
    const summary = optionalText(input.summary, 'summary', MAX_SUMMARY);
    return inTransaction(this.db, async (trx) => {
      const now = ctx.clock.now();
      const row = await trx
        .insertInto('published_item')
        .values({ tenant_id: ctx.tenant.id, title, url, summary, created_by: ctx.user?.id ?? null, created_at: now, updated_at: now })
        .returning(ITEM_COLUMNS)
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'published_item', entityId: row.id, action: 'create', after: row });
      return row;
    });
  }

  async listItems(ctx: RequestContext, request: PageRequest): Promise<Page<PublishedItemView>> {
    const limit = pageLimit(request);
    let q = this.db.selectFrom('published_item').select(ITEM_COLUMNS).where('tenant_id', '=', ctx.tenant.id);
    if (request.cursor) q = q.where('id', '<', requireId(decodeCursor(request.cursor, 1)[0], 'cursor'));
    const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
    return toPage(rows, limit, (row) => [row.id]);
  }

  async getItem(ctx: RequestContext, id: Id): Promise<PublishedItemView> {
    requireId(id, 'id');
    const row = await this.db.selectFrom('published_item').select(ITEM_COLUMNS).where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('published_item', id);
    return row;
  }

  /** Adds views to an item's counter in one statement, so concurrent visits all count. */
  async addHits(ctx: RequestContext, itemId: Id, addHit: number): Promise<PublishedItemView> {
    requireId(itemId, 'id');
    if (!Number.isInteger(addHit) || addHit < 0 || addHit > MAX_ADD_HIT) throw invalidField('addHit', `must be a whole number from 0 to ${MAX_ADD_HIT}`);
    const row = await this.db
      .updateTable('published_item')
      .set({ hits: sql<string>`hits + ${addHit}`, updated_at: ctx.clock.now() })
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', itemId)
      .returning(ITEM_COLUMNS)
      .executeTakeFirst();
    if (!row) throw notFound('published_item', itemId);
    return row;
  }

  /** Stores a message about a customer and notifies the customer's owner (kind message_board.new). */
  async addMessage(ctx: RequestContext, input: MessageBoardInput): Promise<MessageBoardEntryView> {
    const customerId = requireId(input.customerId, 'customerId');
    const content = typeof input.content === 'string' ? input.content.trim() : '';
    if (!content || content.length > MAX_MESSAGE) throw invalidField('content', `is required: 1 to ${MAX_MESSAGE} characters`);
    const contact = optionalText(input.contact, 'contact', MAX_CONTACT);
    return inTransaction(this.db, async (trx) => {
      const customer = await this.customers.requireVisible(trx, ctx, customerId);
      const row = await trx
        .insertInto('message_board_entry')
        .values({ tenant_id: ctx.tenant.id, customer_id: customerId, content, contact, created_at: ctx.clock.now() })
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'message_board_entry', entityId: row.id, action: 'create', after: row });
      if (customer.owner_id) {
        await notify(trx, ctx, [
          {
            userId: customer.owner_id,
            kind: 'message_board.new',
            title: `New website message about ${customer.name}`,
            body: contact ? `${contact}: ${content.slice(0, 200)}` : content.slice(0, 200),
            entity: 'customer',
            entityId: customerId,
            dedupeKey: `message_board:${row.id}`,
          },
        ]);
      }
      const { tenant_id: _tenant, ...entry } = row;
      return { ...entry, customer_name: customer.name };
    });
  }

  /** Messages about customers the caller can see, newest first. */
  async listMessages(ctx: RequestContext, filter: MessageBoardFilter): Promise<Page<MessageBoardEntryView>> {
    if (filter.customerId !== undefined) await this.customers.requireVisible(this.db, ctx, requireId(filter.customerId, 'customerId'));
    const limit = pageLimit(filter);
    let q = (await visibleMessages(this.db, ctx));
    if (filter.customerId) q = q.where('m.customer_id', '=', filter.customerId);
    if (filter.cursor) q = q.where('m.id', '<', requireId(decodeCursor(filter.cursor, 1)[0], 'cursor'));
    const rows = await q.orderBy('m.id', 'desc').limit(limit + 1).execute();
    return toPage(rows, limit, (row) => [row.id]);
  }
}

async function visibleMessages(executor: Executor, ctx: RequestContext) {
  return executor
    .selectFrom('message_board_entry as m')
    .innerJoin('customer as c', (j) => j.onRef('c.tenant_id', '=', 'm.tenant_id').onRef('c.id', '=', 'm.customer_id'))
    .where('m.tenant_id', '=', ctx.tenant.id)
    .where('c.deleted_at', 'is', null)
    .where(await customerVisibility(executor, ctx))
    .select(['m.id', 'm.customer_id', 'm.content', 'm.contact', 'm.created_at', 'c.name as customer_name']);
}

function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max) throw invalidField(field, `must be text of at most ${max} characters`);
  return value.trim() || null;
}
