import { sql, type Kysely, type Transaction } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Customer, DB, FollowUp, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { emitEvent } from '../events/outbox.ts';
import { followUpEventData } from '../events/payloads.ts';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.ts';
import type { DictionaryName } from '../dictionaries/catalog.ts';
import { requireDictionaryItem } from '../dictionaries/dictionaries.service.ts';
import type { RequestContext } from '../shared/context.ts';
import { conflict, DomainError, invalidField, notFound, staleVersion } from '../shared/errors.ts';
import { lockOrder, requireId } from '../shared/ids.ts';
import { decodeCursor, type Page, pageLimit, toKeysetPage } from '../shared/pagination.ts';
import { creationStamps, inTransaction, updateVersioned } from '../shared/rows.ts';
import { customerVisibility } from '../shared/scope.ts';
import { reportVisibility } from '../visit-reports/visit-reports.repository.ts';
import { syncAttachments } from './attachments.ts';
import {
  followUpConditions,
  followUpsWithCustomer,
  latestOfCustomer,
  latestOfOpportunity,
  pageWithExtras,
  replaceLinks,
  requireCodeItem,
  SORT_COLUMNS,
  toViews,
  viewsWithExtras,
} from './follow-ups.repository.ts';
import type { FollowUpChanges, FollowUpCodes, FollowUpFilter, FollowUpInput, FollowUpView } from './follow-ups.types.ts';
import { htmlToText, summarise } from './plain-text.ts';
import { coordinates, cost, sameSet, uniqueIds } from './values.ts';

export type { FollowUpChanges, FollowUpCodes, FollowUpFilter, FollowUpInput, FollowUpView } from './follow-ups.types.ts';

const DICTIONARY_FIELDS = [
  ['typeId', 'follow_up_type', 'type_id'],
  ['purposeId', 'contact_purpose', 'purpose_id'],
  ['routeId', 'contact_route', 'route_id'],
  ['eventId', 'visit_event', 'event_id'],
] as const satisfies readonly (readonly [keyof FollowUpInput, DictionaryName, keyof FollowUp])[];

const TEXT_FIELDS = [
  ['title', 'title', 500],
  ['site', 'site', 500],
  ['costNote', 'cost_note', 1000],
  ['note', 'note', 5000],
] as const satisfies readonly (readonly [keyof FollowUpInput, keyof FollowUp, number])[];

const MAX_CONTENT = 100_000;

/** A 404 that still names the input field the missing reference came in. */
const missingReference = (entity: string, id: Id, field: string) =>
  new DomainError('not_found', `${entity}_not_found`, `${field}: ${entity.replace(/_/g, ' ')} ${id} does not exist`, {
    fields: [{ field, message: `${entity.replace(/_/g, ' ')} ${id} does not exist` }],
  });

export class FollowUpsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly customFields: CustomFieldsService,
  ) {}

  async list(ctx: RequestContext, filter: FollowUpFilter): Promise<Page<FollowUpView>> {
    for (const key of ['customerId', 'userId', 'participantId', 'ownerId', 'opportunityId', 'typeId', 'visitReportId'] as const) {
      if (filter[key] !== undefined) requireId(filter[key], key);
    }
    const limit = pageLimit(filter);
    const column = SORT_COLUMNS[filter.sort ?? 'followedAt'];
    const desc = (filter.order ?? 'desc') === 'desc';
    const visible = await customerVisibility(this.db, ctx);
    const base = followUpsWithCustomer(this.db, ctx.tenant.id).where(visible).where(followUpConditions(filter));
    // The sort key travels in the cursor as the database's own text, keeping its microseconds.
    let q = base.selectAll('f').select(sql<string>`${sql.ref(`f.${column}`)}::text`.as('sort_key'));
    if (filter.offset !== undefined) {
      if (!Number.isSafeInteger(filter.offset) || filter.offset < 0) throw invalidField('offset', 'must be an integer of at least 0');
      q = q.offset(filter.offset);
    } else if (filter.cursor) {
      const [value, id] = decodeCursor(filter.cursor, 2);
      if (typeof value !== 'string') throw invalidField('cursor', 'is not a cursor issued by this list', 'invalid_cursor');
      const after = requireId(id, 'cursor');
      q = q.where(sql<boolean>`(${sql.ref(`f.${column}`)}, f.id) ${desc ? sql`<` : sql`>`} (${value}::timestamptz, ${after}::bigint)`);
    }
    const rows = await pageWithExtras(this.db, q, { column, desc }, limit + 1);
    const keyset = toKeysetPage(rows, limit, (row) => row.id);
    const page: Page<FollowUpView> = { items: await viewsWithExtras(this.db, ctx.tenant.id, keyset.items), nextCursor: keyset.nextCursor };
    if (filter.withTotal) {
      const total = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      page.total = Number(total.n);
    }
    return page;
  }

  /** The follow-ups of one customer; not-found when the customer is not visible, rather than an empty list. */
  async listOfCustomer(ctx: RequestContext, customerId: Id, filter: Omit<FollowUpFilter, 'customerId'>): Promise<Page<FollowUpView>> {
    requireId(customerId, 'id');
    const page = await this.list(ctx, { ...filter, customerId });
    // The list keeps only follow-ups of visible, live customers, so a follow-up on the page
    // proves the customer visible: only an empty page has to ask.
    if (page.items.length === 0) await this.visibleCustomer(this.db, ctx, customerId, 'id');
    return page;
  }

  async get(ctx: RequestContext, id: Id): Promise<FollowUpView> {
    const row = await this.requireVisible(this.db, ctx, id);
    return (await toViews(this.db, ctx.tenant.id, [row]))[0]!;
  }

  async create(ctx: RequestContext, input: FollowUpInput): Promise<FollowUpView> {
    return inTransaction(this.db, (trx) => this.insert(trx, ctx, input));
  }

  /**
   * Writes a follow-up inside the caller's transaction (contact plans execute through it), with
   * everything that follows from it: links, attachments, the customer's and opportunity's
   * last-contact fields, and the audit entry.
   */
  async insert(trx: Transaction<DB>, ctx: RequestContext, input: FollowUpInput): Promise<FollowUpView> {
    const customerId = requireId(input.customerId, 'customerId');
    const customer = await this.visibleCustomer(trx, ctx, customerId, 'customerId', true);
    const resolved = await this.resolve(trx, ctx, input, null, customerId);
    const userId = input.userId ?? ctx.user?.id;
    if (!userId) throw invalidField('userId', 'is required when no user is signed in');
    if (input.userId !== undefined) await this.requireUsers(trx, ctx, [input.userId], () => 'userId');
    const now = ctx.clock.now();
    const row = await trx
      .insertInto('follow_up')
      .values({
        ...(resolved.values as object),
        tenant_id: ctx.tenant.id,
        customer_id: customerId,
        user_id: userId,
        content: (resolved.values.content as string | undefined) ?? '',
        content_text: (resolved.values.content_text as string | undefined) ?? '',
        followed_at: (resolved.values.followed_at as Date | undefined) ?? now,
        custom_fields: JSON.stringify(resolved.values.custom_fields ?? {}),
        ...creationStamps(ctx),
      } as never)
      .returningAll()
      .executeTakeFirstOrThrow();
    const links = await this.writeLinks(trx, ctx, row, input, resolved, true);
    await this.advanceCustomer(trx, ctx, customer, row);
    if (row.opportunity_id) await this.refreshOpportunity(trx, ctx, row.opportunity_id);
    await writeAudit(trx, ctx, { entity: 'follow_up', entityId: row.id, action: 'create', after: { ...row, ...links.after } });
    await emitEvent(trx, ctx, 'follow_up.created', row.id, followUpEventData(row));
    return (await toViews(trx, ctx.tenant.id, [row]))[0]!;
  }

  async update(ctx: RequestContext, id: Id, changes: FollowUpChanges, expectedVersion?: number): Promise<FollowUpView> {
    return inTransaction(this.db, async (trx) => {
      const seen = await this.requireVisible(trx, ctx, id);
      const customerId = changes.customerId === undefined ? seen.customer_id : requireId(changes.customerId, 'customerId');
      // Customers first, in id order, as every writer of follow-ups locks them.
      const customers = new Map<Id, Customer>();
      for (const cid of [...new Set([seen.customer_id, customerId])].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))) {
        customers.set(cid, await this.visibleCustomer(trx, ctx, cid, cid === customerId ? 'customerId' : 'id', true));
      }
      const current = await this.requireVisible(trx, ctx, id, true);
      if (current.customer_id !== seen.customer_id) throw conflict('concurrent_update', 'The follow-up was moved concurrently; retry the request');
      if (expectedVersion !== undefined && current.version !== expectedVersion) throw staleVersion('follow_up', id);
      const resolved = await this.resolve(trx, ctx, changes, current, customerId);
      if (changes.userId !== undefined) {
        await this.requireUsers(trx, ctx, [changes.userId], () => 'userId');
        resolved.values.user_id = changes.userId;
      }
      if (customerId !== current.customer_id) resolved.values.customer_id = customerId;
      if (resolved.values.custom_fields !== undefined) resolved.values.custom_fields = JSON.stringify(resolved.values.custom_fields);
      resolved.values.updated_by = ctx.user?.id ?? null;
      const row = await updateVersioned<FollowUp>(trx, ctx, { table: 'follow_up', entity: 'follow_up', id, expectedVersion, values: resolved.values });
      const links = await this.writeLinks(trx, ctx, row, changes, resolved, false);
      if (Object.keys(links.after).length) {
        await writeAudit(trx, ctx, { entity: 'follow_up', entityId: id, action: 'update', before: links.before, after: links.after });
      }
      for (const customer of customers.values()) await this.refreshCustomer(trx, ctx, customer);
      for (const opportunityId of new Set([current.opportunity_id, row.opportunity_id])) {
        if (opportunityId) await this.refreshOpportunity(trx, ctx, opportunityId);
      }
      await emitEvent(trx, ctx, 'follow_up.updated', id, followUpEventData(row));
      return (await toViews(trx, ctx.tenant.id, [row]))[0]!;
    });
  }

  async delete(ctx: RequestContext, id: Id, expectedVersion?: number): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const seen = await this.requireVisible(trx, ctx, id);
      const customer = await this.visibleCustomer(trx, ctx, seen.customer_id, 'id', true);
      const current = await this.requireVisible(trx, ctx, id, true);
      if (current.customer_id !== seen.customer_id) throw conflict('concurrent_update', 'The follow-up was moved concurrently; retry the request');
      if (expectedVersion !== undefined && current.version !== expectedVersion) throw staleVersion('follow_up', id);
      const [before] = await toViews(trx, ctx.tenant.id, [current]);
      await trx.deleteFrom('follow_up').where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).execute();
      await writeAudit(trx, ctx, { entity: 'follow_up', entityId: id, action: 'delete', before: before as unknown as Record<string, unknown> });
      await emitEvent(trx, ctx, 'follow_up.deleted', id, followUpEventData(current));
      await this.refreshCustomer(trx, ctx, customer);
      if (current.opportunity_id) await this.refreshOpportunity(trx, ctx, current.opportunity_id);
    });
  }

  /**
   * Deletes several follow-ups, all or none. When any is missing or not visible, nothing is
   * deleted and the error has one field issue per such id, named by its position in `ids`.
   */
  async deleteMany(ctx: RequestContext, ids: Id[]): Promise<void> {
    ids.forEach((id, i) => requireId(id, `ids[${i}]`));
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return;
    await inTransaction(this.db, async (trx) => {
      const visible = await customerVisibility(trx, ctx);
      const seen = await followUpsWithCustomer(trx, ctx.tenant.id)
        .select(['f.id', 'f.customer_id'])
        .where('f.id', 'in', wanted)
        .where('c.deleted_at', 'is', null)
        .where(visible)
        .execute();
      const found = new Set(seen.map((r) => r.id));
      const missing = ids.map((id, i) => ({ id, field: `ids[${i}]` })).filter((m) => !found.has(m.id));
      if (missing.length > 0) {
        throw new DomainError('not_found', 'follow_up_not_found', `follow-up(s) ${[...new Set(missing.map((m) => m.id))].join(', ')} do not exist`, {
          fields: missing.map((m) => ({ field: m.field, message: `follow-up ${m.id} does not exist` })),
        });
      }
      // Customers first, in id order, as every writer of follow-ups locks them.
      const customers = new Map<Id, Customer>();
      for (const cid of lockOrder(seen.map((r) => r.customer_id))) customers.set(cid, await this.visibleCustomer(trx, ctx, cid, 'id', true));
      const current = await trx.selectFrom('follow_up').selectAll().where('tenant_id', '=', ctx.tenant.id).where('id', 'in', wanted).orderBy('id').forUpdate().execute();
      if (current.length !== wanted.length || current.some((r) => !customers.has(r.customer_id))) {
        throw conflict('concurrent_update', 'A follow-up was moved or deleted concurrently; retry the request');
      }
      const before = await toViews(trx, ctx.tenant.id, current);
      await trx.deleteFrom('follow_up').where('tenant_id', '=', ctx.tenant.id).where('id', 'in', wanted).execute();
      for (const [i, row] of current.entries()) {
        await writeAudit(trx, ctx, { entity: 'follow_up', entityId: row.id, action: 'delete', before: before[i] as unknown as Record<string, unknown> });
        await emitEvent(trx, ctx, 'follow_up.deleted', row.id, followUpEventData(row));
      }
      for (const customer of customers.values()) await this.refreshCustomer(trx, ctx, customer);
      for (const opportunityId of new Set(current.map((r) => r.opportunity_id))) {
        if (opportunityId) await this.refreshOpportunity(trx, ctx, opportunityId);
      }
    });
  }

  /** Dictionary item ids for the stable codes a wire format sends (seed 001 `event`, seed 004 `type_id`, …). */
  async idsForCodes(ctx: RequestContext, codes: FollowUpCodes): Promise<Pick<FollowUpInput, 'typeId' | 'purposeId' | 'routeId' | 'eventId'>> {
    const pairs = [
      ['typeCode', 'typeId', 'follow_up_type'],
      ['purposeCode', 'purposeId', 'contact_purpose'],
      ['routeCode', 'routeId', 'contact_route'],
      ['eventCode', 'eventId', 'visit_event'],
    ] as const;
    const out: Pick<FollowUpInput, 'typeId' | 'purposeId' | 'routeId' | 'eventId'> = {};
    for (const [codeField, idField, dictionary] of pairs) {
      const code = codes[codeField];
      if (code !== undefined) out[idField] = await requireCodeItem(this.db, ctx.tenant.id, dictionary, code, codeField);
    }
    return out;
  }

  /** The follow-up if its customer is visible to the caller; not-found otherwise, like a missing id. */
  private async requireVisible(executor: Executor, ctx: RequestContext, id: Id, forUpdate = false): Promise<FollowUp> {
    requireId(id, 'id');
    const visible = await customerVisibility(executor, ctx);
    let q = followUpsWithCustomer(executor, ctx.tenant.id).selectAll('f').where('f.id', '=', id).where('c.deleted_at', 'is', null).where(visible);
    if (forUpdate) q = q.forUpdate('f');
    const row = await q.executeTakeFirst();
    if (!row) throw notFound('follow_up', id);
    return row;
  }

  /**
   * The customer, visible and not deleted. Writers lock it (FOR UPDATE), so that concurrent
   * follow-ups of one customer derive its last follow-up one after the other.
   */
  private async visibleCustomer(executor: Executor, ctx: RequestContext, id: Id, field: string, forUpdate = false): Promise<Customer> {
    requireId(id, field);
    const visible = await customerVisibility(executor, ctx);
    let q = executor.selectFrom('customer as c').selectAll('c').where('c.tenant_id', '=', ctx.tenant.id).where('c.id', '=', id).where('c.deleted_at', 'is', null).where(visible);
    if (forUpdate) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw field === 'id' ? notFound('customer', id) : missingReference('customer', id, field);
    return row;
  }

  /** Validates the scalar fields a write brings, as column values, and the link lists it implies. */
  private async resolve(trx: Transaction<DB>, ctx: RequestContext, input: FollowUpChanges, current: FollowUp | null, customerId: Id) {
    const values: Record<string, unknown> = {};
    const moved = current !== null && current.customer_id !== customerId;
    // The old customer's contacts and opportunity cannot follow it to another customer.
    const detach = moved && input.detachOnMove === true;

    const opportunityId =
      input.opportunityId !== undefined ? input.opportunityId : detach ? (current.opportunity_id === null ? undefined : null) : moved ? current.opportunity_id : undefined;
    if (opportunityId !== undefined) {
      if (opportunityId !== null) await this.requireOpportunity(trx, ctx, opportunityId, customerId);
      values.opportunity_id = opportunityId;
    }
    let contactIds: Id[] | undefined;
    if (input.contactIds !== undefined) contactIds = await this.requireContacts(trx, ctx, input.contactIds, customerId);
    else if (detach) contactIds = [];
    else if (moved) await this.requireContacts(trx, ctx, await this.linkedIds(trx, ctx, current.id, 'follow_up_contact'), customerId);

    for (const [field, dictionary, column] of DICTIONARY_FIELDS) {
      const value = input[field];
      if (value !== undefined) values[column] = value === null ? null : (await requireDictionaryItem(trx, ctx.tenant.id, dictionary, value, field)).id;
    }
    for (const [field, column, max] of TEXT_FIELDS) {
      const value = input[field];
      if (value === undefined) continue;
      const text = value === null ? '' : value.trim();
      if (text.length > max) throw invalidField(field, `must be at most ${max} characters`);
      values[column] = text === '' ? null : text;
    }
    if (input.content !== undefined) {
      if (typeof input.content !== 'string') throw invalidField('content', 'must be text');
      if (input.content.length > MAX_CONTENT) throw invalidField('content', `must be at most ${MAX_CONTENT} characters`);
      values.content = input.content;
      values.content_text = htmlToText(input.content);
    }
    if (input.followedAt !== undefined) {
      if (!(input.followedAt instanceof Date) || Number.isNaN(input.followedAt.getTime())) throw invalidField('followedAt', 'must be a valid time');
      values.followed_at = input.followedAt;
    }
    Object.assign(values, coordinates(input, current));
    if (input.cost !== undefined) values.cost = cost(input.cost);
    if (input.visitReportId !== undefined) {
      values.visit_report_id = input.visitReportId === null ? null : await this.requireReport(trx, ctx, input.visitReportId);
    }
    if (input.customFields !== undefined || current === null) {
      values.custom_fields = await this.customFields.validate(trx, ctx, 'follow_up', input.customFields, current ? (current.custom_fields as Record<string, unknown>) : null);
    }
    let participantIds: Id[] | undefined;
    if (input.participantIds !== undefined) {
      participantIds = uniqueIds(input.participantIds, 'participantIds');
      await this.requireUsers(trx, ctx, input.participantIds, (i) => `participantIds[${i}]`);
    }
    return { values, contactIds, participantIds };
  }

  /** Replaces the lists the write gave; returns their before and after for the audit log. */
  private async writeLinks(
    trx: Transaction<DB>,
    ctx: RequestContext,
    row: FollowUp,
    input: FollowUpChanges,
    resolved: { contactIds?: Id[] | undefined; participantIds?: Id[] | undefined },
    created: boolean,
  ) {
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const lists = [
      ['contact_ids', 'follow_up_contact', resolved.contactIds],
      ['participant_ids', 'follow_up_participant', resolved.participantIds],
    ] as const;
    for (const [key, table, ids] of lists) {
      if (ids === undefined) continue;
      const old = created ? [] : await this.linkedIds(trx, ctx, row.id, table);
      if (!created && sameSet(old, ids)) continue;
      await replaceLinks(trx, table, ctx.tenant.id, row.id, ids);
      before[key] = old;
      after[key] = ids;
    }
    if (input.attachments !== undefined) {
      const change = await syncAttachments(trx, ctx, row.id, input.attachments, created);
      if (change) {
        before.attachments = change.before;
        after.attachments = change.after;
      }
    }
    return { before, after };
  }

  private async linkedIds(trx: Transaction<DB>, ctx: RequestContext, followUpId: Id, table: 'follow_up_contact' | 'follow_up_participant'): Promise<Id[]> {
    const column = table === 'follow_up_contact' ? 'contact_id' : 'user_id';
    const rows = await trx
      .selectFrom(table)
      .select(sql<Id>`${sql.ref(column)}`.as('id'))
      .where('tenant_id', '=', ctx.tenant.id)
      .where('follow_up_id', '=', followUpId)
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Recomputes the customer's last follow-up from its latest remaining one (follow_up_by_customer),
   * and writes it only when it changed. Derived, so the customer's version stays as it is.
   */
  /**
   * After a create: the customer row is locked and current, so the new follow-up is its latest
   * exactly when it is not older than the recorded one (a tie goes to the new, higher id). Saves
   * refreshCustomer's look-up of the latest follow-up on the hottest write path.
   */
  private async advanceCustomer(trx: Transaction<DB>, ctx: RequestContext, customer: Customer, row: FollowUp) {
    if (customer.last_follow_at && row.followed_at.getTime() < customer.last_follow_at.getTime()) return;
    await trx
      .updateTable('customer')
      .set({ last_follow_at: row.followed_at, last_follow_summary: summarise(row.content_text || row.title || '') || null, last_follow_user_id: row.user_id })
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', customer.id)
      .execute();
  }

  private async refreshCustomer(trx: Transaction<DB>, ctx: RequestContext, customer: Customer) {
    const latest = await latestOfCustomer(trx, ctx.tenant.id, customer.id);
    const next = {
      last_follow_at: latest?.followed_at ?? null,
      last_follow_summary: latest ? summarise(latest.content_text || latest.title || '') || null : null,
      last_follow_user_id: latest?.user_id ?? null,
    };
    if (
      next.last_follow_at?.getTime() === customer.last_follow_at?.getTime() &&
      next.last_follow_summary === customer.last_follow_summary &&
      next.last_follow_user_id === customer.last_follow_user_id
    ) {
      return;
    }
    await trx.updateTable('customer').set(next).where('tenant_id', '=', ctx.tenant.id).where('id', '=', customer.id).execute();
  }

  private async refreshOpportunity(trx: Transaction<DB>, ctx: RequestContext, opportunityId: Id) {
    const latest = await latestOfOpportunity(trx, ctx.tenant.id, opportunityId);
    await trx
      .updateTable('opportunity')
      .set({ last_contact_at: latest?.followed_at ?? null, last_contact_user_id: latest?.user_id ?? null })
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', opportunityId)
      .execute();
  }

  private async requireOpportunity(trx: Transaction<DB>, ctx: RequestContext, id: Id, customerId: Id) {
    const row = await trx
      .selectFrom('opportunity')
      .select(['id', 'customer_id'])
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', requireId(id, 'opportunityId'))
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw invalidField('opportunityId', `opportunity ${id} does not exist`, 'reference_not_found');
    if (row.customer_id !== customerId) throw invalidField('opportunityId', `opportunity ${id} belongs to another customer`, 'opportunity_of_other_customer');
  }

  private async requireContacts(trx: Transaction<DB>, ctx: RequestContext, given: Id[], customerId: Id): Promise<Id[]> {
    const ids = uniqueIds(given, 'contactIds');
    if (ids.length === 0) return ids;
    const rows = await trx
      .selectFrom('contact')
      .select(['id', 'customer_id'])
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', 'in', ids)
      .where('deleted_at', 'is', null)
      .execute();
    const found = new Map(rows.map((r) => [r.id, r.customer_id]));
    ids.forEach((id) => {
      const owner = found.get(id);
      const field = `contactIds[${given.indexOf(id)}]`;
      if (owner === undefined) throw invalidField(field, `contact ${id} does not exist`, 'reference_not_found');
      if (owner !== customerId) throw invalidField(field, `contact ${id} is a contact of another customer`, 'contact_of_other_customer');
    });
    return ids;
  }

  private async requireUsers(trx: Transaction<DB>, ctx: RequestContext, ids: Id[], fieldOf: (index: number) => string) {
    ids.forEach((id, i) => requireId(id, fieldOf(i)));
    if (ids.length === 0) return;
    const rows = await trx.selectFrom('app_user').select('id').where('tenant_id', '=', ctx.tenant.id).where('id', 'in', [...new Set(ids)]).execute();
    const found = new Set(rows.map((r) => r.id));
    ids.forEach((id, i) => {
      if (!found.has(id)) throw invalidField(fieldOf(i), `user ${id} does not exist`, 'reference_not_found');
    });
  }

  private async requireReport(trx: Transaction<DB>, ctx: RequestContext, id: Id): Promise<Id> {
    requireId(id, 'visitReportId');
    const visible = await reportVisibility(trx, ctx);
    const row = await trx.selectFrom('visit_report as r').select('r.id').where('r.tenant_id', '=', ctx.tenant.id).where('r.id', '=', id).where(visible).executeTakeFirst();
    if (!row) throw missingReference('visit_report', id, 'visitReportId');
    return row.id;
  }
}
