import { sql, type Kysely, type Transaction } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { DB, Id, SmsMessage, SmsTemplate } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { phoneDigits } from '../calls/calls.service.ts';
import { enqueueJob } from '../jobs/enqueue.ts';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/context.ts';
import { conflict, invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../shared/pagination.ts';
import { creationStamps, inTransaction, updateVersioned } from '../shared/rows.ts';
import { findUser } from '../users/users.repository.ts';
import { nextOccurrence, renderSms, storedValues } from './sms.render.ts';
import type { SmsSender } from './sms.sender.ts';
import {
  SMS_SCHEDULES,
  SMS_STATUSES,
  type SmsDeliveryView,
  type SmsInput,
  type SmsMessageFilter,
  type SmsMessageView,
  type SmsTemplateInput,
  type SmsTemplateView,
} from './sms.types.ts';

/** The job that sends one planned sending of a message. */
export const SMS_SEND_JOB = 'sms.send';

const MAX_NAME = 100;
const MAX_TEXT = 1000;
const MAX_VALUE = 200;
const MAX_RECEIVER = 100;
const MAX_REMARK = 1000;

/**
 * SMS templates and messages (模板短信). An immediate message is handed to the SmsSender in the
 * transaction that creates it; a scheduled or recurring one gets a job per planned sending,
 * which records the sending and plans the next. A message is visible to its sender, to whoever
 * created it and to callers whose data scope is all.
 */
export class SmsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly sender: SmsSender,
  ) {}

  async listTemplates(ctx: RequestContext, request: PageRequest): Promise<Page<SmsTemplateView>> {
    const limit = pageLimit(request);
    let q = this.db.selectFrom('sms_template').selectAll().where('tenant_id', '=', ctx.tenant.id);
    if (request.cursor) q = q.where('id', '>', requireId(decodeCursor(request.cursor, 1)[0], 'cursor'));
    const rows = await q.orderBy('id').limit(limit + 1).execute();
    return toPage(rows, limit, (row) => [row.id]);
  }

  async getTemplate(ctx: RequestContext, id: Id): Promise<SmsTemplateView> {
    return this.requireTemplate(this.db, ctx, id);
  }

  async createTemplate(ctx: RequestContext, input: SmsTemplateInput & { name: string; content: string }): Promise<SmsTemplateView> {
    const values = templateColumns(input, true);
    return inTransaction(this.db, async (trx) => {
      const row = await trx
        .insertInto('sms_template')
        .values({ tenant_id: ctx.tenant.id, name: values.name!, content: values.content!, ...creationStamps(ctx) })
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'sms_template', entityId: row.id, action: 'create', after: row });
      return row;
    });
  }

  async updateTemplate(ctx: RequestContext, id: Id, input: SmsTemplateInput, expectedVersion?: number): Promise<SmsTemplateView> {
    requireId(id, 'id');
    const values = templateColumns(input, false);
    return inTransaction(this.db, (trx) =>
      updateVersioned<SmsTemplate>(trx, ctx, {
        table: 'sms_template',
        entity: 'sms_template',
        id,
        expectedVersion,
        values: { ...values, updated_by: ctx.user?.id ?? null },
      }),
    );
  }

  /** Messages made from it keep their text; they lose the link to the template. */
  async deleteTemplate(ctx: RequestContext, id: Id): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const current = await this.requireTemplate(trx, ctx, id);
      await trx.deleteFrom('sms_template').where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).execute();
      await writeAudit(trx, ctx, { entity: 'sms_template', entityId: id, action: 'delete', before: current });
    });
  }

  async listMessages(ctx: RequestContext, filter: SmsMessageFilter): Promise<Page<SmsMessageView>> {
    if (filter.status !== undefined && !SMS_STATUSES.includes(filter.status)) throw invalidField('status', `must be one of ${SMS_STATUSES.join(', ')}`);
    if (filter.senderId !== undefined) requireId(filter.senderId, 'senderId');
    const limit = pageLimit(filter);
    let q = this.visibleMessages(this.db, ctx);
    if (filter.status) q = q.where('m.status', '=', filter.status);
    if (filter.senderId) q = q.where('m.sender_id', '=', filter.senderId);
    if (filter.mobile) q = q.where('m.mobile', '=', phoneDigits(filter.mobile) ?? filter.mobile);
    if (filter.cursor) q = q.where('m.id', '<', requireId(decodeCursor(filter.cursor, 1)[0], 'cursor'));
    const rows = await q.orderBy('m.id', 'desc').limit(limit + 1).execute();
    return toPage(rows, limit, (row) => [row.id]);
  }

  async getMessage(ctx: RequestContext, id: Id): Promise<SmsMessageView> {
    return this.requireMessage(this.db, ctx, id);
  }

  /** The sendings of a visible message, oldest first. */
  async listDeliveries(ctx: RequestContext, messageId: Id, request: PageRequest): Promise<Page<SmsDeliveryView>> {
    await this.requireMessage(this.db, ctx, messageId);
    const limit = pageLimit(request);
    let q = this.db.selectFrom('sms_outbox').selectAll().where('tenant_id', '=', ctx.tenant.id).where('message_id', '=', messageId);
    if (request.cursor) q = q.where('id', '>', requireId(decodeCursor(request.cursor, 1)[0], 'cursor'));
    const rows = await q.orderBy('id').limit(limit + 1).execute();
    return toPage(rows, limit, (row) => [row.id]);
  }

  /**
   * Creates a message. Immediate: sent now, in this transaction. Once: sent by a job at sendAt.
   * Recurring: first at sendAt, then every day / week / month / year at the same local time.
   */
  async send(ctx: RequestContext, input: SmsInput): Promise<SmsMessageView> {
    const schedule = input.schedule ?? 'immediate';
    if (!SMS_SCHEDULES.includes(schedule)) throw invalidField('schedule', `must be one of ${SMS_SCHEDULES.join(', ')}`);
    const mobile = typeof input.mobile === 'string' ? phoneDigits(input.mobile) : null;
    if (!mobile) throw invalidField('mobile', 'is required: a phone number of 3 to 20 digits');
    const values = storedValues(input.values);
    values.forEach((v, i) => {
      if (v.length > MAX_VALUE) throw invalidField(`value${i + 1}`, `must be at most ${MAX_VALUE} characters`);
    });
    const receiverName = optionalText(input.receiverName, 'receiverName', MAX_RECEIVER);
    const remark = optionalText(input.remark, 'remark', MAX_REMARK);
    const now = ctx.clock.now();
    if (input.sendAt !== undefined && (!(input.sendAt instanceof Date) || Number.isNaN(input.sendAt.getTime()))) throw invalidField('sendAt', 'must be a time');
    const sendAt = schedule === 'immediate' ? now : (input.sendAt ?? now);
    return inTransaction(this.db, async (trx) => {
      const senderId = input.senderId === undefined ? ctx.user?.id : requireId(input.senderId, 'senderId');
      if (!senderId) throw invalidField('senderId', 'is required when no user is calling');
      if (!(await findUser(trx, ctx.tenant.id, senderId))) throw invalidField('senderId', `user ${senderId} does not exist`, 'reference_not_found');
      let templateId: Id | null = null;
      let source: string;
      if (input.templateId !== undefined && input.templateId !== null) {
        const template = await this.requireTemplate(trx, ctx, requireId(input.templateId, 'templateId'));
        templateId = template.id;
        source = template.content;
      } else {
        source = typeof input.content === 'string' ? input.content.trim() : '';
        if (!source) throw invalidField('content', 'is required when no template is given');
      }
      const text = renderSms(source, input.values);
      if (text.length > MAX_TEXT) throw invalidField(templateId ? 'templateId' : 'content', `the text to send must be at most ${MAX_TEXT} characters`);
      const row = await trx
        .insertInto('sms_message')
        .values({
          tenant_id: ctx.tenant.id,
          sender_id: senderId,
          mobile,
          receiver_name: receiverName,
          template_id: templateId,
          template_values: values,
          content: text,
          schedule,
          send_at: sendAt,
          next_send_at: schedule === 'immediate' ? null : sendAt,
          status: schedule === 'immediate' ? 'sent' : 'scheduled',
          sent_count: schedule === 'immediate' ? 1 : 0,
          remark,
          ...creationStamps(ctx),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (schedule === 'immediate') {
        await this.sender.send(trx, { tenantId: ctx.tenant.id, messageId: row.id, mobile, text, occurrenceAt: now, sentAt: now });
      } else {
        await enqueueSending(trx, ctx.clock, ctx.tenant.id, row.id, sendAt);
      }
      await writeAudit(trx, ctx, { entity: 'sms_message', entityId: row.id, action: 'create', after: row });
      return this.requireMessage(trx, ctx, row.id);
    });
  }

  /** Stops a scheduled or recurring message; sendings already made stay. */
  async cancelMessage(ctx: RequestContext, id: Id): Promise<SmsMessageView> {
    return inTransaction(this.db, async (trx) => {
      await this.requireMessage(trx, ctx, id);
      const current = await lockMessage(trx, ctx.tenant.id, id);
      if (!current) throw notFound('sms_message', id);
      if (current.status !== 'scheduled') throw conflict('sms_message_finished', `SMS message ${id} is ${current.status}; only a scheduled one can be cancelled`);
      const after = await trx
        .updateTable('sms_message')
        .set({ status: 'cancelled', next_send_at: null, updated_at: ctx.clock.now(), updated_by: ctx.user?.id ?? null, version: current.version + 1 })
        .where('tenant_id', '=', ctx.tenant.id)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'sms_message', entityId: id, action: 'update', before: current, after });
      return this.requireMessage(trx, ctx, id);
    });
  }

  /**
   * Makes the planned sending `occurrenceAt` of a message (the `sms.send` job). Does nothing for
   * a sending that is no longer planned (cancelled, or already made by an earlier run), so a job
   * run twice sends once. Plans the next sending of a recurring message. True when it sent.
   */
  async runSending(tenantId: Id, messageId: Id, occurrenceAt: Date, clock: Clock): Promise<boolean> {
    return inTransaction(this.db, async (trx) => {
      const message = await lockMessage(trx, tenantId, messageId);
      if (!message || message.status !== 'scheduled' || message.next_send_at?.getTime() !== occurrenceAt.getTime()) return false;
      const tenant = await trx.selectFrom('tenant').select('timezone').where('id', '=', tenantId).executeTakeFirstOrThrow();
      const now = clock.now();
      await this.sender.send(trx, { tenantId, messageId, mobile: message.mobile, text: message.content, occurrenceAt, sentAt: now });
      const next = nextOccurrence(message.schedule, message.send_at, occurrenceAt > now ? occurrenceAt : now, tenant.timezone);
      await trx
        .updateTable('sms_message')
        .set({
          status: next ? 'scheduled' : 'sent',
          next_send_at: next,
          sent_count: sql<number>`sent_count + 1`,
          updated_at: now,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', messageId)
        .execute();
      if (next) await enqueueSending(trx, clock, tenantId, messageId, next);
      return true;
    });
  }

  private async requireTemplate(executor: Executor, ctx: RequestContext, id: Id): Promise<SmsTemplate> {
    requireId(id, 'id');
    const row = await executor.selectFrom('sms_template').selectAll().where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('sms_template', id);
    return row;
  }

  private async requireMessage(executor: Executor, ctx: RequestContext, id: Id): Promise<SmsMessageView> {
    requireId(id, 'id');
    const row = await this.visibleMessages(executor, ctx).where('m.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('sms_message', id);
    return row;
  }

  private visibleMessages(executor: Executor, ctx: RequestContext) {
    let q = executor
      .selectFrom('sms_message as m')
      .innerJoin('app_user as u', (j) => j.onRef('u.tenant_id', '=', 'm.tenant_id').onRef('u.id', '=', 'm.sender_id'))
      .where('m.tenant_id', '=', ctx.tenant.id)
      .selectAll('m')
      .select('u.name as sender_name');
    const me = ctx.user?.id;
    if (me && ctx.dataScope !== 'all') q = q.where((eb) => eb.or([eb('m.sender_id', '=', me), eb('m.created_by', '=', me)]));
    return q;
  }
}

function lockMessage(trx: Transaction<DB>, tenantId: Id, id: Id): Promise<SmsMessage | undefined> {
  return trx.selectFrom('sms_message').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** One job per planned sending; its dedupe key makes planning the same sending twice harmless. */
async function enqueueSending(executor: Executor, clock: Clock, tenantId: Id, messageId: Id, at: Date): Promise<void> {
  await enqueueJob(executor, clock, {
    tenantId,
    kind: SMS_SEND_JOB,
    payload: { messageId, occurrenceAt: at.toISOString() },
    runAt: at,
    dedupeKey: `sms:${tenantId}:${messageId}:${at.toISOString()}`,
  });
}

function templateColumns(input: SmsTemplateInput, create: boolean): { name?: string; content?: string } {
  const values: { name?: string; content?: string } = {};
  if (input.name !== undefined || create) {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name || name.length > MAX_NAME) throw invalidField('name', `is required: 1 to ${MAX_NAME} characters`);
    values.name = name;
  }
  if (input.content !== undefined || create) {
    const content = typeof input.content === 'string' ? input.content.trim() : '';
    if (!content || content.length > MAX_TEXT) throw invalidField('content', `is required: 1 to ${MAX_TEXT} characters`);
    values.content = content;
  }
  return values;
}

function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max) throw invalidField(field, `must be text of at most ${max} characters`);
  return value.trim() || null;
}
