import { sql, type ExpressionBuilder, type RawBuilder, type Transaction } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { CustomerTable, DB, FollowUp, FollowUpTable, Id } from '../../db/schema.ts';
import { fieldNames } from '../custom-fields/custom-fields.service.ts';
import { customerConditions } from '../customers/customers.repository.ts';
import type { DictionaryName } from '../dictionaries/catalog.ts';
import { invalidField } from '../shared/errors.ts';
import type { AttachmentView, DictionaryRef, FollowUpFilter, FollowUpSort, FollowUpView } from './follow-ups.types.ts';

export const SORT_COLUMNS = {
  followedAt: 'followed_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const satisfies Record<FollowUpSort, keyof FollowUpTable>;

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

const unique = (ids: (Id | null)[]) => [...new Set(ids.filter((id): id is Id => id !== null))];

/** Rows with their contacts, participants, attachments, dictionary items and the names shown beside ids. */
export async function toViews(executor: Executor, tenantId: Id, rows: FollowUp[]): Promise<FollowUpView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const dictionaryIds = unique(rows.flatMap((r) => [r.type_id, r.purpose_id, r.route_id, r.event_id]));
  const [contacts, participants, attachments, customers, users, items, definitions] = await Promise.all([
    executor.selectFrom('follow_up_contact').select(['follow_up_id', 'contact_id']).where('tenant_id', '=', tenantId).where('follow_up_id', 'in', ids).orderBy('contact_id').execute(),
    executor.selectFrom('follow_up_participant').select(['follow_up_id', 'user_id']).where('tenant_id', '=', tenantId).where('follow_up_id', 'in', ids).orderBy('user_id').execute(),
    executor
      .selectFrom('follow_up_attachment')
      .select(['follow_up_id', 'id', 'name', 'url', 'file_id', 'business_code'])
      .where('tenant_id', '=', tenantId)
      .where('follow_up_id', 'in', ids)
      .orderBy('id')
      .execute(),
    executor.selectFrom('customer').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', unique(rows.map((r) => r.customer_id))).execute(),
    executor.selectFrom('app_user').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', unique(rows.map((r) => r.user_id))).execute(),
    dictionaryIds.length
      ? executor.selectFrom('dictionary_item').select(['id', 'code', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', dictionaryIds).execute()
      : Promise.resolve([] as DictionaryRef[]),
    executor.selectFrom('custom_field').selectAll().where('tenant_id', '=', tenantId).where('module', '=', 'follow_up').execute(),
  ]);
  const group = <T extends { follow_up_id: Id }, V>(list: T[], pick: (t: T) => V) => {
    const map = new Map<Id, V[]>();
    for (const item of list) map.set(item.follow_up_id, [...(map.get(item.follow_up_id) ?? []), pick(item)]);
    return map;
  };
  const contactsOf = group(contacts, (c) => c.contact_id);
  const participantsOf = group(participants, (p) => p.user_id);
  const attachmentsOf = group(attachments, ({ follow_up_id: _f, ...a }): AttachmentView => a);
  const customerNames = new Map(customers.map((c) => [c.id, c.name]));
  const userNames = new Map(users.map((u) => [u.id, u.name]));
  const dictionary = new Map(items.map((i) => [i.id, { id: i.id, code: i.code, name: i.name }]));
  const ref = (id: Id | null) => (id === null ? null : (dictionary.get(id) ?? null));
  return rows.map((row) => ({
    ...row,
    customer_name: customerNames.get(row.customer_id) ?? '',
    user_name: userNames.get(row.user_id) ?? '',
    contact_ids: contactsOf.get(row.id) ?? [],
    participant_ids: participantsOf.get(row.id) ?? [],
    attachments: attachmentsOf.get(row.id) ?? [],
    type: ref(row.type_id),
    purpose: ref(row.purpose_id),
    route: ref(row.route_id),
    event: ref(row.event_id),
    custom_field_names: fieldNames(definitions, row.custom_fields as Record<string, unknown>),
  }));
}
