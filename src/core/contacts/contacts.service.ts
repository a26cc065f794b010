import { sql, type Kysely, type Transaction } from 'kysely';
import type { Contact, DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { type CustomFieldsService, fieldNames } from '../custom-fields/custom-fields.service.ts';
import type { CustomersService } from '../customers/customers.service.ts';
import { normalisePhone } from '../customers/search.ts';
import type { RequestContext } from '../shared/context.ts';
import { invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit } from '../shared/pagination.ts';
import { creationStamps, inTransaction, updateVersioned } from '../shared/rows.ts';
import { customerVisibility } from '../shared/scope.ts';
import { clearMainContact, contactMatch, visibleContacts } from './contacts.repository.ts';

export type Gender = 'male' | 'female' | 'unknown';
export const GENDERS: readonly Gender[] = ['male', 'female', 'unknown'];

export interface ContactInput {
  name?: string | undefined;
  gender?: Gender | undefined;
  position?: string | null | undefined;
  department?: string | null | undefined;
  mobile?: string | null | undefined;
  phone?: string | null | undefined;
  email?: string | null | undefined;
  wechat?: string | null | undefined;
  /** YYYY-MM-DD */
  birthday?: string | null | undefined;
  address?: string | null | undefined;
  note?: string | null | undefined;
  /** Setting it takes the flag from the customer's other contacts, in the same transaction. */
  isMain?: boolean | undefined;
  customFields?: Record<string, unknown> | undefined;
}

export interface ContactView extends Contact {
  /** Display names of option-like custom field values, by key. */
  custom_field_names: Record<string, string>;
}

export interface ContactFilter extends PageRequest {
  customerId?: Id | undefined;
  /** Name fragment, or digits of a mobile or phone number. */
  q?: string | undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const TEXT_FIELDS: [keyof ContactInput, number][] = [
  ['position', 100],
  ['department', 100],
  ['wechat', 100],
  ['address', 500],
  ['note', 5000],
];

/**
 * Contacts (联系人) of customers. A contact is visible exactly when its customer is, so every
 * read and write goes through the customer's visibility; at most one contact per customer is
 * the main one.
 */
export class ContactsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly customers: CustomersService,
    private readonly customFields: CustomFieldsService,
  ) {}

  /**
   * Visible contacts, newest first; a customer's own list (customerId) puts the main contact
   * first, then the others in the order they were added.
   */
  async list(ctx: RequestContext, filter: ContactFilter): Promise<Page<ContactView>> {
    const limit = pageLimit(filter);
    const customerId = filter.customerId === undefined ? undefined : requireId(filter.customerId, 'customerId');
    // A customer the caller cannot see answers like a missing one, not as an empty list.
    if (customerId) await this.customers.requireVisible(this.db, ctx, customerId);
    const visible = await customerVisibility(this.db, ctx);
    let base = visibleContacts(this.db, ctx.tenant.id, visible);
    if (customerId) base = base.where('ct.customer_id', '=', customerId);
    if (filter.q?.trim()) base = base.where(contactMatch(filter.q));
    const rank = sql<number>`(CASE WHEN ct.is_main THEN 0 ELSE 1 END)`;
    let q = base.selectAll('ct');
    if (filter.cursor) {
      if (customerId) {
        const [r, id] = decodeCursor(filter.cursor, 2);
        if (typeof r !== 'number') throw invalidField('cursor', 'is not a cursor issued by this list', 'invalid_cursor');
        q = q.where(sql<boolean>`(${rank}, ct.id) > (${r}, ${requireId(id, 'cursor')})`);
      } else {
        const [id] = decodeCursor(filter.cursor, 1);
        q = q.where('ct.id', '<', requireId(id, 'cursor'));
      }
    }
    q = customerId ? q.orderBy(rank).orderBy('ct.id', 'asc') : q.orderBy('ct.id', 'desc');
    const rows = await q.limit(limit + 1).execute();
    const items = await this.toViews(ctx, rows.slice(0, limit));
    const last = items.at(-1);
    const page: Page<ContactView> = {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor(customerId ? [last.is_main ? 0 : 1, last.id] : [last.id]) : null,
    };
    if (filter.withTotal) {
      const total = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      page.total = Number(total.n);
    }
    return page;
  }

  async get(ctx: RequestContext, id: Id): Promise<ContactView> {
    return (await this.toViews(ctx, [await this.requireVisible(this.db, ctx, id)]))[0]!;
  }

  /** The contact if its customer is visible to the caller; not-found otherwise, like a missing id. */
  async requireVisible(executor: Kysely<DB> | Transaction<DB>, ctx: RequestContext, id: Id): Promise<Contact> {
    requireId(id, 'id');
    const visible = await customerVisibility(executor, ctx);
    const row = await visibleContacts(executor, ctx.tenant.id, visible).selectAll('ct').where('ct.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('contact', id);
    return row;
  }

  /**
   * The one customer that all these contacts belong to (seed 001 names a follow-up's customer
   * only through its contacts). Contacts the caller cannot see answer like missing ones.
   */
  async sharedCustomer(ctx: RequestContext, ids: Id[], field = 'contactIds'): Promise<Id> {
    if (ids.length === 0) throw invalidField(field, 'must name at least one contact');
    ids.forEach((id, i) => requireId(id, `${field}[${i}]`));
    const visible = await customerVisibility(this.db, ctx);
    const rows = await visibleContacts(this.db, ctx.tenant.id, visible).select(['ct.id', 'ct.customer_id']).where('ct.id', 'in', [...new Set(ids)]).execute();
    const owners = new Map(rows.map((r) => [r.id, r.customer_id]));
    const missing = ids.findIndex((id) => !owners.has(id));
    if (missing !== -1) throw invalidField(`${field}[${missing}]`, `contact ${ids[missing]} does not exist`, 'reference_not_found');
    const customers = new Set(owners.values());
    if (customers.size > 1) throw invalidField(field, 'the contacts belong to different customers; give contacts of one customer', 'contacts_of_several_customers');
    return [...customers][0]!;
  }

  async create(ctx: RequestContext, customerId: Id, input: ContactInput & { name: string }): Promise<ContactView> {
    requireId(customerId, 'customerId');
    return inTransaction(this.db, async (trx) => {
      // Locking the customer serialises main-contact changes of its contacts.
      await this.customers.requireVisible(trx, ctx, customerId, { forUpdate: true });
      const values = checkFields(input);
      const customFields = await this.customFields.validate(trx, ctx, 'contact', input.customFields, null);
      if (input.isMain) await this.takeMainFlag(trx, ctx, customerId, null);
      const row = await trx
        .insertInto('contact')
        .values({
          ...values,
          tenant_id: ctx.tenant.id,
          customer_id: customerId,
          name: values.name ?? input.name,
          is_main: input.isMain ?? false,
          // The column's Generated<Json<…>> type hides its insert type (a JSON string).
          custom_fields: JSON.stringify(customFields) as never,
          ...creationStamps(ctx),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'contact', entityId: row.id, action: 'create', after: row });
      return (await this.toViews(ctx, [row], trx))[0]!;
    });
  }

  async update(ctx: RequestContext, id: Id, input: ContactInput, expectedVersion?: number): Promise<ContactView> {
    return inTransaction(this.db, async (trx) => {
      const current = await this.requireVisible(trx, ctx, id);
      await this.customers.requireVisible(trx, ctx, current.customer_id, { forUpdate: true });
      const values: Record<string, unknown> = checkFields(input);
      if (input.customFields !== undefined) {
        values.custom_fields = JSON.stringify(
          await this.customFields.validate(trx, ctx, 'contact', input.customFields, current.custom_fields as Record<string, unknown>),
        );
      }
      if (input.isMain !== undefined) {
        if (input.isMain) await this.takeMainFlag(trx, ctx, current.customer_id, id);
        values.is_main = input.isMain;
      }
      values.updated_by = ctx.user?.id ?? null;
      const row = await updateVersioned<Contact>(trx, ctx, { table: 'contact', entity: 'contact', id, expectedVersion, values });
      return (await this.toViews(ctx, [row], trx))[0]!;
    });
  }

  /** Soft delete: the contact leaves every list and read. */
  async delete(ctx: RequestContext, id: Id, expectedVersion?: number): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const current = await this.requireVisible(trx, ctx, id);
      await this.customers.requireVisible(trx, ctx, current.customer_id, { forUpdate: true });
      await updateVersioned(trx, ctx, { table: 'contact', entity: 'contact', id, expectedVersion, action: 'delete', values: { deleted_at: ctx.clock.now(), updated_by: ctx.user?.id ?? null } });
    });
  }

  private async takeMainFlag(trx: Transaction<DB>, ctx: RequestContext, customerId: Id, keepId: Id | null) {
    const changed = await clearMainContact(trx, ctx.tenant.id, customerId, keepId, ctx.clock.now());
    for (const row of changed) {
      await writeAudit(trx, ctx, { entity: 'contact', entityId: row.id, action: 'update', before: { is_main: true }, after: { is_main: false } });
    }
  }

  private async toViews(ctx: RequestContext, rows: Contact[], executor: Kysely<DB> | Transaction<DB> = this.db): Promise<ContactView[]> {
    const definitions = rows.length ? await this.customFields.definitions(executor, ctx.tenant.id, 'contact') : [];
    return rows.map((row) => ({ ...row, custom_field_names: fieldNames(definitions, row.custom_fields as Record<string, unknown>) }));
  }
}

/** Column values of the plain fields an input brings, checked; blank text clears a field. */
function checkFields(input: ContactInput): Partial<Record<string, string | null>> & { name?: string; gender?: Gender } {
  const values: Record<string, string | null> = {};
  if (input.name !== undefined) {
    const name = input.name.trim();
    if (!name) throw invalidField('name', 'must not be empty');
    if (name.length > 100) throw invalidField('name', 'must be at most 100 characters');
    values.name = name;
  }
  if (input.gender !== undefined) {
    if (!GENDERS.includes(input.gender)) throw invalidField('gender', `must be one of ${GENDERS.join(', ')}`);
    values.gender = input.gender;
  }
  const text = (value: string | null | undefined) => (value === undefined ? undefined : value === null || value.trim() === '' ? null : value.trim());
  for (const [field, max] of TEXT_FIELDS) {
    const value = text(input[field] as string | null | undefined);
    if (value === undefined) continue;
    if (value !== null && value.length > max) throw invalidField(field, `must be at most ${max} characters`);
    values[field] = value;
  }
  for (const field of ['mobile', 'phone'] as const) {
    const value = text(input[field]);
    if (value === undefined) continue;
    if (value !== null) {
      const digits = normalisePhone(value);
      if (digits.length < 3 || digits.length > 20 || !/^[0-9+()\-\s]+$/.test(value)) throw invalidField(field, 'must be a phone number of 3 to 20 digits');
    }
    values[field] = value;
  }
  const email = text(input.email);
  if (email !== undefined) {
    if (email !== null && (email.length > 200 || !EMAIL.test(email))) throw invalidField('email', 'must be an email address');
    values.email = email;
  }
  const birthday = text(input.birthday);
  if (birthday !== undefined) {
    if (birthday !== null && !isCalendarDate(birthday)) throw invalidField('birthday', 'must be a date written YYYY-MM-DD');
    values.birthday = birthday;
  }
  return values;
}

function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1900 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
