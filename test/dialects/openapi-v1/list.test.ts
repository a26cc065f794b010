import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, fixedClock, makeTenant, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { userContext } from '../../helpers/crm.ts';
import type { RequestContext } from '../../../src/core/shared/context.ts';
import { SEED_IDS } from './fixtures.ts';

/** followupRecords: keyset cursor, total, page, page_size, sort, order and each filter. */
describe('openapi-v1 follow-up record list', () => {
  const clock = fixedClock('2024-03-01T00:00:00Z'); // 08:00 in Asia/Shanghai
  let h: Harness;
  let tenant: TestTenant;
  let api: ReturnType<typeof client>;
  let ctx: RequestContext;
  const customers: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
  /** Every follow-up written, with its creation time, in order of writing. */
  const written: { id: string; customer: string; at: Date; content: string }[] = [];

  const write = async (customer: string, content: string) => {
    const f = await h.services.followUps.create(ctx, { customerId: customer, content });
    written.push({ id: f.id, customer, at: f.created_at, content });
    return f.id;
  };
  const list = async (query: string) => {
    const res = await api.get(`/openapi/v1/followupRecord/followupRecords${query ? `?${query}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data as { cursor: string; total: number; rows: { id: string; cle_id: string; create_time: number; update_time: number; record_content: string }[] };
  };
  const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
  /** Ids newest first, ties by id descending: the default order. */
  const newestFirst = (rows: typeof written) => [...rows].sort((x, y) => y.at.getTime() - x.at.getTime() || (BigInt(y.id) > BigInt(x.id) ? 1 : -1)).map((r) => r.id);

  beforeAll(async () => {
    h = await setupHarness({ clock });
    await sql`ALTER TABLE customer ALTER COLUMN id RESTART WITH ${sql.raw(SEED_IDS.customer)}`.execute(h.database.db);
    tenant = await makeTenant(h);
    api = client(h.app, tenant.adminToken);
    ctx = await userContext(h, tenant.adminToken);
    customers.a = (await h.services.customers.create(tenant.ctx, { name: '星河科技有限公司', phones: ['13800138000'] })).id;
    customers.b = (await h.services.customers.create(tenant.ctx, { name: '银河贸易', phones: ['13900139000'] })).id;
    customers.c = (await h.services.customers.create(tenant.ctx, { name: '星辰传媒', phones: ['010-62345678'] })).id;
    const order = [customers.a, customers.b, customers.c];
    for (let i = 0; i < 24; i++) {
      // Two rows per hour: equal creation times, told apart by id.
      if (i % 2 === 0) clock.advance(3_600_000);
      await write(order[i % 3]!, i % 5 === 0 ? `<p>第${i}次 <b>报价</b>沟通</p>` : `<p>第${i}次拜访</p>`);
    }
  });

  it('answers page_size 10 by default, newest first, with the total and a cursor', async () => {
    const data = await list('');
    expect(data.total).toBe(24);
    expect(ids(data.rows)).toEqual(newestFirst(written).slice(0, 10));
    expect(data.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('treats the empty parameters of the seed URL template as absent', async () => {
    const data = await list('page=&page_size=&cle_name=&record_content_name=&sort=&order=&cle_id=');
    expect(ids(data.rows)).toEqual(newestFirst(written).slice(0, 10));
  });

  it('walks every row exactly once while rows are being written, and ends with cursor ""', async () => {
    for (const order of ['desc', 'asc'] as const) {
      const before = written.map((w) => w.id);
      const seen: string[] = [];
      let cursor = '';
      let pages = 0;
      do {
        const data = await list(`page_size=7&order=${order}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        seen.push(...ids(data.rows));
        cursor = data.cursor;
        clock.advance(1000);
        await write(customers.b, `走查时新增 ${order} ${pages}`);
        pages++;
      } while (cursor !== '' && pages < 50);
      expect(cursor).toBe('');
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of before) expect(seen).toContain(id);
      // Newest first never reaches the rows written during the walk; oldest first reaches them all.
      const during = written.slice(before.length).map((w) => w.id);
      if (order === 'desc') expect(seen.filter((id) => during.includes(id))).toEqual([]);
      else expect(seen.filter((id) => during.includes(id))).toEqual(during.slice(0, -1).concat(seen.includes(during.at(-1)!) ? [during.at(-1)!] : []));
    }
  });

  it('counts the total when a walk begins and carries it in the cursor', async () => {
    const first = await list('page_size=5&cle_name=银河');
    await write(customers.b, '新写入的一条');
    const second = await list(`page_size=5&cle_name=银河&cursor=${first.cursor}`);
    expect(second.total).toBe(first.total);
    expect((await list('page_size=5&cle_name=银河')).total).toBe(first.total + 1);
    // Other filters with the same cursor: counted afresh rather than carried.
    expect((await list(`page_size=5&cle_name=银河&record_content_name=新写入&cursor=${first.cursor}`)).total).toBe(1);
  });

  it('caps page_size at 100 and refuses a page_size that is not a positive integer', async () => {
    expect((await list('page_size=3')).rows).toHaveLength(3);
    for (const bad of ['0', '-1', 'ten', '1.5']) {
      const res = await api.get(`/openapi/v1/followupRecord/followupRecords?page_size=${bad}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 400, data: null, message: expect.stringContaining('page_size') });
    }
  });

  it('honours page (offset) without a cursor, ignores it with one, and refuses pages past row 10000', async () => {
    const all = await list('page_size=100');
    const page2 = await list('page=2&page_size=5');
    expect(ids(page2.rows)).toEqual(ids(all.rows).slice(5, 10));
    const next = await list(`page=2&page_size=5&cursor=${page2.cursor}`);
    expect(ids(next.rows)).toEqual(ids(all.rows).slice(10, 15));
    const res = await api.get('/openapi/v1/followupRecord/followupRecords?page=101&page_size=100');
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('page');
  });

  it('sorts by update_time and by create_time, in either order', async () => {
    const oldest = newestFirst(written).at(-1)!;
    clock.advance(60_000);
    await h.services.followUps.update(ctx, oldest, { content: '<p>改过</p>' });
    written.find((w) => w.id === oldest)!.content = '<p>改过</p>';
    expect((await list('sort=update_time')).rows[0]!.id).toBe(oldest);
    expect((await list('sort=update_time&order=asc')).rows[0]!.id).not.toBe(oldest);
    const asc = await list('sort=create_time&order=asc&page_size=100');
    expect(ids(asc.rows)).toEqual(newestFirst(written).reverse());
    expect((await list('order=DESC')).rows[0]!.id).toBe(newestFirst(written)[0]);
    for (const [param, value] of [['sort', 'name'], ['order', 'up']]) {
      const res = await api.get(`/openapi/v1/followupRecord/followupRecords?${param}=${value}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(param);
    }
  });

  it('refuses a cursor from another sort or one it did not issue', async () => {
    const { cursor } = await list('page_size=2');
    const res = await api.get(`/openapi/v1/followupRecord/followupRecords?sort=update_time&cursor=${cursor}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('cursor');
    for (const bad of ['abc', 'WzE1NDIzNTA0NzgsImNybV9jbGllbnRzIzY0NjkwODY3ODA0NTYxNTcxODUiXQQD']) {
      const garbage = await api.get(`/openapi/v1/followupRecord/followupRecords?cursor=${bad}`);
      expect(garbage.status).toBe(400);
      expect(garbage.body).toMatchObject({ code: 400, data: null, message: expect.stringContaining('cursor') });
    }
  });

  it('filters by cle_name fuzzily (fragment, pinyin initials), through the customer search', async () => {
    const of = (c: string) => written.filter((w) => w.customer === c).map((w) => w.id).sort();
    expect(ids((await list('page_size=100&cle_name=星河')).rows).sort()).toEqual(of(customers.a));
    expect(ids((await list('page_size=100&cle_name=河')).rows).sort()).toEqual([...of(customers.a), ...of(customers.b)].sort());
    expect(ids((await list('page_size=100&cle_name=xhkj')).rows).sort()).toEqual(of(customers.a));
    expect((await list('cle_name=不存在的客户')).rows).toEqual([]);
    expect((await list('cle_name=不存在的客户')).cursor).toBe('');
  });

  it('filters by cle_id fuzzily: the digits the customer id contains', async () => {
    const of = (c: string) => written.filter((w) => w.customer === c).length;
    expect((await list(`cle_id=${customers.a}`)).total).toBe(of(customers.a));
    expect((await list(`cle_id=${customers.a.slice(-6)}`)).total).toBe(of(customers.a));
    expect((await list(`cle_id=${customers.a.slice(2, 12)}`)).total).toBe(written.length);
    const res = await api.get('/openapi/v1/followupRecord/followupRecords?cle_id=abc');
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('cle_id');
  });

  it('filters by cle_phone exactly (digits compared), not by a fragment', async () => {
    const count = written.filter((w) => w.customer === customers.a).length;
    expect((await list('cle_phone=13800138000')).total).toBe(count);
    expect((await list(`cle_phone=${encodeURIComponent('+86 138-0013-8000')}`)).total).toBe(count);
    expect((await list('cle_phone=8000')).total).toBe(0);
    expect((await list('cle_phone=1380013800')).total).toBe(0);
    expect((await list('cle_phone=01062345678')).total).toBe(written.filter((w) => w.customer === customers.c).length);
  });

  it('filters by create_time: created at or after, as 2019-01-01 or 2019/01/01, with or without a time', async () => {
    const since = (at: Date) => written.filter((w) => w.at.getTime() >= at.getTime()).length;
    // Rows were written from 09:00 (Asia/Shanghai) on 2024-03-01, two an hour.
    expect((await list('create_time=2024-03-01')).total).toBe(written.length);
    expect((await list('create_time=2024-03-02')).total).toBe(since(new Date('2024-03-01T16:00:00Z')));
    expect((await list(`create_time=${encodeURIComponent('2024/03/01 12:00')}`)).total).toBe(since(new Date('2024-03-01T04:00:00Z')));
    expect((await list(`create_time=${encodeURIComponent('2024-03-01 12:00:00')}`)).total).toBe(since(new Date('2024-03-01T04:00:00Z')));
    expect((await list('create_time=2024/03/01')).total).toBe(written.length);
    expect((await list(`create_time=${Date.parse('2024-03-01T04:00:00Z') / 1000}`)).total).toBe(since(new Date('2024-03-01T04:00:00Z')));
    for (const bad of ['2024-13-01', 'yesterday', '2024-02-30']) {
      const res = await api.get(`/openapi/v1/followupRecord/followupRecords?create_time=${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('create_time');
    }
  });

  it('filters by record_content_name fuzzily on the plain text, not the HTML', async () => {
    const quoted = written.filter((w) => w.content.includes('报价')).map((w) => w.id).sort();
    expect(quoted.length).toBeGreaterThan(0);
    expect(ids((await list('page_size=100&record_content_name=报价')).rows).sort()).toEqual(quoted);
    expect(ids((await list(`page_size=100&record_content_name=${encodeURIComponent('报价沟通')}`)).rows).sort()).toEqual(quoted);
    expect((await list(`record_content_name=${encodeURIComponent('<b>')}`)).total).toBe(0);
  });

  it('combines filters', async () => {
    const expected = written.filter((w) => w.customer === customers.a && w.content.includes('报价')).length;
    expect((await list('cle_name=星河&record_content_name=报价')).total).toBe(expected);
  });
});

describe('openapi-v1 page_size cap', () => {
  it('answers at most 100 rows however many are asked for', async () => {
    const h = await setupHarness();
    const tenant = await makeTenant(h);
    const customer = await h.services.customers.create(tenant.ctx, { name: '大客户' });
    await sql`INSERT INTO follow_up (tenant_id, customer_id, user_id, followed_at, content, content_text)
      SELECT ${tenant.id}::bigint, ${customer.id}::bigint, ${tenant.adminId}::bigint, now(), 'x', 'x' FROM generate_series(1, 130)`.execute(h.database.db);
    const res = await client(h.app, tenant.adminToken).get('/openapi/v1/followupRecord/followupRecords?page_size=1000');
    expect(res.status).toBe(200);
    expect(res.body.data.rows).toHaveLength(100);
    expect(res.body.data.total).toBe(130);
    expect(res.body.data.cursor).not.toBe('');
  });
});
