import { Value } from 'typebox/value';
import { beforeAll, describe, expect, it } from 'vitest';
import { FollowRecordListSchema, ReportListSchema } from '../../../src/dialects/api-record/schemas.ts';
import { fixedClock, makeTenant, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { adminContext, customerWithContacts, expectSameShape, person, recordClient, report, SEED_LIST_SAMPLE, type Send } from './fixtures.ts';

/** GET /api/record/follow: visit reports of a window, or the follow-ups of one report. */
describe('seed 001 list', () => {
  let h: Harness;
  let tenant: TestTenant;
  let send: Send;
  const ids: Record<string, string> = {};
  let people: Record<'boss' | 'sales' | 'helper', Awaited<ReturnType<typeof person>>>;
  const list = async (query: string, token?: string) => {
    const res = await send('GET', `/api/record/follow${query}`, token ? { token } : {});
    expect(res.status, res.raw).toBe(200);
    return res.body;
  };
  const reportIds = (body: { data: { id: number }[] }) => body.data.map((r) => String(r.id));

  beforeAll(async () => {
    // 12:00 in Shanghai on 2026-03-21: the default window runs from 2026-03-14 12:00 to now.
    h = await setupHarness({ clock: fixedClock('2026-03-21T04:00:00Z') });
    tenant = await makeTenant(h);
    send = recordClient(h, tenant.adminToken);
    people = { boss: await person(h, tenant, '汪小嘉'), sales: await person(h, tenant, '李销售', 'sales'), helper: await person(h, tenant, '张协作', 'sales') };
    const c1 = await customerWithContacts(h, tenant);
    const c2 = await customerWithContacts(h, tenant, ['赵总']);
    Object.assign(ids, { c1: c1.customer.id, c2: c2.customer.id, k1: c1.contactIds[0] });
    const boss = people.boss.ctx;
    const admin = await adminContext(h, tenant);
    const r1 = await report(h, tenant, '2026-03-20T02:00:00Z', { authorId: people.boss.user.id, title: '2026.03.20-汪小嘉-', problems: null });
    const r2 = await report(h, tenant, '2026-03-18T02:00:00Z');
    const r3 = await report(h, tenant, '2026-03-01T02:00:00Z', { authorId: people.boss.user.id });
    const r4 = await report(h, tenant, '2026-03-22T02:00:00Z', { authorId: people.boss.user.id });
    const r5 = await report(h, tenant, '2020-06-01T02:00:00Z', { authorId: people.boss.user.id, problems: '无', suggestion: '无建议', workPlan: '暂无' });
    const r6 = await h.services.visitReports.create(people.sales.ctx, { title: '2026.03.19-李销售-', reportedAt: new Date('2026-03-19T02:00:00Z') });
    Object.assign(ids, { r1: r1.id, r2: r2.id, r3: r3.id, r4: r4.id, r5: r5.id, r6: r6.id });
    const f1 = await h.services.followUps.create(boss, { customerId: c1.customer.id, contactIds: [c1.contactIds[0]!], participantIds: [people.helper.user.id], visitReportId: r1.id, content: '谈了续约', followedAt: new Date('2026-03-20T01:00:00Z'), cost: '128.50' });
    await h.services.followUps.create(admin, { customerId: c2.customer.id, visitReportId: r2.id, content: '电话回访' });
    const f5 = await h.services.followUps.create(boss, { customerId: c1.customer.id, participantIds: [people.helper.user.id], visitReportId: r5.id, content: '2020 年的拜访', followedAt: new Date('2020-06-01T01:00:00Z') });
    Object.assign(ids, { f1: f1.id, f5: f5.id });
    await h.services.visitReports.addComment(boss, r1.id, { content: '哈哈' });
    await h.services.visitReports.addComment(admin, r1.id, { content: '测试评论发布' });
    await h.services.visitReports.get(admin, r1.id);
    await h.services.visitReports.addComment(boss, r5.id, { content: '315曝光的土坑酸菜' });
    await h.services.visitReports.get(admin, r5.id);
  });

  it("answers the seed's parameters, sent verbatim, in the shape of the seed's sample", async () => {
    const query = `?organization_id=${ids.c1}&director_id=${people.boss.user.id}&follower_id=${people.helper.user.id}&start_time=2020-01-01%2000:00:00&end_time=2021-01-01%2000:00:00&page=1&count=20`;
    const body = await list(query);
    expect(reportIds(body)).toEqual([ids.r5]);
    expectSameShape(body, SEED_LIST_SAMPLE);
    expect(Value.Check(ReportListSchema, body)).toBe(true);
    expect(body.page_info).toEqual({ total: 1, page: 1, count: 20 });
    expect(body.data[0]).toMatchObject({
      user_id: Number(people.boss.user.id),
      type: 1,
      recordTime: '2020-06-01 10:00:00',
      problems: '无',
      suggestion: '无建议',
      workplan: '暂无',
      status: 1,
      note: null,
      user_name: '汪小嘉',
      comment: [{ user_id: Number(people.boss.user.id), content: '315曝光的土坑酸菜', user_name: '汪小嘉', createTime: '2026-03-21 12:00:00' }],
      reading: [{ user_id: Number(tenant.adminId), createTime: '2026-03-21 12:00:00' }],
    });
  });

  it('lists the last week up to now by default, newest first, with comments newest first and read receipts', async () => {
    const body = await list('');
    expect(reportIds(body)).toEqual([ids.r1, ids.r6, ids.r2]);
    expect(body.page_info).toEqual({ total: 3, page: 1, count: 20 });
    const [r1] = body.data;
    expect(r1).toMatchObject({ title: '2026.03.20-汪小嘉-', recordTime: '2026-03-20 10:00:00', createTime: '2026-03-21 12:00:00', problems: null, user_name: '汪小嘉' });
    expect(r1.comment.map((c: { content: string }) => c.content)).toEqual(['测试评论发布', '哈哈']);
    expect(r1.comment[0].id).toBeGreaterThan(r1.comment[1].id);
    expect(r1.reading).toHaveLength(1);
    expect(r1.reading[0].user_id).toBe(Number(tenant.adminId));
    expect(body.data[1].comment).toEqual([]);
    expect(body.data[1].reading).toEqual([]);
  });

  it('filters by customer (organization_id), author (director_id) and participant (follower_id)', async () => {
    expect(reportIds(await list(`?organization_id=${ids.c1}`))).toEqual([ids.r1]);
    expect(reportIds(await list(`?organization_id=${ids.c2}`))).toEqual([ids.r2]);
    expect(reportIds(await list(`?director_id=${people.boss.user.id}`))).toEqual([ids.r1]);
    expect(reportIds(await list(`?director_id=${people.sales.user.id}`))).toEqual([ids.r6]);
    expect(reportIds(await list(`?follower_id=${people.helper.user.id}`))).toEqual([ids.r1]);
    expect(reportIds(await list(`?follower_id=${people.sales.user.id}`))).toEqual([]);
    const combined = await list(`?organization_id=${ids.c2}&director_id=${people.boss.user.id}`);
    expect(combined).toEqual({ status: 0, data: [], page_info: { total: 0, page: 1, count: 20 } });
  });

  it('filters on the report time, end_time included to the second, a bare date meaning the whole day', async () => {
    expect(reportIds(await list('?start_time=2026-03-18&end_time=2026-03-18'))).toEqual([ids.r2]);
    expect(reportIds(await list('?start_time=2026-03-20%2010:00:00&end_time=2026-03-20%2010:00:00'))).toEqual([ids.r1]);
    expect(reportIds(await list('?start_time=2026-03-20%2010:00:01'))).toEqual([]);
    expect(reportIds(await list('?start_time=2026-02-01%2000:00:00&end_time=2026-03-31%2000:00:00'))).toEqual([ids.r4, ids.r1, ids.r6, ids.r2, ids.r3]);
    expect(reportIds(await list('?start_time=2026-03-01'))).toEqual([ids.r1, ids.r6, ids.r2, ids.r3]);
    expect(reportIds(await list('?end_time=2026-03-10%2000:00:00'))).toEqual([]);
  });

  it('pages with page and count, counting every match, and caps count at 100', async () => {
    const second = await list('?page=2&count=1');
    expect(reportIds(second)).toEqual([ids.r6]);
    expect(second.page_info).toEqual({ total: 3, page: 2, count: 1 });
    const past = await list('?page=5&count=2');
    expect(past.data).toEqual([]);
    expect(past.page_info).toEqual({ total: 3, page: 5, count: 2 });
    expect((await list('?count=1000')).page_info).toEqual({ total: 3, page: 1, count: 100 });
  });

  it("applies the caller's data scope: a salesperson sees their own reports", async () => {
    expect(reportIds(await list('', people.sales.token))).toEqual([ids.r6]);
  });

  it('lists the follow-ups of a report with protent_id, in the shape of the POST fields, without the default window', async () => {
    const body = await list(`?protent_id=${ids.r1}`);
    expect(Value.Check(FollowRecordListSchema, body)).toBe(true);
    expect(body.page_info).toEqual({ total: 1, page: 1, count: 20 });
    expect(body.data[0]).toEqual({
      id: Number(ids.f1),
      follow_id: Number(ids.f1),
      protent_id: Number(ids.r1),
      customers_id: [Number(ids.k1)],
      organization_id: Number(ids.c1),
      organization_name: expect.any(String),
      follower_id: [Number(people.helper.user.id)],
      user_id: Number(people.boss.user.id),
      user_name: '汪小嘉',
      record_time: '2026-03-20 09:00:00',
      event: null,
      event_name: null,
      gain: '谈了续约',
      event_attach: null,
      event_note: null,
      cost: 128.5,
      cost_note: null,
      createTime: '2026-03-21 12:00:00',
      updateTime: '2026-03-21 12:00:00',
    });
    expect((await send('GET', `/api/record/follow?protent_id=${ids.r1}`)).raw).toContain('"cost":128.50');
    expect((await list(`?protent_id=${ids.r5}`)).data.map((f: { id: number }) => String(f.id))).toEqual([ids.f5]);
    expect((await list(`?protent_id=${ids.r5}&start_time=2021-01-01`)).data).toEqual([]);
    expect((await list(`?protent_id=${ids.r1}&follower_id=${people.sales.user.id}`)).data).toEqual([]);
    expect((await list(`?protent_id=${ids.r1}&director_id=${people.boss.user.id}&organization_id=${ids.c1}`)).data).toHaveLength(1);
    expect((await list(`?protent_id=${ids.r3}`))).toEqual({ status: 0, data: [], page_info: { total: 0, page: 1, count: 20 } });
  });

  it("answers another tenant's ids exactly like missing ones", async () => {
    const other = await makeTenant(h);
    const theirReport = await report(h, other, '2026-03-20T02:00:00Z');
    const theirCustomer = await customerWithContacts(h, other);
    const missing = await send('GET', '/api/record/follow?protent_id=999999999');
    const foreign = await send('GET', `/api/record/follow?protent_id=${theirReport.id}`);
    expect(missing.status).toBe(200);
    expect(missing.body.status).toBe(1);
    expect(missing.body.msg).toMatch(/^protent_id: 记录不存在/);
    expect(foreign.body.msg.replace(theirReport.id, 'ID')).toBe(missing.body.msg.replace('999999999', 'ID'));
    expect(await list(`?organization_id=${theirCustomer.customer.id}`)).toEqual(await list('?organization_id=999999999'));
    expect(await list(`?director_id=${other.adminId}`)).toEqual(await list('?director_id=999999999'));
  });

  it('refuses bad parameters in its envelope, naming the field', async () => {
    const cases: [string, RegExp][] = [
      ['?page=0', /^page: /],
      ['?page=abc', /^page: /],
      ['?page=10001', /^page: /],
      ['?count=-1', /^count: /],
      ['?count=1.5', /^count: /],
      ['?start_time=yesterday', /^start_time: .*YYYY-MM-DD HH:mm:ss/],
      ['?end_time=2026-02-30%2000:00:00', /^end_time: /],
      ['?start_time=2026-03-20&end_time=2026-03-19', /^start_time: .*end_time/],
      ['?organization_id=abc', /^organization_id: /],
      ['?director_id=-3', /^director_id: /],
      ['?follower_id=1e3', /^follower_id: /],
      ['?protent_id=1&protent_id=2', /^protent_id: /],
    ];
    for (const [query, msg] of cases) {
      const res = await send('GET', `/api/record/follow${query}`);
      expect(res.status, query).toBe(200);
      expect(Object.keys(res.body), query).toEqual(['status', 'msg']);
      expect(res.body.status, query).toBe(1);
      expect(res.body.msg, query).toMatch(msg);
    }
  });

  it('takes the token from a Bearer header, a token header or the query, and answers 401 in its envelope without one', async () => {
    expect((await send('GET', '/api/record/follow', { token: null, headers: { token: tenant.adminToken } })).body.status).toBe(0);
    expect((await send('GET', `/api/record/follow?token=${tenant.adminToken}`, { token: null })).body.status).toBe(0);
    for (const options of [{ token: null }, { token: 'not-a-token' }, { token: null, headers: { authorization: 'Basic abc' } }]) {
      const res = await send('GET', '/api/record/follow', options);
      expect(res.status).toBe(401);
      expect(res.body.status).toBe(1);
      expect(res.body.msg).toMatch(/^未登录或登录已失效/);
    }
  });

  it('answers unknown routes (404) and other methods (405) in its envelope, with or without a token', async () => {
    for (const token of [undefined, null]) {
      const unknown = await send('GET', '/api/record/nothing', { token });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ status: 1, msg: expect.stringMatching(/^接口不存在/) });
      for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
        const res = await h.app.inject({ method, url: '/api/record/follow', headers: token === null ? {} : { authorization: `Bearer ${tenant.adminToken}` } });
        expect(res.statusCode).toBe(405);
        expect(res.headers.allow).toBe('GET, HEAD, POST');
        expect(res.json()).toEqual({ status: 1, msg: expect.stringMatching(/^不支持的请求方法/) });
      }
    }
  });

  it("stays out of the native API's OpenAPI document", async () => {
    const doc = await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(Object.keys(doc.json().paths).filter((path) => path.startsWith('/api/record'))).toEqual([]);
  });
});
