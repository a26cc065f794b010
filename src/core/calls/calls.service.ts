import { sql, type Kysely, type Transaction } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { CallLog, DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import type { CustomersService } from '../customers/customers.service.ts';
import type { RequestContext } from '../shared/context.ts';
import { invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, type Page, pageLimit, toKeysetPage } from '../shared/pagination.ts';
import { creationStamps, inTransaction, updateVersioned } from '../shared/rows.ts';
import { customerVisibility } from '../shared/scope.ts';
import { findUser } from '../users/users.repository.ts';
import { callsWithNames, matchCustomerByPhone } from './calls.repository.ts';
import { CALL_DIRECTIONS, type CallFilter, type CallInput, type CallKey, type CallQuery, type CallUpdate, type CallView } from './calls.types.ts';

const MAX_NUMBER = 40;
const MAX_URL = 2000;
const MAX_REMARK = 2000;
/** A day: longer calls are a clock error on the telephony side. */
const MAX_DURATION = 86_400;

/** Digits of a phone number as typed; null when it is not one. */
export function phoneDigits(value: string): string | null {
  const digits = value.trim().replace(/^\+/, '').replace(/[\s\-()]/g, '');
  return /^\d{3,20}$/.test(digits) ? digits : null;
}

/**
 * Call logs (通话历史记录) written by the telephony client. A call is matched on create to the
 * customer whose phones hold its number, and then shows on that customer's timeline. A call is
 * visible to its user, to callers whose data scope is all, and to whoever can see its customer.
 */
export class CallsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly customers: CustomersService,
  ) {}

  async list(ctx: RequestContext, filter: CallFilter): Promise<Page<CallView>> {
    const query = checkQuery(filter);
    if (query.customerId) await this.customers.requireVisible(this.db, ctx, query.customerId);
    const limit = pageLimit(filter);
    let q = (await this.visibleCalls(this.db, ctx, query)).select(sql<string>`k.started_at::text`.as('sort_key'));
    if (filter.cursor) {
      const [value, id] = decodeCursor(filter.cursor, 2);
      if (typeof value !== 'string') throw invalidField('cursor', 'is not a cursor issued by this list', 'invalid_cursor');
      q = q.where(sql<boolean>`(k.started_at, k.id) < (${value}::timestamptz, ${requireId(id, 'cursor')})`);
    }
    const rows = await q.orderBy('k.started_at', 'desc').orderBy('k.id', 'desc').limit(limit + 1).execute();
    const page: Page<CallView> = toKeysetPage(rows, limit, (row) => row.id);
    if (filter.withTotal) {
      const row = await (await this.visibleCalls(this.db, ctx, query))
        .clearSelect()
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      page.total = Number(row.n);
    }
    return page;
  }

  async get(ctx: RequestContext, id: Id): Promise<CallView> {
    return this.requireVisible(this.db, ctx, id);
  }

  async create(ctx: RequestContext, input: CallInput): Promise<CallView> {
    return inTransaction(this.db, async (trx) => {
      const values = await this.columns(trx, ctx, input, null);
      if (values.user_id === undefined) values.user_id = ctx.user?.id ?? null;
      if (values.customer_id === undefined) values.customer_id = await matchCustomerByPhone(trx, ctx.tenant.id, values.phone as string);
      const row = await trx
        .insertInto('call_log')
        .values({ ...(values as Omit<CallLog, 'id' | 'version' | 'created_at' | 'updated_at' | 'created_by' | 'updated_by'>), tenant_id: ctx.tenant.id, ...creationStamps(ctx) })
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'call_log', entityId: row.id, action: 'create', after: row });
      return this.requireVisible(trx, ctx, row.id);
    });
  }

  async update(ctx: RequestContext, id: Id, input: CallUpdate, expectedVersion?: number): Promise<CallView> {
    return inTransaction(this.db, async (trx) => {
      const current = await this.requireVisible(trx, ctx, id);
      return this.apply(trx, ctx, current, input, expectedVersion);
    });
  }

  /** Seed 004 UpdateCallHistory: the newest visible call with this number and start time. */
  async updateByCall(ctx: RequestContext, key: CallKey, input: CallUpdate): Promise<CallView> {
    const phone = phoneDigits(String(key.phone ?? ''));
    if (!phone) throw invalidField('phone', 'must be a phone number of 3 to 20 digits');
    if (!(key.startedAt instanceof Date) || Number.isNaN(key.startedAt.getTime())) throw invalidField('startedAt', 'must be a time');
    return inTransaction(this.db, async (trx) => {
      const current = await (await this.visibleCalls(trx, ctx, { phone }))
        .where('k.started_at', '=', key.startedAt)
        .orderBy('k.id', 'desc')
        .executeTakeFirst();
      if (!current) throw notFound('call', `${phone} at ${key.startedAt.toISOString()}`);
      return this.apply(trx, ctx, current, input, undefined);
    });
  }

  private async apply(trx: Transaction<DB>, ctx: RequestContext, current: CallView, input: CallUpdate, expectedVersion: number | undefined) {
    const values = await this.columns(trx, ctx, input, current);
    if (Object.keys(values).length === 0) return current;
    values.updated_by = ctx.user?.id ?? null;
    await updateVersioned<CallLog>(trx, ctx, { table: 'call_log', entity: 'call', id: current.id, expectedVersion, values });
    return this.requireVisible(trx, ctx, current.id);
  }

  private async requireVisible(executor: Executor, ctx: RequestContext, id: Id): Promise<CallView> {
    requireId(id, 'id');
    const row = await (await this.visibleCalls(executor, ctx, {})).where('k.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('call', id);
    return row;
  }

  private async visibleCalls(executor: Executor, ctx: RequestContext, query: CallQuery) {
    const q = callsWithNames(executor, ctx.tenant.id, query);
    if (ctx.dataScope === 'all' || !ctx.user) return q;
    const visible = await customerVisibility(executor, ctx);
    return q.where(sql<boolean>`(k.user_id = ${ctx.user.id} OR (c.id IS NOT NULL AND ${visible}))`);
  }

  /** Checked column values; `current` null on create, when phone, direction, answered and startedAt are required. */
  private async columns(trx: Transaction<DB>, ctx: RequestContext, input: CallUpdate, current: CallLog | null) {
    const values: Record<string, unknown> = {};
    if (input.phone !== undefined || !current) {
      const phone = typeof input.phone === 'string' ? phoneDigits(input.phone) : null;
      if (!phone) throw invalidField('phone', 'is required: a phone number of 3 to 20 digits');
      values.phone = phone;
    }
    if (input.direction !== undefined || !current) {
      if (!CALL_DIRECTIONS.includes(input.direction as never)) throw invalidField('direction', 'is required: in or out');
      values.direction = input.direction;
    }
    if (input.answered !== undefined || !current) {
      if (typeof input.answered !== 'boolean') throw invalidField('answered', 'is required: true or false');
      values.answered = input.answered;
    }
    if (input.startedAt !== undefined || !current) {
      if (!(input.startedAt instanceof Date) || Number.isNaN(input.startedAt.getTime())) throw invalidField('startedAt', 'is required: a time');
      values.started_at = input.startedAt;
    }
    if (input.endedAt !== undefined) {
      if (input.endedAt !== null && (!(input.endedAt instanceof Date) || Number.isNaN(input.endedAt.getTime()))) throw invalidField('endedAt', 'must be a time');
      values.ended_at = input.endedAt;
    }
    const started = (values.started_at ?? current?.started_at) as Date;
    const ended = (values.ended_at !== undefined ? values.ended_at : (current?.ended_at ?? null)) as Date | null;
    if (ended && ended < started) throw invalidField('endedAt', 'must not be before startedAt');
    if (input.durationSeconds !== undefined) {
      if (!Number.isInteger(input.durationSeconds) || input.durationSeconds < 0 || input.durationSeconds > MAX_DURATION) {
        throw invalidField('durationSeconds', `must be a whole number of seconds from 0 to ${MAX_DURATION}`);
      }
      values.duration_seconds = input.durationSeconds;
    } else if (!current || values.ended_at !== undefined || values.started_at !== undefined) {
      values.duration_seconds = ended ? Math.min(Math.round((ended.getTime() - started.getTime()) / 1000), MAX_DURATION) : 0;
    }
    if (input.recorded !== undefined) {
      if (typeof input.recorded !== 'boolean') throw invalidField('recorded', 'must be true or false');
      values.recorded = input.recorded;
    } else if (!current) {
      values.recorded = Boolean(input.recordingUrl);
    }
    text(values, 'recording_url', input.recordingUrl, 'recordingUrl', MAX_URL);
    text(values, 'billing_number', input.billingNumber, 'billingNumber', MAX_NUMBER);
    text(values, 'display_number', input.displayNumber, 'displayNumber', MAX_NUMBER);
    text(values, 'remark', input.remark, 'remark', MAX_REMARK);
    if (!current) {
      for (const column of ['recording_url', 'billing_number', 'display_number', 'remark']) values[column] ??= null;
    }
    if (input.userId !== undefined) {
      const user = await findUser(trx, ctx.tenant.id, requireId(input.userId, 'userId'));
      if (!user) throw invalidField('userId', `user ${input.userId} does not exist`, 'reference_not_found');
      values.user_id = user.id;
    }
    if (input.customerId !== undefined) {
      values.customer_id = input.customerId === null ? null : (await this.customers.requireVisible(trx, ctx, requireId(input.customerId, 'customerId'))).id;
    }
    return values;
  }
}

function text(values: Record<string, unknown>, column: string, value: string | null | undefined, field: string, max: number): void {
  if (value === undefined) return;
  if (value === null) {
    values[column] = null;
    return;
  }
  if (typeof value !== 'string' || value.length > max) throw invalidField(field, `must be text of at most ${max} characters`);
  values[column] = value.trim() === '' ? null : value.trim();
}

function checkQuery(filter: CallFilter): CallQuery {
  const query: CallQuery = { ...filter };
  if (query.customerId !== undefined) requireId(query.customerId, 'customerId');
  if (query.userId !== undefined) requireId(query.userId, 'userId');
  if (query.direction !== undefined && !CALL_DIRECTIONS.includes(query.direction)) throw invalidField('direction', 'must be in or out');
  if (query.phone !== undefined) {
    const phone = phoneDigits(query.phone);
    if (!phone) throw invalidField('phone', 'must be a phone number of 3 to 20 digits');
    query.phone = phone;
  }
  return query;
}
