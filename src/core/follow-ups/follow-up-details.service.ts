import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB, FollowUp, Id } from '../../db/schema.ts';
import type { RequestContext } from '../shared/context.ts';
import { invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, encodeCursor } from '../shared/pagination.ts';
import { customerVisibility } from '../shared/scope.ts';
import { customerSide, hasCustomerFilter, matchCustomers, type CustomerFilter, type MatchLimits } from './follow-up-details.customers.ts';
import { loadSheet, type FollowUpSheet } from './follow-up-details.repository.ts';
import { followUpConditions, followUpsWithCustomer, SORT_COLUMNS } from './follow-ups.repository.ts';

export type { FollowUpSheet, PersonRef } from './follow-up-details.repository.ts';

/** Most rows one page may hold. */
export const MAX_DETAIL_PAGE = 100;
/** Most customers a customer filter turns into a list of ids (see follow-up-details.customers.ts). */
const CUSTOMER_IDS_LIMIT = 2000;
/** Estimated customers (of a name's search tokens) from which a name counts as common. */
const COMMON_NAME_ESTIMATE = 20_000;
/** Deepest row an offset (a page number instead of a cursor) may reach; deeper walks take the cursor. */
export const MAX_DETAIL_OFFSET = 10_000;

export interface FollowUpDetailsQuery {
  /** From the previous page; absent for the first. */
  cursor?: string | undefined;
  /** Rows to skip before the first one; only without a cursor. */
  offset?: number | undefined;
  limit: number;
  sort: 'createdAt' | 'updatedAt';
  order: 'asc' | 'desc';
  /** Customer name fragment, pinyin or initials, as the customer search takes it. */
  customerName?: string | undefined;
  /** Digits the customer's id contains. */
  customerIdDigits?: string | undefined;
  /** One of the customer's phone numbers, whole (digits compared). */
  customerPhone?: string | undefined;
  createdFrom?: Date | undefined;
  /** Fragment of the plain text of the content. */
  text?: string | undefined;
}

export interface FollowUpDetailsPage {
  sheet: FollowUpSheet;
  /** Null on the last page. */
  nextCursor: string | null;
  /** Rows matching the filters when the walk began. */
  total: number;
}

/**
 * Follow-ups with their customers and opportunities in full, for wire formats that embed them
 * (seed 003). The page is a keyset over (created_at | updated_at, id); the total is counted when
 * a walk begins and travels in the cursor, so a deep page costs what the first one costs.
 */
export class FollowUpDetailsService {
  private readonly limits: MatchLimits;

  constructor(
    private readonly db: Kysely<DB>,
    limits: Partial<MatchLimits> = {},
  ) {
    this.limits = { idsLimit: limits.idsLimit ?? CUSTOMER_IDS_LIMIT, estimateLimit: limits.estimateLimit ?? COMMON_NAME_ESTIMATE };
  }

  async list(ctx: RequestContext, query: FollowUpDetailsQuery): Promise<FollowUpDetailsPage> {
    const limit = Math.min(Math.max(query.limit, 1), MAX_DETAIL_PAGE);
    const column = SORT_COLUMNS[query.sort];
    const desc = query.order === 'desc';
    const fingerprint = filterFingerprint(query);
    const position = this.position(query, fingerprint, limit);
    const visible = await customerVisibility(this.db, ctx);
    const customers: CustomerFilter = { name: query.customerName, phone: query.customerPhone, idDigits: query.customerIdDigits };
    const match = hasCustomerFilter(customers) ? await matchCustomers(this.db, ctx.tenant.id, visible, customers, this.limits) : undefined;
    const empty = () => loadSheet(this.db, ctx.tenant.id, [], ctx.clock.now(), ctx.tenant.timezone);
    if (match?.ids?.length === 0) return { sheet: await empty(), nextCursor: null, total: 0 };

    const followUps = () =>
      followUpsWithCustomer(this.db, ctx.tenant.id)
        .where(visible)
        .where(followUpConditions({ createdFrom: query.createdFrom, q: query.text }));
    let page = followUps().selectAll('f').select(sql<string>`${sql.ref(`f.${column}`)}::text`.as('sort_key'));
    if (position.after) {
      page = page.where(sql<boolean>`(${sql.ref(`f.${column}`)}, f.id) ${desc ? sql`<` : sql`>`} (${position.after.value}::timestamptz, ${position.after.id}::bigint)`);
    }
    const direction = desc ? 'desc' : 'asc';
    let rows: (FollowUp & { sort_key: string })[];
    if (match?.ids) {
      // Each customer's rows from its own index range (at most one page each), merged and cut.
      const perCustomer = page
        .where(sql<boolean>`f.customer_id = m.id`)
        .orderBy(`f.${column}`, direction)
        .orderBy('f.id', direction)
        .limit(position.offset + limit + 1);
      const merged = await sql<FollowUp & { sort_key: string }>`SELECT p.* FROM unnest(${sql.val(match.ids)}::bigint[]) AS m (id) CROSS JOIN LATERAL ${perCustomer} AS p
        ORDER BY p.${sql.ref(column)} ${sql.raw(direction)}, p.id ${sql.raw(direction)} LIMIT ${limit + 1} OFFSET ${position.offset}`.execute(this.db);
      rows = merged.rows;
    } else {
      if (match?.each) page = page.where(match.each);
      rows = await page.orderBy(`f.${column}`, direction).orderBy('f.id', direction).limit(limit + 1).offset(position.offset).execute();
    }
    let total = position.total;
    if (total === null) {
      let count = followUps().select((eb) => eb.fn.countAll<string>().as('n'));
      // Counting takes the customer filter as a join condition, which the planner may hash.
      count = match?.ids ? count.where('f.customer_id', 'in', match.ids) : match?.each ? count.where(customerSide(customers) as never) : count;
      total = Number((await count.executeTakeFirstOrThrow()).n);
    }
    const last = rows[limit - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor([query.sort, query.order, last.sort_key, last.id, total, fingerprint]) : null;
    const items = rows.slice(0, limit).map(({ sort_key: _key, ...row }) => row as FollowUp);
    return { sheet: await loadSheet(this.db, ctx.tenant.id, items, ctx.clock.now(), ctx.tenant.timezone), nextCursor, total };
  }

  /** Where the page starts: after the cursor's row, or at an offset; and the total the cursor carries. */
  private position(query: FollowUpDetailsQuery, fingerprint: string, limit: number) {
    if (query.cursor) {
      const [sort, order, value, id, carried, print] = decodeCursor(query.cursor, 6);
      const after = typeof id === 'string' ? requireId(id, 'cursor') : null;
      if (typeof value !== 'string' || !after) throw invalidField('cursor', 'is not a cursor issued by this list', 'invalid_cursor');
      if (sort !== query.sort || order !== query.order) throw invalidField('cursor', `was issued for sort ${String(sort)} ${String(order)}, not ${query.sort} ${query.order}`, 'cursor_sort_mismatch');
      return { after: { value, id: after }, offset: 0, total: typeof carried === 'number' && print === fingerprint ? carried : null };
    }
    const offset = query.offset ?? 0;
    if (offset + limit > MAX_DETAIL_OFFSET) throw invalidField('page', `reaches past row ${MAX_DETAIL_OFFSET}; walk deeper with the cursor`, 'offset_too_deep');
    return { after: null, offset, total: null };
  }

  /** One follow-up with what surrounds it; not-found when missing, of a deleted customer or not visible. */
  async get(ctx: RequestContext, id: Id): Promise<FollowUpSheet> {
    requireId(id, 'id');
    const visible = await customerVisibility(this.db, ctx);
    const row = await followUpsWithCustomer(this.db, ctx.tenant.id)
      .selectAll('f')
      .where('f.id', '=', id)
      .where('c.deleted_at', 'is', null)
      .where(visible)
      .executeTakeFirst();
    if (!row) throw notFound('follow_up', id);
    return loadSheet(this.db, ctx.tenant.id, [row], ctx.clock.now(), ctx.tenant.timezone);
  }
}

/** A short digest of the filters, so a cursor's carried total is only reused for the same filters. */
function filterFingerprint(query: FollowUpDetailsQuery): string {
  const filters = [query.customerName, query.customerIdDigits, query.customerPhone, query.createdFrom?.toISOString(), query.text];
  return createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 12);
}
