import { beforeAll, describe, expect, it } from 'vitest';
import { client, fixedClock, makeTenant, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { customerWithContacts, expectSameShape, person, recordClient, report, type Send } from './fixtures.ts';

/** The seed's answers to POST /api/record/follow. */
const SEED_ACK = { status: 0, msg: '创建成功' };
const SEED_FAILURE = { status: 1, msg: '失败描述' };

/** POST /api/record/follow: creating (protent_id) and updating (follow_id) follow-ups. */
describe('seed 001 write', () => {
  let h: Harness;
  let tenant: TestTenant;
  let send: Send;
  let native: ReturnType<typeof client>;
  let c1: Awaited<ReturnType<typeof customerWithContacts>>;
  let c2: Awaited<ReturnType<typeof customerWithContacts>>;
  let reportId: string;
  let users: string[];

  const post = async (body: unknown) => (await send('POST', '/api/record/follow', { body })).body;
  const postForm = async (form: string) => (await send('POST', '/api/record/follow', { form })).body;
  const read = async (id: number | string) => {
    const res = await native.get(`/api/v1/follow-ups/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const followUpCount = async () => (await native.get('/api/v1/follow-ups?withTotal=true&limit=1')).body.total as number;

  beforeAll(async () => {
    h = await setupHarness({ clock: fixedClock('2026-03-21T04:00:00Z') });
    tenant = await makeTenant(h);
    send = recordClient(h, tenant.adminToken);
    native = client(h.app, tenant.adminToken);
    c1 = await customerWithContacts(h, tenant);
    c2 = await customerWithContacts(h, tenant, ['赵总']);
    reportId = (await report(h, tenant, '2026-03-20T02:00:00Z')).id;
    users = [(await person(h, tenant, '汪小嘉', 'sales')).user.id, (await person(h, tenant, '张协作', 'sales')).user.id];
  });

  it("creates a follow-up from the seed's fields, answering the seed's envelope, readable natively", async () => {
    const body = await post({
      protent_id: Number(reportId),
      customers_id: c1.contactIds.map(Number),
      organization_id: Number(c1.customer.id),
      follower_id: users.map(Number),
      record_time: '2026-03-20 15:30:00',
      event: 2,
      gain: '客户同意下周签约',
      event_attach: 'https://files.example.com/chat.png',
      event_note: '带了样品',
      cost: 12.5,
      cost_note: '打车费',
    });
    expectSameShape(body, SEED_ACK);
    expect(body).toEqual({ status: 0, msg: '创建成功', data: { id: expect.any(Number) } });
    const f = await read(body.data.id);
    expect(f).toMatchObject({
      customerId: c1.customer.id,
      contactIds: c1.contactIds,
      participantIds: users,
      followedAt: '2026-03-20T15:30:00.000+08:00',
      event: { code: 2, name: '走访拜访' },
      content: '客户同意下周签约',
      note: '带了样品',
      cost: '12.50',
      costNote: '打车费',
      visitReportId: reportId,
      attachments: [{ url: 'https://files.example.com/chat.png', name: 'chat.png' }],
    });
    const audit = await native.get(`/api/v1/audit-log?entity=follow_up&entityId=${body.data.id}`);
    expect(audit.body.items.map((e: { action: string; api: string }) => [e.action, e.api])).toEqual([['create', 'api-record']]);
  });

  it('updates with follow_id: contacts of another customer move it, an empty field clears, the same attachment URL keeps its attachment', async () => {
    const id = (await post({ protent_id: reportId, customers_id: [c1.contactIds[0]], gain: '初访', event: 1, event_note: '备注', cost: '5', event_attach: 'https://x.example/a.png' })).data.id;
    const before = await read(id);
    const body = await post({ follow_id: id, customers_id: c2.contactIds, follower_id: [users[1]], record_time: '2026-03-21 09:00:00', event: 5, gain: '售后回访', event_attach: 'https://x.example/a.png', event_note: '', cost: '0.1', cost_note: '停车' });
    expectSameShape(body, SEED_ACK);
    expect(body).toEqual({ status: 0, msg: '修改成功', data: { id } });
    const after = await read(id);
    expect(after).toMatchObject({ customerId: c2.customer.id, contactIds: c2.contactIds, participantIds: [users[1]], followedAt: '2026-03-21T09:00:00.000+08:00', event: { code: 5 }, content: '售后回访', note: null, cost: '0.10', costNote: '停车', visitReportId: reportId });
    expect(after.attachments).toEqual(before.attachments);

    expect(await post({ follow_id: id, gain: '只改收获' })).toMatchObject({ status: 0, msg: '修改成功' });
    expect(await read(id)).toMatchObject({ content: '只改收获', customerId: c2.customer.id, contactIds: c2.contactIds, cost: '0.10', event: { code: 5 }, participantIds: [users[1]] });

    await post({ follow_id: id, event_attach: 'https://x.example/b.png', event: '', cost: '' });
    const changed = await read(id);
    expect(changed.attachments.map((a: { url: string }) => a.url)).toEqual(['https://x.example/b.png']);
    expect(changed).toMatchObject({ event: null, cost: null });
    await post({ follow_id: id, event: 3 });
    expect((await read(id)).event).toMatchObject({ code: 3 });
    await post({ follow_id: id, event: null, event_attach: '' });
    expect((await read(id)).event).toBeNull();
    expect((await read(id)).attachments).toEqual([]);
  });

  it("moves a follow-up to the contacts' customer, dropping the old customer's opportunity", async () => {
    const admin = await h.services.auth.authenticate(tenant.adminToken, { api: 'native', requestId: null, clock: h.clock });
    const opportunity = await h.services.opportunities.create(admin, { customerId: c1.customer.id, name: '续约' });
    const created = await native.post('/api/v1/follow-ups', { customerId: c1.customer.id, contactIds: [c1.contactIds[1]], opportunityId: opportunity.id, content: '商机跟进' });
    expect(created.status).toBe(201);
    expect(await post({ follow_id: created.body.id, customers_id: [c2.contactIds[0]] })).toMatchObject({ status: 0, msg: '修改成功' });
    expect(await read(created.body.id)).toMatchObject({ customerId: c2.customer.id, contactIds: [c2.contactIds[0]], opportunityId: null, content: '商机跟进' });
  });

  it('reads arrays from form fields: a[]=1&a[]=2, repeated names, comma lists and JSON text', async () => {
    const [k1, k2] = c1.contactIds;
    const [u1, u2] = users;
    const forms = [
      `protent_id=${reportId}&customers_id%5B%5D=${k1}&customers_id%5B%5D=${k2}&follower_id%5B%5D=${u1}&follower_id%5B%5D=${u2}&gain=${encodeURIComponent('表单')}&cost=3.20&record_time=2026-03-19%2008:00:00`,
      `protent_id=${reportId}&customers_id[0]=${k1}&customers_id[1]=${k2}&follower_id[0]=${u1}&follower_id[1]=${u2}`,
      `protent_id=${reportId}&customers_id=${k1}&customers_id=${k2}&follower_id=${u1}&follower_id=${u2}`,
      `protent_id=${reportId}&customers_id=${k1},${k2}&follower_id=${u1}%2C${u2}`,
      `protent_id=${reportId}&customers_id=${encodeURIComponent(`[${k1},${k2}]`)}&follower_id=${encodeURIComponent(`[${u1},${u2}]`)}`,
    ];
    for (const form of forms) {
      const body = await postForm(form);
      expect(body, form).toMatchObject({ status: 0, msg: '创建成功' });
      const f = await read(body.data.id);
      expect(f.contactIds, form).toEqual([k1, k2]);
      expect(f.participantIds, form).toEqual([u1, u2]);
    }
    const first = await read((await postForm(forms[0]!)).data.id);
    expect(first).toMatchObject({ content: '表单', cost: '3.20', followedAt: '2026-03-19T08:00:00.000+08:00' });
  });

  it('keeps a cost exact: parsed from the JSON text, stored as numeric, written back with its digits', async () => {
    const raw = `{"protent_id": ${reportId}, "customers_id": [${c1.contactIds[0]}], "cost": 12345678901234.56}`;
    const body = await post(raw);
    expect(body.status).toBe(0);
    expect((await read(body.data.id)).cost).toBe('12345678901234.56');
    const listed = await send('GET', `/api/record/follow?protent_id=${reportId}&count=100`);
    expect(listed.raw).toContain('"cost":12345678901234.56');
  });

  it('writes the record time in the tenant time zone', async () => {
    const ny = await makeTenant(h, { timezone: 'America/New_York' });
    const customer = await customerWithContacts(h, ny, ['Ann']);
    const nyReport = await report(h, ny, '2026-03-20T12:00:00Z');
    const res = await send('POST', '/api/record/follow', { token: ny.adminToken, body: { protent_id: nyReport.id, customers_id: customer.contactIds, record_time: '2026-03-20 15:30:00' } });
    expect(res.body.status).toBe(0);
    const f = await client(h.app, ny.adminToken).get(`/api/v1/follow-ups/${res.body.data.id}`);
    expect(new Date(f.body.followedAt).toISOString()).toBe('2026-03-20T19:30:00.000Z');
    const listed = await send('GET', `/api/record/follow?protent_id=${nyReport.id}`, { token: ny.adminToken });
    expect(listed.body.data[0].record_time).toBe('2026-03-20 15:30:00');
  });

  it('refuses bad input in its envelope, naming the field, and writes nothing', async () => {
    const other = await makeTenant(h);
    const theirs = await customerWithContacts(h, other);
    const theirReport = await report(h, other, '2026-03-20T02:00:00Z');
    const [k1] = c1.contactIds;
    const existing = (await post({ protent_id: reportId, customers_id: [k1] })).data.id;
    const count = await followUpCount();
    const cases: [unknown, RegExp][] = [
      [{ customers_id: [k1] }, /^protent_id: /],
      [{ protent_id: reportId, follow_id: existing, customers_id: [k1] }, /^protent_id: .*不能同时传/],
      [{ protent_id: reportId }, /^customers_id: /],
      [{ protent_id: reportId, customers_id: [] }, /^customers_id: /],
      [{ protent_id: reportId, customers_id: 'abc' }, /^customers_id\[0\]: /],
      [{ protent_id: reportId, customers_id: { a: 1 } }, /^customers_id: /],
      [{ protent_id: reportId, customers_id: [k1, c2.contactIds[0]] }, /^customers_id: 联系人不属于同一个客户/],
      [{ protent_id: reportId, customers_id: [k1, 999999999] }, /^customers_id\[1\]: 引用的记录不存在/],
      [{ protent_id: reportId, customers_id: [k1, theirs.contactIds[0]] }, /^customers_id\[1\]: 引用的记录不存在/],
      [{ protent_id: reportId, customers_id: [k1], follower_id: [users[0], 999999999] }, /^follower_id\[1\]: 引用的记录不存在/],
      [{ protent_id: reportId, customers_id: [k1], follower_id: [other.adminId] }, /^follower_id\[0\]: 引用的记录不存在/],
      [{ protent_id: reportId, customers_id: [k1], event: 9 }, /^event: /],
      [{ protent_id: reportId, customers_id: [k1], event: 'x' }, /^event: /],
      [{ protent_id: reportId, customers_id: [k1], cost: -1 }, /^cost: /],
      [{ protent_id: reportId, customers_id: [k1], cost: 1.234 }, /^cost: /],
      [{ protent_id: reportId, customers_id: [k1], cost: 'abc' }, /^cost: /],
      [`{"protent_id": ${reportId}, "customers_id": [${k1}], "cost": 1e3}`, /^cost: /],
      [{ protent_id: reportId, customers_id: [k1], record_time: '2026/03/20' }, /^record_time: /],
      [{ protent_id: reportId, customers_id: [k1], event_attach: 'javascript:alert(1)' }, /^event_attach: /],
      [{ protent_id: reportId, customers_id: [k1], gain: ['a', 'b'] }, /^gain: /],
      [{ protent_id: 'x1', customers_id: [k1] }, /^protent_id: /],
      [{ protent_id: 999999999, customers_id: [k1] }, /^protent_id: 记录不存在/],
      [{ protent_id: theirReport.id, customers_id: [k1] }, /^protent_id: 记录不存在/],
      [{ follow_id: 999999999, gain: 'x' }, /^follow_id: 记录不存在/],
      [{ follow_id: existing, customers_id: [theirs.contactIds[0]] }, /^customers_id\[0\]: 引用的记录不存在/],
      [[1, 2], /^body: /],
    ];
    for (const [body, msg] of cases) {
      const res = await send('POST', '/api/record/follow', { body });
      const label = JSON.stringify(body);
      expect(res.status, label).toBe(200);
      expectSameShape(res.body, SEED_FAILURE);
      expect(Object.keys(res.body), label).toEqual(['status', 'msg']);
      expect(res.body.msg, label).toMatch(msg);
    }
    expect(await followUpCount()).toBe(count);
    expect((await read(existing)).customerId).toBe(c1.customer.id);
  });

  it("answers another tenant's ids exactly like missing ones", async () => {
    const other = await makeTenant(h);
    const theirCustomer = await customerWithContacts(h, other);
    const theirReport = await report(h, other, '2026-03-20T02:00:00Z');
    const theirs = (await send('POST', '/api/record/follow', { token: other.adminToken, body: { protent_id: theirReport.id, customers_id: theirCustomer.contactIds } })).body.data.id;
    const foreign = await post({ follow_id: theirs, gain: '改别人的' });
    const missing = await post({ follow_id: 999999999, gain: '改别人的' });
    expect(foreign.msg.replace(String(theirs), 'ID')).toBe(missing.msg.replace('999999999', 'ID'));
    const foreignReport = await post({ protent_id: theirReport.id, customers_id: [c1.contactIds[0]] });
    const missingReport = await post({ protent_id: 999999999, customers_id: [c1.contactIds[0]] });
    expect(foreignReport.msg.replace(theirReport.id, 'ID')).toBe(missingReport.msg.replace('999999999', 'ID'));
    const theirRecord = await client(h.app, other.adminToken).get(`/api/v1/follow-ups/${theirs}`);
    expect(theirRecord.body.content).toBe('');
  });

  it("applies the caller's data scope: a salesperson cannot write under another's report", async () => {
    const sales = await person(h, tenant, '李销售', 'sales');
    const customer = await h.services.customers.create(sales.ctx, { name: '李销售的客户' });
    const contact = await h.services.contacts.create(sales.ctx, customer.id, { name: '钱经理' });
    const res = await send('POST', '/api/record/follow', { token: sales.token, body: { protent_id: reportId, customers_id: [contact.id] } });
    expect(res.body.msg).toMatch(/^protent_id: 记录不存在/);
    const own = await h.services.visitReports.create(sales.ctx, { title: '李销售的周报' });
    expect((await send('POST', '/api/record/follow', { token: sales.token, body: { protent_id: own.id, customers_id: [c1.contactIds[0]] } })).body.msg).toMatch(/^customers_id\[0\]: 引用的记录不存在/);
    expect((await send('POST', '/api/record/follow', { token: sales.token, body: { protent_id: own.id, customers_id: [contact.id] } })).body.status).toBe(0);
  });

  it('answers malformed, unsupported, oversized and unauthenticated requests in its envelope', async () => {
    const malformed = await send('POST', '/api/record/follow', { body: '{"protent_id": 1,' });
    expect(malformed.status).toBe(200);
    expect(malformed.body).toEqual({ status: 1, msg: expect.stringMatching(/^请求体无法解析/) });
    const leadingZero = await send('POST', '/api/record/follow', { body: '{"protent_id": 01}' });
    expect(leadingZero.body.status).toBe(1);
    const empty = await send('POST', '/api/record/follow', { body: '', headers: { 'content-type': 'application/json' } });
    expect(empty.body.status).toBe(1);
    const text = await send('POST', '/api/record/follow', { body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.body).toEqual({ status: 1, msg: expect.stringContaining('Content-Type') });
    const big = await send('POST', '/api/record/follow', { body: { protent_id: reportId, customers_id: [c1.contactIds[0]], gain: 'x'.repeat(1024 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.body.status).toBe(1);
    const anonymous = await send('POST', '/api/record/follow', { token: null, body: { protent_id: reportId, customers_id: [c1.contactIds[0]] } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ status: 1, msg: expect.stringMatching(/^未登录或登录已失效/) });
  });
});
