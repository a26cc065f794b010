import { sql, type Kysely, type Transaction } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { DB, Id, Opportunity } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { emitEvent } from '../events/outbox.ts';
import { opportunityEventData } from '../events/payloads.ts';
import { anyCustomValues, type CustomFieldsService, fieldNames } from '../custom-fields/custom-fields.service.ts';
import type { CustomersService } from '../customers/customers.service.ts';
import type { DictionaryName } from '../dictionaries/catalog.ts';
import { requireDictionaryItem } from '../dictionaries/dictionaries.service.ts';
import type { RequestContext } from '../shared/context.ts';
import { conflict, invalidField, notFound } from '../shared/errors.ts';
import { lockOrder, requireId } from '../shared/ids.ts';
import { decodeCursor, type Page, pageLimit, toKeysetPage } from '../shared/pagination.ts';
import { creationStamps, inTransaction, updateVersioned } from '../shared/rows.ts';
import { customerVisibility } from '../shared/scope.ts';
import { findUser } from '../users/users.repository.ts';
import { opportunitiesWithCustomer, opportunityConditions, recountOpportunities } from './opportunities.repository.ts';
import { OPPORTUNITY_STATUSES, type OpportunityFilter, type OpportunityInput, type OpportunityView } from './opportunities.types.ts';

const DICTIONARY_FIELDS: [keyof OpportunityInput, DictionaryName, string][] = [
  ['typeId', 'opportunity_type', 'type_id'],
  ['sourceId', 'customer_source', 'source_id'],
  ['stageId', 'opportunity_stage', 'stage_id'],
];

/** numeric(18, 2): up to 16 integer digits and 2 fractional ones. */
const AMOUNT = /^(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;


/**
 * Opportunities (商机) of customers. An opportunity is visible exactly when its customer is;
 * its customer's opportunity_count is kept in the same transaction as every change to it.
 */
export class OpportunitiesService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly customers: CustomersService,
    private readonly customFields: CustomFieldsService,
  ) {}

  async list(ctx: RequestContext, filter: OpportunityFilter): Promise<Page<OpportunityView>> {
    for (const key of ['customerId', 'ownerId', 'typeId', 'stageId'] as const) if (filter[key] !== undefined) requireId(filter[key], key);
    if (filter.status !== undefined && !OPPORTUNITY_STATUSES.includes(filter.status)) throw invalidField('status', `must be one of ${OPPORTUNITY_STATUSES.join(', ')}`);
    if (filter.customerId) await this.customers.requireVisible(this.db, ctx, filter.customerId);
    const limit = pageLimit(filter);
    const base = opportunitiesWithCustomer(this.db, ctx.tenant.id)
      .where(await customerVisibility(this.db, ctx))
      .where(opportunityConditions(filter));
    // The sort key travels in the cursor as the database's own text, keeping its microseconds.
    let q = base.selectAll('o').select(['c.name as customer_name', sql<string>`o.updated_at::text`.as('sort_key')]);
    if (filter.cursor) {
      const [value, id] = decodeCursor(filter.cursor, 2);
      if (typeof value !== 'string') throw invalidField('cursor', 'is not a cursor issued by this list', 'invalid_cursor');
      q = q.where(sql<boolean>`(o.updated_at, o.id) < (${value}::timestamptz, ${requireId(id, 'cursor')})`);
    }
    const rows = await q.orderBy('o.updated_at', 'desc').orderBy('o.id', 'desc').limit(limit + 1).execute();
    const keyset = toKeysetPage(rows, limit, (row) => row.id);
    const page: Page<OpportunityView> = { items: await this.toViews(this.db, ctx, keyset.items), nextCursor: keyset.nextCursor };
    if (filter.withTotal) {
      const total = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      page.total = Number(total.n);
    }
    return page;
  }

  async get(ctx: RequestContext, id: Id): Promise<OpportunityView> {
    return this.requireVisible(this.db, ctx, id);
  }

  /** The opportunity if the caller may see its customer; not-found otherwise, like a missing id. */
  async requireVisible(executor: Executor, ctx: RequestContext, id: Id): Promise<OpportunityView> {
    requireId(id, 'id');
    const row = await opportunitiesWithCustomer(executor, ctx.tenant.id)
      .where(await customerVisibility(executor, ctx))
      .where('o.id', '=', id)
      .selectAll('o')
      .select('c.name as customer_name')
      .executeTakeFirst();
    if (!row) throw notFound('opportunity', id);
    return (await this.toViews(executor, ctx, [row]))[0]!;
  }

  private async toViews(executor: Executor, ctx: RequestContext, rows: (Opportunity & { customer_name: string })[]): Promise<OpportunityView[]> {
    const definitions = anyCustomValues(rows) ? await this.customFields.definitions(executor, ctx.tenant.id, 'opportunity') : [];
    return rows.map((row) => ({ ...row, custom_field_names: fieldNames(definitions, row.custom_fields as Record<string, unknown>) }));
  }

  async create(ctx: RequestContext, input: OpportunityInput & { name: string; customerId: Id }): Promise<OpportunityView> {
    requireId(input.customerId, 'customerId');
    return inTransaction(this.db, async (trx) => {
      await this.customers.requireVisible(trx, ctx, input.customerId, { forUpdate: true });
      const values = await this.columns(trx, ctx, input, null);
      const ownerId = input.ownerId === undefined ? (ctx.user?.id ?? null) : input.ownerId;
      if (ownerId) await this.requireUser(trx, ctx, ownerId, 'ownerId');
      const row = await trx
        .insertInto('opportunity')
        .values({
          ...(values as object),
          tenant_id: ctx.tenant.id,
          customer_id: input.customerId,
          name: values.name as string,
          owner_id: ownerId,
          ...creationStamps(ctx),
        } as never)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recountOpportunities(trx, ctx.tenant.id, [input.customerId]);
      await writeAudit(trx, ctx, { entity: 'opportunity', entityId: row.id, action: 'create', after: row });
      await emitEvent(trx, ctx, 'opportunity.created', row.id, opportunityEventData(row));
      return this.requireVisible(trx, ctx, row.id);
    });
  }

  async update(ctx: RequestContext, id: Id, input: OpportunityInput, expectedVersion?: number): Promise<OpportunityView> {
    return inTransaction(this.db, async (trx) => {
      const current = await this.requireVisible(trx, ctx, id);
      const target = input.customerId === undefined ? current.customer_id : requireId(input.customerId, 'customerId');
      const customers = lockOrder([current.customer_id, target]);
      for (const customerId of customers) await this.customers.requireVisible(trx, ctx, customerId, { forUpdate: true });
      await this.requireUnmoved(trx, ctx, current);
      const values = await this.columns(trx, ctx, input, current);
      if (target !== current.customer_id) {
        await this.requireNoFollowUps(trx, ctx, id);
        values.customer_id = target;
      }
      if (input.ownerId !== undefined) {
        if (input.ownerId) await this.requireUser(trx, ctx, input.ownerId, 'ownerId');
        values.owner_id = input.ownerId;
      }
      values.updated_by = ctx.user?.id ?? null;
      const row = await updateVersioned<Opportunity>(trx, ctx, { table: 'opportunity', entity: 'opportunity', id, expectedVersion, values });
      await emitEvent(trx, ctx, 'opportunity.updated', id, opportunityEventData(row));
      if (target !== current.customer_id) await recountOpportunities(trx, ctx.tenant.id, customers);
      return this.requireVisible(trx, ctx, id);
    });
  }

  /** Soft delete: the opportunity leaves lists and its customer's count; follow-ups keep their link. */
  async delete(ctx: RequestContext, id: Id, expectedVersion?: number): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const current = await this.requireVisible(trx, ctx, id);
      await this.customers.requireVisible(trx, ctx, current.customer_id, { forUpdate: true });
      await this.requireUnmoved(trx, ctx, current);
      const row = await updateVersioned<Opportunity>(trx, ctx, {
        table: 'opportunity',
        entity: 'opportunity',
        id,
        expectedVersion,
        values: { deleted_at: ctx.clock.now(), updated_by: ctx.user?.id ?? null },
      });
      await emitEvent(trx, ctx, 'opportunity.deleted', id, opportunityEventData(row));
      await recountOpportunities(trx, ctx.tenant.id, [current.customer_id]);
    });
  }

  /** After the customers are locked: refuses when a concurrent write moved or deleted the opportunity meanwhile. */
  private async requireUnmoved(trx: Transaction<DB>, ctx: RequestContext, current: Opportunity) {
    const row = await trx
      .selectFrom('opportunity')
      .select(['customer_id', 'deleted_at'])
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', current.id)
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.deleted_at) throw notFound('opportunity', current.id);
    if (row.customer_id !== current.customer_id) throw conflict('concurrent_update', 'The opportunity was changed concurrently; retry the request');
  }

  /** A follow-up's opportunity belongs to the follow-up's customer: one with follow-ups stays where they are. */
  private async requireNoFollowUps(trx: Transaction<DB>, ctx: RequestContext, id: Id) {
    const row = await trx.selectFrom('follow_up').select('id').where('tenant_id', '=', ctx.tenant.id).where('opportunity_id', '=', id).limit(1).executeTakeFirst();
    if (row) throw conflict('opportunity_has_follow_ups', `opportunity ${id} has follow-ups of its customer and cannot move to another customer`, 'customerId');
  }

  private async columns(trx: Transaction<DB>, ctx: RequestContext, input: OpportunityInput, current: Opportunity | null) {
    const values: Record<string, unknown> = {};
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (!name) throw invalidField('name', 'must not be empty');
      if (name.length > 200) throw invalidField('name', 'must be at most 200 characters');
      values.name = name;
    } else if (!current) {
      throw invalidField('name', 'is required');
    }
    for (const [field, dictionary, column] of DICTIONARY_FIELDS) {
      const value = input[field] as Id | null | undefined;
      if (value === undefined) continue;
      values[column] = value === null ? null : (await requireDictionaryItem(trx, ctx.tenant.id, dictionary, value, field)).id;
    }
    if (input.amount !== undefined) values.amount = input.amount === null ? null : checkAmount(input.amount);
    if (input.expectedCloseDate !== undefined) values.expected_close_date = input.expectedCloseDate === null ? null : checkDate(input.expectedCloseDate, 'expectedCloseDate');
    Object.assign(values, await this.outcome(trx, ctx, input, current));
    if (input.customFields !== undefined || current === null) {
      values.custom_fields = JSON.stringify(
        await this.customFields.validate(trx, ctx, 'opportunity', input.customFields, current ? (current.custom_fields as Record<string, unknown>) : null),
      );
    }
    return values;
  }

  /** Status and the lose reason that only a lost opportunity has; leaving "lost" clears it. */
  private async outcome(trx: Transaction<DB>, ctx: RequestContext, input: OpportunityInput, current: Opportunity | null) {
    if (input.status !== undefined && !OPPORTUNITY_STATUSES.includes(input.status)) throw invalidField('status', `must be one of ${OPPORTUNITY_STATUSES.join(', ')}`);
    const status = input.status ?? current?.status ?? 'open';
    const values: Record<string, unknown> = {};
    if (input.status !== undefined) values.status = status;
    if (status !== 'lost') {
      if (input.loseReasonId) throw invalidField('loseReasonId', 'only a lost opportunity has a lose reason');
      if (input.loseRemark?.trim()) throw invalidField('loseRemark', 'only a lost opportunity has a lose remark');
      if (current && (current.lose_reason_id !== null || current.lose_remark !== null)) Object.assign(values, { lose_reason_id: null, lose_remark: null });
      return values;
    }
    if (input.loseReasonId !== undefined) {
      values.lose_reason_id = input.loseReasonId === null ? null : (await requireDictionaryItem(trx, ctx.tenant.id, 'lose_reason', input.loseReasonId, 'loseReasonId')).id;
    }
    if (input.loseRemark !== undefined) {
      const remark = input.loseRemark?.trim() || null;
      if (remark && remark.length > 2000) throw invalidField('loseRemark', 'must be at most 2000 characters');
      values.lose_remark = remark;
    }
    return values;
  }

  private async requireUser(trx: Transaction<DB>, ctx: RequestContext, id: Id, field: string) {
    const user = await findUser(trx, ctx.tenant.id, requireId(id, field));
    if (!user) throw invalidField(field, `user ${id} does not exist`, 'reference_not_found');
    return user;
  }
}

function checkAmount(amount: string): string {
  if (typeof amount !== 'string' || !AMOUNT.test(amount)) {
    throw invalidField('amount', 'must be a decimal string ≥ 0 with at most 16 integer and 2 fractional digits, e.g. "12800.50"');
  }
  return amount;
}

export function checkDate(value: string, field: string): string {
  const match = DATE.exec(value);
  const [y, m, d] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (!match || y < 1 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw invalidField(field, 'must be a calendar date written YYYY-MM-DD');
  }
  return value;
}
