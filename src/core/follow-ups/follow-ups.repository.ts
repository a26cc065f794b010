import { sql, type ExpressionBuilder, type RawBuilder, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { CustomerTable, DB, FollowUp, FollowUpTable, Id } from '../../db/schema.ts';
import { anyCustomValues, fieldNames } from '../custom-fields/custom-fields.service.ts';
import { customerConditions } from '../customers/customers.repository.ts';
import type { DictionaryName } from '../dictionaries/catalog.ts';
import { invalidField } from '../shared/errors.ts';
import type { FollowUpFilter, FollowUpSort, FollowUpView } from './follow-ups.types.ts';

export const SORT_COLUMNS = {
  followedAt: 'followed_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const satisfies Record<FollowUpSort, keyof FollowUpTable>;

type FollowUpSortColumn = (typeof SORT_COLUMNS)[FollowUpSort];

type ListExpressions = ExpressionBuilder<DB & { f: FollowUpTable; c: CustomerTable }, 'f' | 'c'>;

/** Follow-ups joined to their customer (`c`), for visibility and customer filters. */
export function followUpsWithCustomer(executor: Executor, tenantId: Id) {
  return executor
    .selectFrom('follow_up as f')
    .innerJoin('customer as c', (j) => j.onRef('c.tenant_id', '=', 'f.tenant_id').onRef('c.id', '=', 'f.customer_id'))
    .where('f.tenant_id', '=', tenantId);
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Conditions of a follow-up list on `f` and its customer `c` (which also keep deleted customers out). */
export function followUpConditions(filter: FollowUpFilter) {
  return (eb: ListExpressions) => {
    const and: RawBuilder<boolean>[] = [];
    const add = (e: unknown) => and.push(e as RawBuilder<boolean>);
    add(customerConditions({ q: filter.customerQ, phone: filter.customerPhone })(eb as never));
    if (filter.customerId) add(eb('f.customer_id', '=', filter.customerId));
    if (filter.userId) add(eb('f.user_id', '=', filter.userId));
    if (filter.opportunityId) add(eb('f.opportunity_id', '=', filter.opportunityId));
    if (filter.typeId) add(eb('f.type_id', '=', filter.typeId));
    if (filter.visitReportId) add(eb('f.visit_report_id', '=', filter.visitReportId));
    if (filter.ownerId) add(eb('c.owner_id', '=', filter.ownerId));
    if (filter.from) add(eb('f.followed_at', '>=', filter.from));
    if (filter.to) add(eb('f.followed_at', '<', filter.to));
    if (filter.createdFrom) add(eb('f.created_at', '>=', filter.createdFrom));
    if (filter.q) add(sql`f.content_text ILIKE ${likePattern(filter.q.trim())}`);
    if (filter.participantId) {
      add(sql`EXISTS (SELECT 1 FROM follow_up_participant p WHERE p.tenant_id = f.tenant_id AND p.follow_up_id = f.id AND p.user_id = ${filter.participantId})`);
    }
    return eb.and(and as never);
  };
}

/** The latest follow-up of a customer, served by follow_up_by_customer. */
export function latestOfCustomer(executor: Executor, tenantId: Id, customerId: Id) {
  return executor
    .selectFrom('follow_up')
    .select(['followed_at', 'content_text', 'title', 'user_id'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('followed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The latest follow-up about an opportunity (an opportunity has few, found by follow_up_by_opportunity). */
export function latestOfOpportunity(executor: Executor, tenantId: Id, opportunityId: Id) {
  return executor
    .selectFrom('follow_up')
    .select(['followed_at', 'user_id'])
    .where('tenant_id', '=', tenantId)
    .where('opportunity_id', '=', opportunityId)
    .orderBy('followed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function replaceLinks(trx: Transaction<DB>, table: 'follow_up_contact' | 'follow_up_participant', tenantId: Id, followUpId: Id, ids: Id[]) {
  await trx.deleteFrom(table).where('tenant_id', '=', tenantId).where('follow_up_id', '=', followUpId).execute();
  if (ids.length === 0) return;
  const rows = ids.map((id) => ({ tenant_id: tenantId, follow_up_id: followUpId, ...(table === 'follow_up_contact' ? { contact_id: id } : { user_id: id }) }));
  await trx.insertInto(table).values(rows as never).execute();
}

/** The id of the item with this stable code in the dictionary, naming the field when there is none. */
export async function requireCodeItem(executor: Executor, tenantId: Id, dictionary: DictionaryName, code: number, field: string): Promise<Id> {
  if (!Number.isInteger(code) || code < 1) throw invalidField(field, 'must be a positive integer code');
  const row = await executor
    .selectFrom('dictionary_item')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('dictionary', '=', dictionary)
    .where('code', '=', code)
    .executeTakeFirst();
  if (!row) throw invalidField(field, `${code} is not a code of the ${dictionary} dictionary`, 'reference_not_found');
  return row.id;
}

interface ViewExtras extends Pick<FollowUpView, 'contact_ids' | 'participant_ids' | 'attachments' | 'type' | 'purpose' | 'route' | 'event'> {
  id: Id;
  customer_name: string | null;
  user_name: string | null;
}

const dictionaryRef = (column: 'type_id' | 'purpose_id' | 'route_id' | 'event_id') =>
  sql`(SELECT jsonb_build_object('id', d.id::text, 'code', d.code, 'name', d.name) FROM dictionary_item d WHERE d.tenant_id = f.tenant_id AND d.id = ${sql.ref(`f.${column}`)})`;

/**
 * Everything a follow-up shows beside its own columns, as select expressions on a follow-up `f`.
 * Ids travel as text (exact digits).
 */
const extraColumns = sql`
      (SELECT c.name FROM customer c WHERE c.tenant_id = f.tenant_id AND c.id = f.customer_id) AS customer_name,
      (SELECT u.name FROM app_user u WHERE u.tenant_id = f.tenant_id AND u.id = f.user_id) AS user_name,
      (SELECT coalesce(jsonb_agg(l.contact_id::text ORDER BY l.contact_id), '[]') FROM follow_up_contact l
        WHERE l.tenant_id = f.tenant_id AND l.follow_up_id = f.id) AS contact_ids,
      (SELECT coalesce(jsonb_agg(p.user_id::text ORDER BY p.user_id), '[]') FROM follow_up_participant p
        WHERE p.tenant_id = f.tenant_id AND p.follow_up_id = f.id) AS participant_ids,
      (SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id::text, 'name', a.name, 'url', a.url, 'file_id', a.file_id::text, 'business_code', a.business_code) ORDER BY a.id), '[]')
        FROM follow_up_attachment a WHERE a.tenant_id = f.tenant_id AND a.follow_up_id = f.id) AS attachments,
      ${dictionaryRef('type_id')} AS type,
      ${dictionaryRef('purpose_id')} AS purpose,
      ${dictionaryRef('route_id')} AS route,
      ${dictionaryRef('event_id')} AS event`;

/**
 * Everything some follow-ups show beside their own columns, in one statement instead of eight
 * (most of a page's cost once its rows are found).
 */
function viewExtras(executor: Executor, tenantId: Id, ids: Id[]) {
  return sql<ViewExtras>`
    SELECT f.id, ${extraColumns}
    FROM follow_up f
    WHERE f.tenant_id = ${tenantId} AND f.id = ANY(${sql.val(ids)}::bigint[])`.execute(executor);
}

/**
 * A page of follow-ups and everything they show, in one statement: `query`'s rows in the order
 * asked (then by id), `limit` of them, with the extras computed for those rows only.
 */
export async function pageWithExtras<R extends FollowUp>(
  executor: Executor,
  query: SelectQueryBuilder<DB & { f: FollowUpTable; c: CustomerTable }, 'f' | 'c', R>,
  order: { column: FollowUpSortColumn; desc: boolean },
  limit: number,
): Promise<Array<R & ViewExtras>> {
  const direction = order.desc ? 'desc' : 'asc';
  const page = query.orderBy(`f.${order.column}`, direction).orderBy('f.id', direction).limit(limit);
  // A subquery's order does not survive the outer query: it is asked again.
  const { rows } = await sql<R & ViewExtras>`
    SELECT f.*, ${extraColumns}
    FROM ${page} AS f
    ORDER BY ${sql.ref(`f.${order.column}`)} ${sql.raw(direction)}, f.id ${sql.raw(direction)}`.execute(executor);
  return rows;
}

/** Rows with their contacts, participants, attachments, dictionary items and the names shown beside ids. */
export async function toViews(executor: Executor, tenantId: Id, rows: FollowUp[]): Promise<FollowUpView[]> {
  if (rows.length === 0) return [];
  const [extras, definitions] = await Promise.all([viewExtras(executor, tenantId, rows.map((r) => r.id)), definitionsFor(executor, tenantId, rows)]);
  const byId = new Map(extras.rows.map((e) => [e.id, e]));
  return rows.map((row) => toView(row, byId.get(row.id) ?? NO_EXTRAS, definitions));
}

/** The views of rows that carry their extras already (`pageWithExtras`). */
export async function viewsWithExtras(executor: Executor, tenantId: Id, rows: Array<FollowUp & ViewExtras>): Promise<FollowUpView[]> {
  const definitions = await definitionsFor(executor, tenantId, rows);
  return rows.map((row) => toView(row, row, definitions));
}

function definitionsFor(executor: Executor, tenantId: Id, rows: FollowUp[]) {
  return anyCustomValues(rows)
    ? executor.selectFrom('custom_field').selectAll().where('tenant_id', '=', tenantId).where('module', '=', 'follow_up').execute()
    : Promise.resolve([]);
}

const NO_EXTRAS: Omit<ViewExtras, 'id'> = { customer_name: '', user_name: '', contact_ids: [], participant_ids: [], attachments: [], type: null, purpose: null, route: null, event: null };

function toView(row: FollowUp, extra: Omit<ViewExtras, 'id'>, definitions: Awaited<ReturnType<typeof definitionsFor>>): FollowUpView {
  return {
    ...row,
    customer_name: extra.customer_name ?? '',
    user_name: extra.user_name ?? '',
    contact_ids: extra.contact_ids,
    participant_ids: extra.participant_ids,
    attachments: extra.attachments,
    type: extra.type,
    purpose: extra.purpose,
    route: extra.route,
    event: extra.event,
    custom_field_names: fieldNames(definitions, row.custom_fields as Record<string, unknown>),
  };
}
