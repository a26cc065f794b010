import { sql, type ExpressionBuilder, type Kysely, type RawBuilder } from 'kysely';
import type { CustomerTable, DB, Id } from '../../db/schema.ts';
import { customerConditions, searchRowWhere } from '../customers/customers.repository.ts';
import { fragmentTokens } from '../customers/search.ts';

/**
 * How a follow-up list filtered on its customers (name, phone, id digits) reaches its rows.
 *
 * - Few matching customers (up to `idsLimit`): their ids, found first with the customer search;
 *   each one's follow-ups are read from its own index range and only those are sorted. Walking
 *   the sort index instead would read past millions of other rows for a rare name.
 * - Many (a common fragment such as 公司 or 科技): walk the follow-ups in sort order and check each
 *   one's customer on its primary key, in a per-row subquery the planner cannot flatten into a
 *   hash join over every matching customer; a page comes after a few dozen rows.
 *
 * Whether a name is common is first judged from the planner's estimate for its search tokens (the
 * array statistics of customer_search.search_tokens), since finding even 2,000 ids of a fragment
 * that half the customers hold costs a full read of its GIN posting list.
 */
export type CustomerMatch = { ids: Id[]; each?: undefined } | { ids?: undefined; each: RawBuilder<boolean> };

export interface CustomerFilter {
  name?: string | undefined;
  /** Digits, compared with each stored phone whole. */
  phone?: string | undefined;
  /** Digits the customer id contains. */
  idDigits?: string | undefined;
}

export interface MatchLimits {
  /** Most customers turned into a list of ids. */
  idsLimit: number;
  /** Estimated customers holding a name's tokens above which the name counts as common. */
  estimateLimit: number;
}

type CustomerExpressions = ExpressionBuilder<DB & { c: CustomerTable }, 'c'>;

export const hasCustomerFilter = (filter: CustomerFilter) => Boolean(filter.name || filter.phone || filter.idDigits);

/** The filter as conditions on a customer row aliased `c` (deleted customers excluded). */
export function customerSide(filter: CustomerFilter) {
  return (eb: CustomerExpressions) => {
    const and: RawBuilder<boolean>[] = [customerConditions({ q: filter.name })(eb) as unknown as RawBuilder<boolean>];
    if (filter.phone !== undefined) and.push(searchRowWhere(sql`s.phones @> ${sql.val([filter.phone])}::text[]`));
    if (filter.idDigits !== undefined) {
      // Ids have at most 19 digits, so 19 given digits can only be the whole id.
      and.push(filter.idDigits.length >= 19 ? sql<boolean>`c.id = ${filter.idDigits}::bigint` : sql<boolean>`c.id::text LIKE ${`%${filter.idDigits}%`}`);
    }
    return eb.and(and);
  };
}

export async function matchCustomers(db: Kysely<DB>, tenantId: Id, visible: RawBuilder<boolean>, filter: CustomerFilter, limits: MatchLimits): Promise<CustomerMatch> {
  const perRow = (): CustomerMatch => {
    const hit = db
      .selectFrom('customer as c')
      .select(sql<boolean>`true`.as('hit'))
      .where(sql<boolean>`c.tenant_id = f.tenant_id AND c.id = f.customer_id`)
      .where(customerSide(filter));
    return { each: sql<boolean>`coalesce((${hit}), false)` };
  };
  if (filter.name && (await estimatedNameMatches(db, tenantId, filter.name)) > limits.estimateLimit) return perRow();
  const found = await db
    .selectFrom('customer as c')
    .select('c.id')
    .where('c.tenant_id', '=', tenantId)
    .where(visible)
    .where(customerSide(filter))
    .limit(limits.idsLimit + 1)
    .execute();
  return found.length <= limits.idsLimit ? { ids: found.map((r) => r.id) } : perRow();
}

/** The planner's estimate of the customers holding a name fragment's search tokens. */
async function estimatedNameMatches(db: Kysely<DB>, tenantId: Id, name: string): Promise<number> {
  const q = name.trim().toLowerCase();
  const arms = [fragmentTokens(q), ...(/^[a-z]+$/.test(q) ? [fragmentTokens(q, '#')] : [])].filter((tokens) => tokens.length > 0);
  let most = 0;
  for (const tokens of arms) {
    const [row] = await db
      .selectFrom('customer_search as s')
      .select('s.customer_id')
      .where('s.tenant_id', '=', tenantId)
      .where(sql<boolean>`s.search_tokens @> ${sql.val(tokens)}::text[]`)
      .explain<{ 'QUERY PLAN': unknown }>('json');
    const raw = row?.['QUERY PLAN'];
    const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: { 'Plan Rows'?: number } }[] | undefined;
    most = Math.max(most, plan?.[0]?.Plan?.['Plan Rows'] ?? 0);
  }
  return most;
}
