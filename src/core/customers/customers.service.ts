import { sql, type Kysely, type Transaction } from 'kysely';
import type { Customer, DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { anyCustomValues, type CustomFieldsService, fieldNames } from '../custom-fields/custom-fields.service.ts';
import { requireDictionaryItem } from '../dictionaries/dictionaries.service.ts';
import { emitEvent } from '../events/outbox.ts';
import { customerEventData } from '../events/payloads.ts';
import type { DictionaryName } from '../dictionaries/catalog.ts';
import { type ApiSurface, type RequestContext, requirePermission } from '../shared/context.ts';
import { conflict, invalidField, notFound } from '../shared/errors.ts';
import { lockOrder, requireId } from '../shared/ids.ts';
import { decodeCursor, MAX_LIMIT, type Page, pageLimit, type PageRequest, toKeysetPage } from '../shared/pagination.ts';
import { creationStamps, inTransaction, updateVersioned } from '../shared/rows.ts';
import { customerVisibility } from '../shared/scope.ts';
import { customerConditions, customersByOffset, type CustomerQuery, type CustomerSort, customerExtras, NOT_NULL_SORTS, saveCustomerSearch, SORT_COLUMNS } from './customers.repository.ts';
import { normalisePhone, searchFields } from './search.ts';
import { assertEditable, refuseInvisible } from './access.ts';

export interface CustomerView extends Customer {
  tags: { id: Id; name: string; color: string | null }[];
  /** Display names of option-like custom field values, by key. */
  custom_field_names: Record<string, string>;
  /** The caller's favourite mark on this customer, if any. */
  favourite: { marker_id: Id | null; created_at: Date } | null;
}

export interface CustomerInput {
  name?: string | undefined;
  kindId?: Id | null | undefined;
  typeId?: Id | null | undefined;
  sourceId?: Id | null | undefined;
  gradeId?: Id | null | undefined;
  lifecycleId?: Id | null | undefined;
  category?: string | null | undefined;
  /** Phone numbers as people write them; the first is the main one. */
  phones?: string[] | undefined;
  email?: string | null | undefined;
  address?: string | null | undefined;
  regionCode?: string | null | undefined;
  regionName?: string | null | undefined;
  note?: string | null | undefined;
  /** Default on create: the caller. null leaves the customer without owner. */
  ownerId?: Id | null | undefined;
  serviceOwnerId?: Id | null | undefined;
  productLineId?: Id | undefined;
  isWon?: boolean | undefined;
  isLead?: boolean | undefined;
  leadExternalId?: string | null | undefined;
  leadPlatform?: string | null | undefined;
  isLocked?: boolean | undefined;
  tagIds?: Id[] | undefined;
  customFields?: Record<string, unknown> | undefined;
}

export interface CustomerFilter extends PageRequest, CustomerQuery {
  sort?: CustomerSort | undefined;
  order?: 'asc' | 'desc' | undefined;
}

const DICTIONARY_FIELDS: [keyof CustomerInput, DictionaryName, string][] = [
  ['kindId', 'customer_kind', 'kind_id'],
  ['typeId', 'customer_type', 'type_id'],
  ['sourceId', 'customer_source', 'source_id'],
  ['gradeId', 'customer_grade', 'grade_id'],
  ['lifecycleId', 'lifecycle_stage', 'lifecycle_id'],
];

const TEXT_FIELDS: [keyof CustomerInput, string][] = [
  ['category', 'category'],
  ['email', 'email'],
  ['address', 'address'],
  ['regionCode', 'region_code'],
  ['regionName', 'region_name'],
  ['note', 'note'],
  ['leadExternalId', 'lead_external_id'],
  ['leadPlatform', 'lead_platform'],
];

const createdVia = (api: ApiSurface) => (api === 'native' || api === 'system' ? 'manual' : api === 'cli' ? 'import' : 'api');

export class CustomersService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly customFields: CustomFieldsService,
  ) {}

  async list(ctx: RequestContext, filter: CustomerFilter): Promise<Page<CustomerView>> {
    if (filter.deleted) requirePermission(ctx, 'customers:delete');
    const limit = pageLimit(filter);
    const column = SORT_COLUMNS[filter.sort ?? 'updatedAt'];
    const desc = (filter.order ?? 'desc') === 'desc';
    const visible = await customerVisibility(this.db, ctx);
    const base = this.db
      .selectFrom('customer as c')
      .where('c.tenant_id', '=', ctx.tenant.id)
      .where(visible)
      .where(customerConditions(checkedQuery(filter)));
    const col = sql.ref(`c.${column}`);
    // The sort key travels in the cursor as the database's own text, keeping its microseconds.
    let q = base.selectAll('c').select(sql<string | null>`${col}::text`.as('sort_key'));
    // Rows with no value sort last in both directions (NULLS LAST), keyed by id among themselves.
    // A column that is never null is ordered plainly, so that its index (customer_recent,
    // customer_created) gives the order and a page reads only its own rows.
    const nullable = !NOT_NULL_SORTS.has(column);
    if (filter.cursor) {
      const [value, id] = decodeCursor(filter.cursor, 2);
      const after = requireId(id, 'cursor');
      const cmp = desc ? sql`<` : sql`>`;
      const beyond = sql<boolean>`(${col}, c.id) ${cmp} (${String(value)}::timestamptz, ${after})`;
      q =
        value === null
          ? q.where(sql<boolean>`(${col} IS NULL AND c.id ${cmp} ${after})`)
          : q.where(nullable ? sql<boolean>`(${beyond} OR ${col} IS NULL)` : beyond);
    }
    const rows = await q
      .orderBy(sql`${col} ${sql.raw(desc ? 'DESC' : 'ASC')}${sql.raw(nullable ? ' NULLS LAST' : '')}`)
      .orderBy('c.id', desc ? 'desc' : 'asc')
      .limit(limit + 1)
      .execute();
    const keyset = toKeysetPage(rows, limit, (row) => row.id);
    const page: Page<CustomerView> = { items: await this.toViews(ctx, keyset.items), nextCursor: keyset.nextCursor };
    if (filter.withTotal) {
      const total = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      page.total = Number(total.n);
    }
    return page;
  }

  /**
   * Offset paging for wire formats that ask for a page number (seed 004 GetAllList): visible,
   * live customers, newest id first. Prefer list() and its cursor everywhere else.
   */
  async listByOffset(ctx: RequestContext, page: { offset: number; limit: number }): Promise<CustomerView[]> {
    if (!Number.isInteger(page.offset) || page.offset < 0) throw invalidField('offset', 'must be a whole number, 0 or more');
    if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_LIMIT) throw invalidField('limit', `must be between 1 and ${MAX_LIMIT}`);
    const visible = await customerVisibility(this.db, ctx);
    return this.toViews(ctx, await customersByOffset(this.db, ctx.tenant.id, visible, page.offset, page.limit));
  }

  async get(ctx: RequestContext, id: Id): Promise<CustomerView> {
    const row = await this.requireVisible(this.db, ctx, id);
    const [view] = await this.toViews(ctx, [row]);
    return view!;
  }

  /** The customer if the caller may see it; not-found otherwise, like a missing id. */
  async requireVisible(executor: Kysely<DB> | Transaction<DB>, ctx: RequestContext, id: Id, options: { forUpdate?: boolean; includeDeleted?: boolean } = {}): Promise<Customer> {
    const row = await this.findVisible(executor, ctx, id, options);
    if (!row) throw notFound('customer', id);
    return row;
  }

  private async findVisible(executor: Kysely<DB> | Transaction<DB>, ctx: RequestContext, id: Id, options: { forUpdate?: boolean; includeDeleted?: boolean }): Promise<Customer | undefined> {
    requireId(id, 'id');
    const visible = await customerVisibility(executor, ctx);
    let q = executor.selectFrom('customer as c').selectAll('c').where('c.tenant_id', '=', ctx.tenant.id).where('c.id', '=', id).where(visible);
    if (!options.includeDeleted) q = q.where('c.deleted_at', 'is', null);
    if (options.forUpdate) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  /**
   * The customer if the caller may change it. Unlike requireVisible, a customer of the tenant
   * outside the caller's data scope is refused as forbidden rather than hidden as missing.
   */
  async requireEditable(ctx: RequestContext, id: Id): Promise<Customer> {
    const row = await this.findVisible(this.db, ctx, id, {});
    if (!row) return refuseInvisible(this.db, ctx, id);
    assertEditable(ctx, row);
    return row;
  }

  async create(ctx: RequestContext, input: CustomerInput & { name: string }): Promise<CustomerView> {
    return inTransaction(this.db, async (trx) => {
      const now = ctx.clock.now();
      const { tokens, ...values } = await this.columns(trx, ctx, input, null);
      const ownerId = input.ownerId === undefined ? (ctx.user?.id ?? null) : input.ownerId;
      const owner = ownerId ? await this.requireUser(trx, ctx, ownerId, 'ownerId') : null;
      const productLineId = input.productLineId !== undefined ? await this.requireProductLine(trx, ctx, input.productLineId) : await this.defaultProductLine(trx, ctx);
      const row = await trx
        .insertInto('customer')
        .values({
          ...(values as object),
          tenant_id: ctx.tenant.id,
          name: values.name as string,
          name_pinyin: values.name_pinyin as string,
          name_initials: values.name_initials as string,
          phones: (values.phones as string[] | undefined) ?? [],
          owner_id: ownerId,
          owner_department_id: owner?.department_id ?? null,
          assigned_at: ownerId ? now : null,
          first_assigned_at: ownerId && input.isLead ? now : null,
          lead_claimer_id: ownerId && input.isLead ? ownerId : null,
          product_line_id: productLineId,
          created_via: createdVia(ctx.api),
          custom_fields: JSON.stringify(values.custom_fields ?? {}),
          ...creationStamps(ctx),
        } as never)
        .returningAll()
        .executeTakeFirstOrThrow();
      await saveCustomerSearch(trx, row, tokens);
      if (input.tagIds) await this.setTags(trx, ctx, row.id, input.tagIds);
      await writeAudit(trx, ctx, { entity: 'customer', entityId: row.id, action: 'create', after: { ...row, tag_ids: input.tagIds ?? [] } });
      await emitEvent(trx, ctx, 'customer.created', row.id, customerEventData(row));
      return (await this.toViews(ctx, [row], trx))[0]!;
    });
  }

  async update(ctx: RequestContext, id: Id, input: CustomerInput, expectedVersion?: number): Promise<CustomerView> {
    return inTransaction(this.db, async (trx) => {
      const current = await this.requireVisible(trx, ctx, id, { forUpdate: true });
      assertEditable(ctx, current);
      const { tokens, ...values } = await this.columns(trx, ctx, input, current);
      if (input.ownerId !== undefined && input.ownerId !== current.owner_id) {
        // Owners of pool customers change only through claim and assign, which keep the pool's
        // counters, rules and ownership history right.
        if (current.in_pool) {
          throw conflict('customer_in_pool', 'the customer is in the public pool: claim or assign it instead of setting ownerId', 'ownerId');
        }
        const owner = input.ownerId ? await this.requireUser(trx, ctx, input.ownerId, 'ownerId') : null;
        Object.assign(values, {
          owner_id: input.ownerId,
          owner_department_id: owner?.department_id ?? null,
          last_owner_id: current.owner_id,
          assigned_at: input.ownerId ? ctx.clock.now() : null,
        });
      }
      if (input.productLineId !== undefined) values.product_line_id = await this.requireProductLine(trx, ctx, input.productLineId);
      if (values.lifecycle_id !== undefined && values.lifecycle_id !== current.lifecycle_id) values.last_lifecycle_id = current.lifecycle_id;
      if (values.custom_fields !== undefined) values.custom_fields = JSON.stringify(values.custom_fields);
      values.updated_by = ctx.user?.id ?? null;
      const row = await updateVersioned<Customer>(trx, ctx, { table: 'customer', entity: 'customer', id, expectedVersion, values });
      if (tokens || values.custom_fields !== undefined) await saveCustomerSearch(trx, row, tokens);
      if (input.tagIds) await this.setTags(trx, ctx, id, input.tagIds, true);
      await emitEvent(trx, ctx, 'customer.updated', id, customerEventData(row));
      return (await this.toViews(ctx, [row], trx))[0]!;
    });
  }

  /** Soft delete: the customer leaves every list and read but can be restored. */
  async delete(ctx: RequestContext, id: Id, expectedVersion?: number): Promise<void> {
    requirePermission(ctx, 'customers:delete');
    await inTransaction(this.db, async (trx) => {
      await this.requireVisible(trx, ctx, id, { forUpdate: true });
      const row = await updateVersioned<Customer>(trx, ctx, { table: 'customer', entity: 'customer', id, expectedVersion, action: 'delete', values: { deleted_at: ctx.clock.now(), deleted_by: ctx.user?.id ?? null } });
      await emitEvent(trx, ctx, 'customer.deleted', id, customerEventData(row));
    });
  }

  async restore(ctx: RequestContext, id: Id): Promise<CustomerView> {
    requirePermission(ctx, 'customers:delete');
    return inTransaction(this.db, async (trx) => {
      const current = await this.requireVisible(trx, ctx, id, { forUpdate: true, includeDeleted: true });
      if (!current.deleted_at) return (await this.toViews(ctx, [current], trx))[0]!;
      const row = await updateVersioned<Customer>(trx, ctx, { table: 'customer', entity: 'customer', id, action: 'restore', values: { deleted_at: null, deleted_by: null } });
      // A restored customer is back in every list: receivers see it as changed.
      await emitEvent(trx, ctx, 'customer.updated', id, customerEventData(row));
      return (await this.toViews(ctx, [row], trx))[0]!;
    });
  }

  /**
   * Customers of the whole tenant (not only the visible ones: a duplicate elsewhere is exactly
   * what the check is for) with the same name, case-insensitively, or sharing a phone number.
   */
  async duplicates(ctx: RequestContext, query: { name?: string | undefined; phone?: string | undefined; excludeId?: Id | undefined }) {
    if (!query.name && !query.phone) throw invalidField('name', 'give a name or a phone to check');
    const phone = query.phone ? normalisePhone(query.phone) : '';
    // Each arm finds its candidates on an index: the name on customer_name, the phone on the
    // search rows' GIN index.
    const arms = [
      ...(query.name ? [sql`SELECT id FROM customer WHERE tenant_id = ${ctx.tenant.id} AND lower(name) = ${query.name.trim().toLowerCase()} AND deleted_at IS NULL`] : []),
      ...(phone ? [sql`SELECT customer_id FROM customer_search WHERE tenant_id = ${ctx.tenant.id} AND phones @> ${sql.val([phone])}::text[]`] : []),
    ];
    if (arms.length === 0) return [];
    let q = this.db
      .selectFrom('customer as c')
      .select(['c.id', 'c.name', 'c.phones', 'c.owner_id', 'c.in_pool'])
      .where('c.tenant_id', '=', ctx.tenant.id)
      .where('c.deleted_at', 'is', null)
      .where(sql<boolean>`c.id IN (${sql.join(arms, sql` UNION `)})`);
    if (query.excludeId) q = q.where('c.id', '!=', requireId(query.excludeId, 'excludeId'));
    return q.orderBy('c.id').limit(50).execute();
  }

  /** The customer's columns the input sets, and the search tokens when the name or phones change. */
  private async columns(trx: Transaction<DB>, ctx: RequestContext, input: CustomerInput, current: Customer | null): Promise<Record<string, unknown> & { tokens?: string[] }> {
    const values: Record<string, unknown> = {};
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (!name) throw invalidField('name', 'must not be empty');
      if (name.length > 200) throw invalidField('name', 'must be at most 200 characters');
      values.name = name;
    }
    for (const [field, dictionary, column] of DICTIONARY_FIELDS) {
      const value = input[field] as Id | null | undefined;
      if (value === undefined) continue;
      values[column] = value === null ? null : (await requireDictionaryItem(trx, ctx.tenant.id, dictionary, value, field)).id;
    }
    for (const [field, column] of TEXT_FIELDS) {
      const value = input[field] as string | null | undefined;
      if (value !== undefined) values[column] = value === null || value.trim() === '' ? null : value.trim();
    }
    if (input.phones !== undefined) {
      const phones = input.phones.map((p, i) => {
        const digits = normalisePhone(p);
        if (digits.length < 3 || digits.length > 20) throw invalidField(`phones[${i}]`, 'must be a phone number of 3 to 20 digits');
        return digits;
      });
      values.phones = [...new Set(phones)];
      values.phone = input.phones[0]?.trim() ?? null;
    }
    if (input.serviceOwnerId !== undefined) {
      const service = input.serviceOwnerId ? await this.requireUser(trx, ctx, input.serviceOwnerId, 'serviceOwnerId') : null;
      values.service_owner_id = service?.id ?? null;
      values.service_department_id = service?.department_id ?? null;
    }
    if (input.isWon !== undefined) values.is_won = input.isWon;
    if (input.isLead !== undefined) values.is_lead = input.isLead;
    if (input.isLocked !== undefined) values.is_locked = input.isLocked;
    if (input.customFields !== undefined || current === null) {
      values.custom_fields = await this.customFields.validate(trx, ctx, 'customer', input.customFields, current ? (current.custom_fields as Record<string, unknown>) : null);
    }
    const name = (values.name as string | undefined) ?? current?.name;
    if (!name) throw invalidField('name', 'is required');
    if (values.name !== undefined || values.phones !== undefined) {
      const { search_tokens: tokens, ...fields } = searchFields(name, (values.phones as string[] | undefined) ?? current?.phones ?? []);
      return { ...values, ...fields, tokens };
    }
    return values;
  }

  private async requireUser(trx: Transaction<DB>, ctx: RequestContext, id: Id, field: string) {
    const user = await trx
      .selectFrom('app_user')
      .select(['id', 'department_id', 'status'])
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', requireId(id, field))
      .executeTakeFirst();
    if (!user) throw invalidField(field, `user ${id} does not exist`, 'reference_not_found');
    return user;
  }

  private async defaultProductLine(trx: Transaction<DB>, ctx: RequestContext): Promise<Id | null> {
    const row = await trx.selectFrom('product_line').select('id').where('tenant_id', '=', ctx.tenant.id).where('is_default', '=', true).executeTakeFirst();
    return row?.id ?? null;
  }

  private async requireProductLine(trx: Transaction<DB>, ctx: RequestContext, id: Id): Promise<Id> {
    const row = await trx.selectFrom('product_line').select('id').where('tenant_id', '=', ctx.tenant.id).where('id', '=', requireId(id, 'productLineId')).executeTakeFirst();
    if (!row) throw invalidField('productLineId', `product line ${id} does not exist`, 'reference_not_found');
    return row.id;
  }

  private async setTags(trx: Transaction<DB>, ctx: RequestContext, customerId: Id, tagIds: Id[], audit = false) {
    const ids = [...new Set(tagIds.map((t, i) => requireId(t, `tagIds[${i}]`)))];
    const before = audit
      ? (await trx.selectFrom('customer_tag').select('tag_id').where('tenant_id', '=', ctx.tenant.id).where('customer_id', '=', customerId).orderBy('tag_id').execute()).map((r) => r.tag_id)
      : [];
    if (ids.length) {
      const found = await trx.selectFrom('tag').select('id').where('tenant_id', '=', ctx.tenant.id).where('id', 'in', ids).execute();
      const missing = ids.filter((id) => !found.some((f) => f.id === id));
      if (missing.length) throw invalidField('tagIds', `tag(s) ${missing.join(', ')} do not exist`, 'reference_not_found');
    }
    await trx.deleteFrom('customer_tag').where('tenant_id', '=', ctx.tenant.id).where('customer_id', '=', customerId).execute();
    if (ids.length) await trx.insertInto('customer_tag').values(ids.map((tag_id) => ({ tenant_id: ctx.tenant.id, customer_id: customerId, tag_id }))).execute();
    const after = lockOrder(ids);
    if (audit && before.join() !== after.join()) {
      await writeAudit(trx, ctx, { entity: 'customer', entityId: customerId, action: 'update', before: { tag_ids: before }, after: { tag_ids: after } });
    }
  }

  /** Rows as views: tags and the caller's favourite in one query, option names when a row has custom values. */
  private async toViews(ctx: RequestContext, rows: Customer[], executor: Kysely<DB> | Transaction<DB> = this.db): Promise<CustomerView[]> {
    // Sequential: inside a transaction both share one connection.
    const extras = await customerExtras(executor, ctx.tenant.id, ctx.user?.id ?? null, rows.map((r) => r.id));
    const definitions = anyCustomValues(rows) ? await this.customFields.definitions(executor, ctx.tenant.id, 'customer') : [];
    return rows.map((row) => ({
      ...row,
      tags: extras.get(row.id)?.tags ?? [],
      custom_field_names: fieldNames(definitions, row.custom_fields as Record<string, unknown>),
      favourite: extras.get(row.id)?.favourite ?? null,
    }));
  }

}

function checkedQuery(filter: CustomerFilter): CustomerQuery {
  const ids = ['ownerId', 'departmentId', 'typeId', 'sourceId', 'gradeId', 'lifecycleId', 'tagId'] as const;
  for (const key of ids) if (filter[key] !== undefined) requireId(filter[key], key);
  return filter;
}
