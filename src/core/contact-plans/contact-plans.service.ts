import { sql, type Kysely, type Transaction } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { ContactPlan, DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import type { CustomersService } from '../customers/customers.service.ts';
import type { DictionaryName } from '../dictionaries/catalog.ts';
import { requireDictionaryItem } from '../dictionaries/dictionaries.service.ts';
import type { FollowUpsService } from '../follow-ups/follow-ups.service.ts';
import type { RequestContext } from '../shared/context.ts';
import { conflict, invalidField, notFound, staleVersion } from '../shared/errors.ts';
import { lockOrder, requireId } from '../shared/ids.ts';
import { decodeCursor, type Page, pageLimit, toKeysetPage } from '../shared/pagination.ts';
import { creationStamps, inTransaction, updateVersioned } from '../shared/rows.ts';
import { customerVisibility } from '../shared/scope.ts';
import { findUser } from '../users/users.repository.ts';
import { planConditions, plansWithCustomer, recomputeNextFollow } from './contact-plans.repository.ts';
import {
  CONTACT_PLAN_STATUSES,
  type ContactPlanFilter,
  type ContactPlanInput,
  type ContactPlanQuery,
  type ContactPlanView,
  type ExecutedPlan,
  type ExecutePlanInput,
} from './contact-plans.types.ts';

const DICTIONARY_FIELDS: [keyof ContactPlanInput, DictionaryName, string][] = [
  ['purposeId', 'contact_purpose', 'purpose_id'],
  ['routeId', 'contact_route', 'route_id'],
];

const MAX_TITLE = 200;
const MAX_CONTENT = 5000;


/**
 * Contact plans (联系计划): who is to contact which customer when, and how. A plan is visible
 * exactly when its customer is. Every change recomputes the customer's next_follow_at (its
 * earliest pending plan) in the same transaction; executing a plan writes its follow-up, marks
 * it done and may schedule the next one, all or nothing.
 */
export class ContactPlansService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly customers: CustomersService,
    private readonly followUps: FollowUpsService,
  ) {}

  async list(ctx: RequestContext, filter: ContactPlanFilter): Promise<Page<ContactPlanView>> {
    checkQuery(filter);
    if (filter.customerId) await this.customers.requireVisible(this.db, ctx, filter.customerId);
    const limit = pageLimit(filter);
    const desc = filter.order === 'desc';
    const base = await this.visiblePlans(this.db, ctx, filter);
    // The sort key travels in the cursor as the database's own text, keeping its microseconds.
    let q = base.select(sql<string>`p.planned_at::text`.as('sort_key'));
    if (filter.cursor) {
      const [value, id] = decodeCursor(filter.cursor, 2);
      if (typeof value !== 'string') throw invalidField('cursor', 'is not a cursor issued by this list', 'invalid_cursor');
      q = q.where(sql<boolean>`(p.planned_at, p.id) ${desc ? sql`<` : sql`>`} (${value}::timestamptz, ${requireId(id, 'cursor')})`);
    }
    const rows = await q
      .orderBy('p.planned_at', desc ? 'desc' : 'asc')
      .orderBy('p.id', desc ? 'desc' : 'asc')
      .limit(limit + 1)
      .execute();
    const page: Page<ContactPlanView> = toKeysetPage(rows, limit, (row) => row.id);
    if (filter.withTotal) page.total = await this.count(ctx, filter);
    return page;
  }

  /** How many visible plans match (seed 004's GetContactPlanCount: the caller's pending ones). */
  async count(ctx: RequestContext, query: ContactPlanQuery): Promise<number> {
    checkQuery(query);
    const visible = await customerVisibility(this.db, ctx);
    const row = await plansWithCustomer(this.db, ctx.tenant.id)
      .where(visible)
      .where(planConditions(query))
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async get(ctx: RequestContext, id: Id): Promise<ContactPlanView> {
    return this.requireVisible(this.db, ctx, id);
  }

  async create(ctx: RequestContext, input: ContactPlanInput & { customerId: Id; title: string; plannedAt: Date }): Promise<ContactPlanView> {
    const customerId = requireId(input.customerId, 'customerId');
    return inTransaction(this.db, async (trx) => {
      await this.customers.requireVisible(trx, ctx, customerId, { forUpdate: true });
      const row = await this.insert(trx, ctx, customerId, input, '');
      await recomputeNextFollow(trx, ctx.tenant.id, [customerId]);
      return this.requireVisible(trx, ctx, row.id);
    });
  }

  async update(ctx: RequestContext, id: Id, input: ContactPlanInput, expectedVersion?: number): Promise<ContactPlanView> {
    return inTransaction(this.db, async (trx) => {
      const seen = await this.requireVisible(trx, ctx, id);
      const target = input.customerId === undefined ? seen.customer_id : requireId(input.customerId, 'customerId');
      const customers = lockOrder([seen.customer_id, target]);
      for (const customerId of customers) await this.customers.requireVisible(trx, ctx, customerId, { forUpdate: true });
      const current = await this.lockPlan(trx, ctx, seen);
      const values = await this.columns(trx, ctx, input, current, target, '');
      if (target !== current.customer_id) values.customer_id = target;
      if (input.ownerId !== undefined) values.owner_id = await this.requireUser(trx, ctx, input.ownerId, 'ownerId');
      values.updated_by = ctx.user?.id ?? null;
      await updateVersioned<ContactPlan>(trx, ctx, { table: 'contact_plan', entity: 'contact_plan', id, expectedVersion, values });
      await recomputeNextFollow(trx, ctx.tenant.id, customers);
      return this.requireVisible(trx, ctx, id);
    });
  }

  async delete(ctx: RequestContext, id: Id, expectedVersion?: number): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const seen = await this.requireVisible(trx, ctx, id);
      await this.customers.requireVisible(trx, ctx, seen.customer_id, { forUpdate: true });
      const current = await this.lockPlan(trx, ctx, seen);
      if (expectedVersion !== undefined && current.version !== expectedVersion) throw staleVersion('contact_plan', id);
      await trx.deleteFrom('contact_plan').where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).execute();
      await writeAudit(trx, ctx, { entity: 'contact_plan', entityId: id, action: 'delete', before: current });
      await recomputeNextFollow(trx, ctx.tenant.id, [current.customer_id]);
    });
  }

  /**
   * Executes a pending plan (seed 004 SaveContactPlan): writes the follow-up, marks the plan done
   * with it, and schedules the next plan from that follow-up when asked. One transaction: if any
   * part is refused, nothing is written.
   */
  async execute(ctx: RequestContext, id: Id, input: ExecutePlanInput, expectedVersion?: number): Promise<ExecutedPlan> {
    return inTransaction(this.db, async (trx) => {
      const seen = await this.requireVisible(trx, ctx, id);
      await this.customers.requireVisible(trx, ctx, seen.customer_id, { forUpdate: true });
      const plan = await this.lockPlan(trx, ctx, seen);
      if (expectedVersion !== undefined && plan.version !== expectedVersion) throw staleVersion('contact_plan', id);
      if (plan.status !== 'pending') throw conflict('plan_not_pending', `contact plan ${id} is ${plan.status}; only a pending plan can be executed`);
      const given = input.followUp ?? {};
      if (given.customerId !== undefined && given.customerId !== plan.customer_id) {
        throw invalidField('customerId', `must be the plan's customer (${plan.customer_id})`, 'plan_customer_mismatch');
      }
      const planContact = plan.contact_id && (await this.isLiveContact(trx, ctx, plan.contact_id, plan.customer_id)) ? [plan.contact_id] : undefined;
      const followUp = await this.followUps.insert(trx, ctx, {
        ...given,
        customerId: plan.customer_id,
        contactIds: given.contactIds ?? planContact,
        purposeId: given.purposeId !== undefined ? given.purposeId : plan.purpose_id,
        routeId: given.routeId !== undefined ? given.routeId : plan.route_id,
        title: given.title !== undefined ? given.title : plan.title,
        content: given.content ?? plan.content ?? undefined,
      });
      await updateVersioned<ContactPlan>(trx, ctx, {
        table: 'contact_plan',
        entity: 'contact_plan',
        id,
        values: { status: 'done', done_at: ctx.clock.now(), fulfilled_follow_up_id: followUp.id, updated_by: ctx.user?.id ?? null },
      });
      let nextPlan: ContactPlanView | null = null;
      if (input.next) {
        const next = input.next;
        const row = await this.insert(
          trx,
          ctx,
          plan.customer_id,
          {
            plannedAt: next.plannedAt,
            title: next.title ?? plan.title,
            content: next.content,
            contactId: next.contactId !== undefined ? next.contactId : (planContact?.[0] ?? null),
            purposeId: next.purposeId !== undefined ? next.purposeId : plan.purpose_id,
            routeId: next.routeId !== undefined ? next.routeId : plan.route_id,
            ownerId: next.ownerId ?? plan.owner_id,
            sourceFollowUpId: followUp.id,
          },
          'next.',
        );
        nextPlan = await this.requireVisible(trx, ctx, row.id);
      }
      await recomputeNextFollow(trx, ctx.tenant.id, [plan.customer_id]);
      return { plan: await this.requireVisible(trx, ctx, id), followUp, nextPlan };
    });
  }

  /** The plan if the caller may see its customer; not-found otherwise, like a missing id. */
  private async requireVisible(executor: Executor, ctx: RequestContext, id: Id): Promise<ContactPlanView> {
    requireId(id, 'id');
    const row = await (await this.visiblePlans(executor, ctx, {})).where('p.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('contact_plan', id);
    return row;
  }

  private async visiblePlans(executor: Executor, ctx: RequestContext, query: ContactPlanQuery) {
    return plansWithCustomer(executor, ctx.tenant.id)
      .where(await customerVisibility(executor, ctx))
      .where(planConditions(query))
      .selectAll('p')
      .select(['c.name as customer_name', 'ct.name as contact_name']);
  }

  /** After its customer is locked: the plan row, locked; refused when a concurrent write moved or deleted it meanwhile. */
  private async lockPlan(trx: Transaction<DB>, ctx: RequestContext, seen: ContactPlan): Promise<ContactPlan> {
    const row = await trx.selectFrom('contact_plan').selectAll().where('tenant_id', '=', ctx.tenant.id).where('id', '=', seen.id).forUpdate().executeTakeFirst();
    if (!row) throw notFound('contact_plan', seen.id);
    if (row.customer_id !== seen.customer_id) throw conflict('concurrent_update', 'The contact plan was moved concurrently; retry the request');
    return row;
  }

  /** Inserts a plan for a customer the caller has locked; `prefix` names fields of a nested input (`next.`). */
  private async insert(trx: Transaction<DB>, ctx: RequestContext, customerId: Id, input: ContactPlanInput, prefix: string): Promise<ContactPlan> {
    const values = await this.columns(trx, ctx, input, null, customerId, prefix);
    const ownerId = input.ownerId ?? ctx.user?.id;
    if (!ownerId) throw invalidField(`${prefix}ownerId`, 'is required when no user is signed in');
    const row = await trx
      .insertInto('contact_plan')
      .values({
        ...(values as object),
        tenant_id: ctx.tenant.id,
        customer_id: customerId,
        title: values.title as string,
        planned_at: values.planned_at as Date,
        owner_id: await this.requireUser(trx, ctx, ownerId, `${prefix}ownerId`),
        ...creationStamps(ctx),
      } as never)
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(trx, ctx, { entity: 'contact_plan', entityId: row.id, action: 'create', after: row });
    return row;
  }

  private async columns(trx: Transaction<DB>, ctx: RequestContext, input: ContactPlanInput, current: ContactPlan | null, customerId: Id, prefix: string) {
    const values: Record<string, unknown> = {};
    const field = (name: string) => `${prefix}${name}`;
    if (input.title !== undefined) {
      const title = typeof input.title === 'string' ? input.title.trim() : '';
      if (!title) throw invalidField(field('title'), 'must not be empty');
      if (title.length > MAX_TITLE) throw invalidField(field('title'), `must be at most ${MAX_TITLE} characters`);
      values.title = title;
    } else if (!current) {
      throw invalidField(field('title'), 'is required');
    }
    if (input.content !== undefined) {
      const content = input.content?.trim() || null;
      if (content && content.length > MAX_CONTENT) throw invalidField(field('content'), `must be at most ${MAX_CONTENT} characters`);
      values.content = content;
    }
    if (input.plannedAt !== undefined) {
      if (!(input.plannedAt instanceof Date) || Number.isNaN(input.plannedAt.getTime())) throw invalidField(field('plannedAt'), 'must be a valid time');
      values.planned_at = input.plannedAt;
    } else if (!current) {
      throw invalidField(field('plannedAt'), 'is required');
    }
    for (const [key, dictionary, column] of DICTIONARY_FIELDS) {
      const value = input[key] as Id | null | undefined;
      if (value === undefined) continue;
      values[column] = value === null ? null : (await requireDictionaryItem(trx, ctx.tenant.id, dictionary, value, field(key))).id;
    }
    // A plan moved to another customer must not keep a contact of the old one.
    const contactId = input.contactId !== undefined ? input.contactId : current && current.customer_id !== customerId ? current.contact_id : undefined;
    if (contactId !== undefined) {
      if (contactId !== null) await this.requireContact(trx, ctx, contactId, customerId, field('contactId'));
      values.contact_id = contactId;
    }
    const sourceId = input.sourceFollowUpId !== undefined ? input.sourceFollowUpId : current && current.customer_id !== customerId ? current.source_follow_up_id : undefined;
    if (sourceId !== undefined) {
      if (sourceId !== null) await this.requireFollowUp(trx, ctx, sourceId, customerId, field('sourceFollowUpId'));
      values.source_follow_up_id = sourceId;
    }
    Object.assign(values, await this.outcome(trx, ctx, input, current, customerId, field));
    return values;
  }

  /** Status with what goes with it: done has a time and maybe its follow-up; the other states have neither. */
  private async outcome(trx: Transaction<DB>, ctx: RequestContext, input: ContactPlanInput, current: ContactPlan | null, customerId: Id, field: (name: string) => string) {
    if (input.status !== undefined && !CONTACT_PLAN_STATUSES.includes(input.status)) throw invalidField(field('status'), `must be one of ${CONTACT_PLAN_STATUSES.join(', ')}`);
    const status = input.status ?? current?.status ?? 'pending';
    const values: Record<string, unknown> = {};
    if (input.status !== undefined) values.status = status;
    if (status !== 'done') {
      if (input.fulfilledFollowUpId) throw invalidField(field('fulfilledFollowUpId'), 'only a done plan has a fulfilling follow-up');
      if (current?.status === 'done') Object.assign(values, { done_at: null, fulfilled_follow_up_id: null });
      return values;
    }
    if (current?.status !== 'done') values.done_at = ctx.clock.now();
    const fulfilled = input.fulfilledFollowUpId !== undefined ? input.fulfilledFollowUpId : current && current.customer_id !== customerId ? current.fulfilled_follow_up_id : undefined;
    if (fulfilled !== undefined) {
      if (fulfilled !== null) await this.requireFollowUp(trx, ctx, fulfilled, customerId, field('fulfilledFollowUpId'));
      values.fulfilled_follow_up_id = fulfilled;
    }
    return values;
  }

  private async isLiveContact(trx: Transaction<DB>, ctx: RequestContext, contactId: Id, customerId: Id): Promise<boolean> {
    const row = await trx
      .selectFrom('contact')
      .select('id')
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', contactId)
      .where('customer_id', '=', customerId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  private async requireContact(trx: Transaction<DB>, ctx: RequestContext, contactId: Id, customerId: Id, field: string) {
    const row = await trx
      .selectFrom('contact')
      .select('customer_id')
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', requireId(contactId, field))
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw invalidField(field, `contact ${contactId} does not exist`, 'reference_not_found');
    if (row.customer_id !== customerId) throw invalidField(field, `contact ${contactId} is a contact of another customer`, 'contact_of_other_customer');
  }

  private async requireFollowUp(trx: Transaction<DB>, ctx: RequestContext, followUpId: Id, customerId: Id, field: string) {
    const row = await trx
      .selectFrom('follow_up')
      .select('customer_id')
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', requireId(followUpId, field))
      .executeTakeFirst();
    if (!row) throw invalidField(field, `follow-up ${followUpId} does not exist`, 'reference_not_found');
    if (row.customer_id !== customerId) throw invalidField(field, `follow-up ${followUpId} is a follow-up of another customer`, 'follow_up_of_other_customer');
  }

  private async requireUser(trx: Transaction<DB>, ctx: RequestContext, id: Id, field: string): Promise<Id> {
    const user = await findUser(trx, ctx.tenant.id, requireId(id, field));
    if (!user) throw invalidField(field, `user ${id} does not exist`, 'reference_not_found');
    return user.id;
  }
}

function checkQuery(query: ContactPlanQuery) {
  for (const key of ['customerId', 'contactId', 'ownerId'] as const) if (query[key] !== undefined) requireId(query[key], key);
  if (query.status !== undefined && !CONTACT_PLAN_STATUSES.includes(query.status)) throw invalidField('status', `must be one of ${CONTACT_PLAN_STATUSES.join(', ')}`);
}
