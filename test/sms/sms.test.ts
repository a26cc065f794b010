import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/shared/clock.ts';
import { nextOccurrence, occurrence, renderSms } from '../../src/core/sms/sms.render.ts';
import type { SmsSender, SmsSending } from '../../src/core/sms/sms.sender.ts';
import { SmsService } from '../../src/core/sms/sms.service.ts';
import { buildHandlers } from '../../src/jobs/handlers.ts';
import { JobRunner } from '../../src/jobs/runner.ts';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

type Api = ReturnType<typeof client>;

const START = '2026-06-01T01:00:00.000Z';
const DAY = 86_400_000;

let h: Harness;
let clock: ReturnType<typeof fixedClock>;
let tenant: TestTenant;
let admin: Api;
let runner: JobRunner;

const deliveries = (messageId: string) =>
  h.database.db.selectFrom('sms_outbox').select(['text', 'mobile', 'occurrence_at', 'sent_at']).where('message_id', '=', messageId).orderBy('occurrence_at').execute();

async function runJobs() {
  let ran = 0;
  for (let n = await runner.runDue(10); n > 0; n = await runner.runDue(10)) ran += n;
  return ran;
}

async function makeTemplate(content: string) {
  const res = await admin.post('/api/v1/sms-templates', { name: '发货通知', content });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

beforeAll(async () => {
  clock = fixedClock(START);
  h = await setupHarness({ clock });
  tenant = await makeTenant(h);
  admin = client(h.app, tenant.adminToken);
  runner = new JobRunner({ db: h.database.db, services: h.services, clock, handlers: buildHandlers(), schedules: false });
});

describe('SMS templates', () => {
  it('creates, reads, changes, lists and deletes a template', async () => {
    const created = await makeTemplate('尊敬的{value1}，您好');
    expect(created).toMatchObject({ name: '发货通知', content: '尊敬的{value1}，您好', version: 1, createdBy: tenant.adminId });
    expect((await admin.get(`/api/v1/sms-templates/${created.id}`)).body).toEqual(created);
    const changed = await admin.patch(`/api/v1/sms-templates/${created.id}`, { content: '亲爱的{value1}' }, { 'if-match': '"1"' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ content: '亲爱的{value1}', version: 2 });
    expect((await admin.patch(`/api/v1/sms-templates/${created.id}`, { name: 'x' }, { 'if-match': '"1"' })).status).toBe(412);
    const list = await admin.get('/api/v1/sms-templates');
    expect(list.body.items.map((t: { id: string }) => t.id)).toContain(created.id);
    expect((await admin.delete(`/api/v1/sms-templates/${created.id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/sms-templates/${created.id}`)).status).toBe(404);
    expect((await admin.post('/api/v1/sms-templates', { name: '', content: 'x' })).status).toBe(422);
    expect((await admin.post('/api/v1/sms-templates', { name: 'x' })).status).toBe(422);
  });

  it('substitutes {value1} … {value6} and refuses a missing value', () => {
    expect(renderSms('{value1}{value2}{value3}{value4}{value5}{value6}', ['a', 'b', 'c', 'd', 'e', 'f'])).toBe('abcdef');
    expect(renderSms('{value1}, again {value1}; {value7} and {other} stay', ['张三'])).toBe('张三, again 张三; {value7} and {other} stay');
    expect(renderSms('empty: [{value2}]', ['x', ''])).toBe('empty: []');
    expect(() => renderSms('您好{value2}', ['x'])).toThrowError(/value2/);
  });
});

describe('SMS messages', () => {
  it('sends an immediate templated message through the outbox in the same request', async () => {
    const template = await makeTemplate('尊敬的{value1}，您的订单{value2}已发货。{value3}');
    const res = await admin.post('/api/v1/sms-messages', {
      mobile: '138 0013 8000',
      receiverName: '张三',
      templateId: template.id,
      content: 'ignored when a template is given',
      values: ['张先生', 'DD-42', ''],
      remark: '发货',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      senderId: tenant.adminId,
      mobile: '13800138000',
      receiverName: '张三',
      templateId: template.id,
      values: ['张先生', 'DD-42', ''],
      content: '尊敬的张先生，您的订单DD-42已发货。',
      schedule: 'immediate',
      status: 'sent',
      sentCount: 1,
      nextSendAt: null,
      remark: '发货',
    });
    expect(await deliveries(res.body.id)).toEqual([
      { text: '尊敬的张先生，您的订单DD-42已发货。', mobile: '13800138000', occurrence_at: new Date(START), sent_at: new Date(START) },
    ]);
    const listed = await admin.get(`/api/v1/sms-messages/${res.body.id}/deliveries`);
    expect(listed.body.items).toEqual([expect.objectContaining({ messageId: res.body.id, text: '尊敬的张先生，您的订单DD-42已发货。', status: 'sent' })]);
    // Nothing is left for the job runner.
    expect(await runJobs()).toBe(0);
  });

  it('sends plain content without a template', async () => {
    const res = await admin.post('/api/v1/sms-messages', { mobile: '13800138001', content: '会议改到周五' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ templateId: null, content: '会议改到周五', status: 'sent' });
  });

  it('refuses bad input, naming the field, and sends nothing', async () => {
    const template = await makeTemplate('您好{value1}，{value2}');
    const before = await h.database.db.selectFrom('sms_message').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const cases: [Record<string, unknown>, string, number][] = [
      [{ mobile: '13800138000', templateId: template.id, values: ['a'] }, 'value2', 422],
      [{ mobile: '12', content: 'x' }, 'mobile', 422],
      [{ mobile: '13800138000' }, 'content', 422],
      [{ mobile: '13800138000', content: '   ' }, 'content', 422],
      [{ mobile: '13800138000', content: 'x', schedule: 'hourly' }, 'schedule', 422],
      [{ mobile: '13800138000', content: 'x', values: ['1', '2', '3', '4', '5', '6', '7'] }, 'values', 422],
      [{ mobile: '13800138000', content: 'x', senderId: '999999999' }, 'senderId', 422],
      [{ mobile: '13800138000', content: 'x', sendAt: 'tomorrow', schedule: 'once' }, 'sendAt', 422],
      [{ mobile: '13800138000', templateId: '999999999' }, 'sms template', 404],
    ];
    for (const [body, field, status] of cases) {
      const res = await admin.post('/api/v1/sms-messages', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(res.body.errors ?? res.body.detail), JSON.stringify(body)).toContain(field);
    }
    const after = await h.database.db.selectFrom('sms_message').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('sends a message scheduled once when the job runner reaches its time', async () => {
    const sendAt = new Date(clock.now().getTime() + 2 * 3_600_000);
    const res = await admin.post('/api/v1/sms-messages', { mobile: '13800138002', content: '明天见', schedule: 'once', sendAt: sendAt.toISOString() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'scheduled', sentCount: 0, schedule: 'once' });
    expect(await runJobs()).toBe(0);
    expect(await deliveries(res.body.id)).toEqual([]);
    clock.set(sendAt);
    expect(await runJobs()).toBe(1);
    expect(await deliveries(res.body.id)).toEqual([{ text: '明天见', mobile: '13800138002', occurrence_at: sendAt, sent_at: sendAt }]);
    const after = await admin.get(`/api/v1/sms-messages/${res.body.id}`);
    expect(after.body).toMatchObject({ status: 'sent', sentCount: 1, nextSendAt: null });
    clock.advance(DAY);
    expect(await runJobs()).toBe(0);
    expect(await deliveries(res.body.id)).toHaveLength(1);
  });

  it('sends a daily message every day through the job runner until it is cancelled', async () => {
    const first = new Date(clock.now().getTime() + 3_600_000);
    const res = await admin.post('/api/v1/sms-messages', { mobile: '13800138003', content: '日报提醒', schedule: 'daily', sendAt: first.toISOString() });
    expect(res.status).toBe(201);
    const id = res.body.id;
    clock.set(first);
    expect(await runJobs()).toBe(1);
    clock.advance(DAY);
    expect(await runJobs()).toBe(1);
    // Running again at the same time sends nothing twice.
    expect(await runJobs()).toBe(0);
    clock.advance(DAY);
    await runJobs();
    const sent = await deliveries(id);
    expect(sent.map((d) => d.occurrence_at.toISOString())).toEqual([0, 1, 2].map((n) => new Date(first.getTime() + n * DAY).toISOString()));
    const state = await admin.get(`/api/v1/sms-messages/${id}`);
    expect(state.body).toMatchObject({ status: 'scheduled', sentCount: 3 });
    expect(new Date(state.body.nextSendAt).getTime()).toBe(first.getTime() + 3 * DAY);

    const cancelled = await admin.post(`/api/v1/sms-messages/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', nextSendAt: null });
    clock.advance(DAY);
    await runJobs();
    expect(await deliveries(id)).toHaveLength(3);
    const again = await admin.post(`/api/v1/sms-messages/${id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('sms_message_finished');
  });

  it('skips sendings missed while no job ran instead of sending them in a burst', async () => {
    const first = new Date(clock.now().getTime() + 60_000);
    const res = await admin.post('/api/v1/sms-messages', { mobile: '13800138004', content: '周报', schedule: 'weekly', sendAt: first.toISOString() });
    clock.set(new Date(first.getTime() + 15 * DAY));
    await runJobs();
    const sent = await deliveries(res.body.id);
    expect(sent.map((d) => d.occurrence_at.toISOString())).toEqual([first.toISOString()]);
    const state = await admin.get(`/api/v1/sms-messages/${res.body.id}`);
    expect(new Date(state.body.nextSendAt).getTime()).toBe(first.getTime() + 21 * DAY);
  });

  it("shows a salesperson their own messages only, and another tenant's as missing", async () => {
    const { token } = await makeUser(h, tenant);
    const sales = client(h.app, token);
    const mine = (await sales.post('/api/v1/sms-messages', { mobile: '13800138005', content: '我的短信' })).body;
    const adminMessage = (await admin.post('/api/v1/sms-messages', { mobile: '13800138006', content: '管理员短信' })).body;
    expect((await sales.get(`/api/v1/sms-messages/${adminMessage.id}`)).status).toBe(404);
    expect((await sales.get('/api/v1/sms-messages')).body.items.map((m: { id: string }) => m.id)).toEqual([mine.id]);

    const other = await makeTenant(h);
    const otherApi = client(h.app, other.adminToken);
    const theirTemplate = (await otherApi.post('/api/v1/sms-templates', { name: 'x', content: 'y' })).body;
    const theirMessage = (await otherApi.post('/api/v1/sms-messages', { mobile: '13800138007', content: 'z' })).body;
    expect((await admin.get(`/api/v1/sms-templates/${theirTemplate.id}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/sms-templates/${theirTemplate.id}`, { name: 'n' })).status).toBe(404);
    expect((await admin.delete(`/api/v1/sms-templates/${theirTemplate.id}`)).status).toBe(404);
    expect((await admin.post('/api/v1/sms-messages', { mobile: '13800138000', templateId: theirTemplate.id })).status).toBe(404);
    expect((await admin.get(`/api/v1/sms-messages/${theirMessage.id}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/sms-messages/${theirMessage.id}/deliveries`)).status).toBe(404);
    expect((await admin.post(`/api/v1/sms-messages/${theirMessage.id}/cancel`)).status).toBe(404);
  });
});

describe('SMS sender interface', () => {
  it('hands every sending to the configured sender inside the transaction, and a refusal writes nothing', async () => {
    const handed: SmsSending[] = [];
    const recording: SmsSender = { send: async (_executor, sending) => void handed.push(sending) };
    const service = new SmsService(h.database.db, recording);
    const message = await service.send(tenant.ctx, { senderId: tenant.adminId, mobile: '13800138010', content: '你好{value1}', values: ['王五'] });
    expect(handed).toEqual([expect.objectContaining({ messageId: message.id, mobile: '13800138010', text: '你好王五', tenantId: tenant.id })]);
    // The default sender was not used.
    expect(await deliveries(message.id)).toEqual([]);

    const failing: SmsSender = {
      send: async () => {
        throw new Error('gateway refused');
      },
    };
    const before = await h.database.db.selectFrom('sms_message').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    await expect(new SmsService(h.database.db, failing).send(tenant.ctx, { senderId: tenant.adminId, mobile: '13800138011', content: 'x' })).rejects.toThrow('gateway refused');
    const after = await h.database.db.selectFrom('sms_message').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});

describe('SMS recurrence', () => {
  const zone = 'Asia/Shanghai';
  const at = (iso: string) => new Date(iso);

  it('keeps the local time and falls back to the last day of shorter months', () => {
    // 31 January, 09:00 in Shanghai.
    const first = at('2026-01-31T01:00:00Z');
    expect(occurrence('monthly', first, 1, zone).toISOString()).toBe('2026-02-28T01:00:00.000Z');
    expect(occurrence('monthly', first, 2, zone).toISOString()).toBe('2026-03-31T01:00:00.000Z');
    expect(occurrence('monthly', first, 3, zone).toISOString()).toBe('2026-04-30T01:00:00.000Z');
    expect(occurrence('weekly', first, 1, zone).toISOString()).toBe('2026-02-07T01:00:00.000Z');
    expect(occurrence('daily', first, 1, zone).toISOString()).toBe('2026-02-01T01:00:00.000Z');
    const leap = at('2028-02-29T01:00:00Z');
    expect(occurrence('yearly', leap, 1, zone).toISOString()).toBe('2029-02-28T01:00:00.000Z');
    expect(occurrence('yearly', leap, 4, zone).toISOString()).toBe('2032-02-29T01:00:00.000Z');
  });

  it('follows a daylight-saving change in the tenant zone', () => {
    // 09:00 in New York on 7 March 2026 (EST), then the clocks move forward on 8 March.
    const first = at('2026-03-07T14:00:00Z');
    expect(occurrence('daily', first, 1, 'America/New_York').toISOString()).toBe('2026-03-08T13:00:00.000Z');
  });

  it('finds the first sending after a time, and none for a one-off', () => {
    const first = at('2026-01-31T01:00:00Z');
    expect(nextOccurrence('monthly', first, at('2026-01-31T01:00:00Z'), zone)?.toISOString()).toBe('2026-02-28T01:00:00.000Z');
    expect(nextOccurrence('monthly', first, at('2026-12-01T00:00:00Z'), zone)?.toISOString()).toBe('2026-12-31T01:00:00.000Z');
    expect(nextOccurrence('daily', first, at('2026-03-10T00:59:59Z'), zone)?.toISOString()).toBe('2026-03-10T01:00:00.000Z');
    expect(nextOccurrence('yearly', first, at('2030-01-31T01:00:00Z'), zone)?.toISOString()).toBe('2031-01-31T01:00:00.000Z');
    expect(nextOccurrence('once', first, first, zone)).toBeNull();
  });
});
