import { sql, type ExpressionBuilder, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Customer, CustomerTable, DB, Id } from '../../db/schema.ts';
import { fragmentTokens, normalisePhone, phoneTailToken } from './search.ts';

export type CustomerSort = 'updatedAt' | 'createdAt' | 'lastFollowAt' | 'nextFollowAt';

export const SORT_COLUMNS = {
  updatedAt: 'updated_at',
  createdAt: 'created_at',
  lastFollowAt: 'last_follow_at',
  nextFollowAt: 'next_follow_at',
} as const satisfies Record<CustomerSort, keyof CustomerTable>;

/** Sort columns that are never null. */
export const NOT_NULL_SORTS: ReadonlySet<string> = new Set(['updated_at', 'created_at'] satisfies (typeof SORT_COLUMNS)[CustomerSort][]);

export interface CustomerQuery {
  /** Name fragment (Chinese or Latin), full pinyin or pinyin initials. */
  q?: string | undefined;
  /** Whole number, or its last digits (4 or more). */
  phone?: string | undefined;
  ownerId?: Id | undefined;
  departmentId?: Id | undefined;
  typeId?: Id | undefined;
  sourceId?: Id | undefined;
  gradeId?: Id | undefined;
  lifecycleId?: Id | undefined;
  tagId?: Id | undefined;
  inPool?: boolean | undefined;
  /** Customers of one pool; the default pool also holds those without a pool of their own. */
  pool?: { id: Id; isDefault: boolean } | undefined;
  lastFollowBefore?: Date | undefined;
  lastFollowAfter?: Date | undefined;
  nextFollowBefore?: Date | undefined;
  nextFollowAfter?: Date | undefined;
  customFields?: Record<string, string> | undefined;
  deleted?: boolean | undefined;
}

type CustomerExpressions = ExpressionBuilder<DB & { c: CustomerTable }, 'c'>;

/** Conditions of a customer list, on the table aliased `c`. */
export function customerConditions(query: CustomerQuery) {
  return (eb: CustomerExpressions) => {
    const and: ReturnType<CustomerExpressions['and']>[] = [];
    const add = (e: unknown) => and.push(e as ReturnType<CustomerExpressions['and']>);
    add(query.deleted ? eb('c.deleted_at', 'is not', null) : eb('c.deleted_at', 'is', null));
    if (query.q) add(nameMatch(query.q));
    if (query.phone) add(phoneMatch(query.phone));
    if (query.ownerId) add(eb('c.owner_id', '=', query.ownerId));
    if (query.departmentId) add(eb('c.owner_department_id', '=', query.departmentId));
    if (query.typeId) add(eb('c.type_id', '=', query.typeId));
    if (query.sourceId) add(eb('c.source_id', '=', query.sourceId));
    if (query.gradeId) add(eb('c.grade_id', '=', query.gradeId));
    if (query.lifecycleId) add(eb('c.lifecycle_id', '=', query.lifecycleId));
    if (query.inPool !== undefined) add(eb('c.in_pool', '=', query.inPool));
    if (query.pool) add(query.pool.isDefault ? eb.or([eb('c.pool_id', '=', query.pool.id), eb('c.pool_id', 'is', null)]) : eb('c.pool_id', '=', query.pool.id));
    if (query.tagId) {
      add(sql`EXISTS (SELECT 1 FROM customer_tag t WHERE t.tenant_id = c.tenant_id AND t.customer_id = c.id AND t.tag_id = ${query.tagId})`);
    }
    if (query.lastFollowBefore) add(eb('c.last_follow_at', '<', query.lastFollowBefore));
    if (query.lastFollowAfter) add(eb('c.last_follow_at', '>=', query.lastFollowAfter));
    if (query.nextFollowBefore) add(eb('c.next_follow_at', '<', query.nextFollowBefore));
    if (query.nextFollowAfter) add(eb('c.next_follow_at', '>=', query.nextFollowAfter));
    for (const [key, value] of Object.entries(query.customFields ?? {})) {
      // Equality on a stored value, or membership for list-valued fields; served by the GIN index.
      // The query string carries text, so a number field's value is also tried as a number.
      const arms = [sql`s.custom_fields @> ${JSON.stringify({ [key]: value })}::jsonb`, sql`s.custom_fields @> ${JSON.stringify({ [key]: [value] })}::jsonb`];
      if (/^-?\d+(\.\d+)?$/.test(value)) arms.push(sql`s.custom_fields @> ${JSON.stringify({ [key]: Number(value) })}::jsonb`);
      add(searchRowWhere(sql`(${sql.join(arms, sql` OR `)})`));
    }
    return eb.and(and);
  };
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const tokenArray = (tokens: string[]) => sql`${sql.val(tokens)}::text[]`;

/**
 * The customer's search row (0019) meets a condition on alias `s`. The GIN indexes are there, so
 * the planner finds the matching search rows first and then their customers by primary key.
 */
export function searchRowWhere(condition: RawBuilder<boolean>): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM customer_search s WHERE s.tenant_id = c.tenant_id AND s.customer_id = c.id AND ${condition})`;
}

/**
 * A name fragment, pinyin initials or full pinyin. The tokens only narrow the candidates (a name
 * holding the fragment holds all its grams); the customer's own columns decide.
 */
function nameMatch(raw: string): RawBuilder<boolean> {
  const q = raw.trim().toLowerCase();
  const pattern = likePattern(q);
  if (!/^[a-z]+$/.test(q)) return sql<boolean>`(${searchRowWhere(sql`s.search_tokens @> ${tokenArray(fragmentTokens(q))}`)} AND lower(c.name) LIKE ${pattern})`;
  const candidates = [sql`s.search_tokens @> ${tokenArray(fragmentTokens(q))}`, sql`s.search_tokens @> ${tokenArray(fragmentTokens(q, '#'))}`];
  const decides = [sql`lower(c.name) LIKE ${pattern}`, sql`c.name_initials LIKE ${pattern}`];
  if (q.length >= 3) {
    candidates.push(sql`s.name_pinyin LIKE ${pattern}`);
    decides.push(sql`c.name_pinyin LIKE ${pattern}`);
  }
  return sql<boolean>`(${searchRowWhere(sql`(${sql.join(candidates, sql` OR `)})`)} AND (${sql.join(decides, sql` OR `)}))`;
}

function phoneMatch(raw: string): RawBuilder<boolean> {
  const digits = normalisePhone(raw);
  const tail = phoneTailToken(digits);
  if (!tail) return sql<boolean>`${sql.val(digits)} = ANY(c.phones)`;
  return searchRowWhere(sql`s.search_tokens @> ${tokenArray([tail])}`);
}

/**
 * Writes what the customer is searched by, in the transaction that writes the customer: on
 * create, and whenever its name, phones or custom fields change. Tokens not given are kept.
 */
export async function saveCustomerSearch(executor: Executor, row: Pick<Customer, 'tenant_id' | 'id' | 'name_pinyin' | 'phones' | 'custom_fields'>, tokens?: string[]): Promise<void> {
  const values = { name_pinyin: row.name_pinyin, phones: row.phones, custom_fields: JSON.stringify(row.custom_fields) };
  await executor
    .insertInto('customer_search')
    .values({ tenant_id: row.tenant_id, customer_id: row.id, search_tokens: tokens ?? [], ...values })
    .onConflict((oc) => oc.columns(['tenant_id', 'customer_id']).doUpdateSet(tokens ? { ...values, search_tokens: tokens } : values))
    .execute();
}

/**
 * Rows of one offset page of live customers, newest id first (seed 004's pageIndex/pageSize).
 * The page's ids are found first, walking customer_live_by_id (0018) index-only past the
 * offset, so a deep page costs index entries rather than customer rows; then only those rows
 * are read. `visible` is customerVisibility's condition on alias `c`.
 */
export function customersByOffset(executor: Executor, tenantId: Id, visible: RawBuilder<boolean>, offset: number, limit: number): Promise<Customer[]> {
  return executor
    .selectFrom('customer as c')
    .selectAll('c')
    .where('c.tenant_id', '=', tenantId)
    .where('c.id', 'in', (eb) =>
      eb
        .selectFrom('customer as c')
        .select('c.id')
        .where('c.tenant_id', '=', tenantId)
        .where('c.deleted_at', 'is', null)
        .where(visible)
        .orderBy('c.id', 'desc')
        .offset(offset)
        .limit(limit),
    )
    .orderBy('c.id', 'desc')
    .execute();
}

export function findCustomer(executor: Executor, tenantId: Id, id: Id): Promise<Customer | undefined> {
  return executor.selectFrom('customer').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export interface CustomerExtras {
  tags: { id: Id; name: string; color: string | null }[];
  /** The given user's favourite mark, or null. */
  favourite: { marker_id: Id | null; created_at: Date } | null;
}

/**
 * The tags of each customer and one user's favourite marks on them, in one statement for a page
 * (a round trip fewer than asking for each, which counts most on the embedded database).
 */
export async function customerExtras(executor: Executor, tenantId: Id, userId: Id | null, customerIds: readonly Id[]): Promise<Map<Id, CustomerExtras>> {
  const map = new Map<Id, CustomerExtras>();
  if (customerIds.length === 0) return map;
  const { rows } = await sql<{ id: Id; tags: CustomerExtras['tags']; favourite: { marker_id: Id | null; created_at: string } | null }>`
    SELECT x.id::text AS id,
      (SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.id::text, 'name', t.name, 'color', t.color) ORDER BY t.name, t.id), '[]')
         FROM customer_tag ct JOIN tag t ON t.tenant_id = ct.tenant_id AND t.id = ct.tag_id
         WHERE ct.tenant_id = ${tenantId} AND ct.customer_id = x.id) AS tags,
      (SELECT jsonb_build_object('marker_id', f.marker_id::text, 'created_at', f.created_at)
         FROM customer_favourite f
         WHERE f.tenant_id = ${tenantId} AND f.user_id = ${userId} AND f.customer_id = x.id) AS favourite
    FROM unnest(${sql.val([...customerIds])}::bigint[]) AS x (id)`.execute(executor);
  for (const row of rows) {
    map.set(row.id, { tags: row.tags, favourite: row.favourite && { marker_id: row.favourite.marker_id, created_at: new Date(row.favourite.created_at) } });
  }
  return map;
}
