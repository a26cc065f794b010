import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { userContext } from '../../helpers/crm.ts';
import type { RequestContext } from '../../../src/core/shared/context.ts';
import { SEED_IDS } from './fixtures.ts';
import { shapeDiff } from './seed-samples.ts';

/** Every refusal in the seed's envelope, int64 ids kept exact, and tenants and data scopes apart. */
describe('openapi-v1 errors, int64 ids and isolation', () => {
  let h: Harness;
  let tenant: TestTenant;
  let other: TestTenant;
  let ctx: RequestContext;
  let customer: string;
  let otherCustomer: string;
  let opportunity: string;
  let foreignOpportunity: string;
  /** Two follow-ups whose ids, above 2^53, round to the same double. */
  let twins: [string, string];
  let otherTenantsRecord: string;

  const send = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: string, headers: Record<string, string> = {}) =>
    h.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tenant.adminToken}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(payload !== undefined ? { payload } : {}),
    });
  const expectError = (res: { statusCode: number; json: () => any }, status: number, field: string) => {
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body).toEqual({ code: status, message: expect.any(String), data: null });
    expect(body.message).toContain(field);
    return body.message as string;
  };
  const create = (body: Record<string, unknown> | string) => send('POST', '/openapi/v1/followupRecord', typeof body === 'string' ? body : JSON.stringify(body));

  beforeAll(async () => {
    h = await setupHarness();
    await sql`ALTER TABLE follow_up ALTER COLUMN id RESTART WITH ${sql.raw(SEED_IDS.followUp)}`.execute(h.database.db);
    tenant = await makeTenant(h);
    other = await makeTenant(h);
    ctx = await userContext(h, tenant.adminToken);
    const otherCtx = await userContext(h, other.adminToken);
    customer = (await h.services.customers.create(ctx, { name: '甲公司' })).id;
    otherCustomer = (await h.services.customers.create(ctx, { name: '乙公司' })).id;
    opportunity = (await h.services.opportunities.create(ctx, { customerId: customer, name: '甲的商机' })).id;
    foreignOpportunity = (await h.services.opportunities.create(ctx, { customerId: otherCustomer, name: '乙的商机' })).id;
    const first = await h.services.followUps.create(ctx, { customerId: customer, content: '第一条' });
    const second = await h.services.followUps.create(ctx, { customerId: customer, content: '第二条' });
    twins = [first.id, second.id];
    const theirs = await h.services.customers.create(otherCtx, { name: '别家的客户' });
    otherTenantsRecord = (await h.services.followUps.create(otherCtx, { customerId: theirs.id, content: '别家的记录' })).id;
  });

  it('compares shapes for real (self-check of the helper)', () => {
    expect(shapeDiff({ a: 1, b: { c: [] } }, { a: 'x', b: { c: [1], d: 0 } })).toEqual(['a: expected string, got number (1)', 'b.d: missing']);
    expect(shapeDiff({ a: [{ b: 1 }] }, { a: [{ b: 1, c: '' }] })).toEqual(['a[].c: missing']);
  });

  it('refuses a missing, malformed or unknown token with 401 in the envelope', async () => {
    for (const headers of [{ authorization: '' }, { authorization: 'Bearer nope' }, { authorization: `Token ${tenant.adminToken}` }]) {
      expectError(await send('GET', '/openapi/v1/followupRecord/recordTypes', undefined, headers), 401, 'Authorization');
    }
  });

  it('answers unknown paths under /openapi/v1 with 404 in the envelope', async () => {
    expectError(await send('GET', '/openapi/v1/nothing'), 404, '/openapi/v1/nothing');
    expectError(await send('GET', '/openapi/v1/nothing', undefined, { authorization: '' }), 404, '/openapi/v1/nothing');
    expectError(await send('POST', '/openapi/v1/followupRecord/recordTypes', '{}'), 404, 'recordTypes');
  });

  it('keeps int64 ids exact: adjacent ids above 2^53 stay two records, a rounded id is nobody', async () => {
    const [a, b] = twins;
    expect(BigInt(a) > 2n ** 53n).toBe(true);
    expect(Number(a)).toBe(Number(b)); // the doubles collide: only exact parsing tells them apart
    for (const id of [a, b]) {
      const res = await send('GET', `/openapi/v1/followupRecord/${id}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(`"_id":${id},`);
      expect(res.json().data.id).toBe(id);
    }
    const rounded = String(Number(a)); // what a tool that parses into a double sends back
    expect(rounded).not.toBe(a);
    expectError(await send('GET', `/openapi/v1/followupRecord/${rounded}`), 404, 'record_id');
    const refused = expectError(await send('DELETE', '/openapi/v1/followupRecord', `{"ids":[${rounded}]}`), 404, 'ids');
    expect(refused).toContain(rounded);
    // The exact number deletes exactly that record; its twin stays.
    expect((await send('DELETE', '/openapi/v1/followupRecord', `{"ids":[${b}]}`)).statusCode).toBe(200);
    expect((await send('GET', `/openapi/v1/followupRecord/${a}`)).statusCode).toBe(200);
    expect((await send('GET', `/openapi/v1/followupRecord/${b}`)).statusCode).toBe(404);
    twins = [a, (await h.services.followUps.create(ctx, { customerId: customer, content: '补一条' })).id];
  });

  it('takes ids as numbers or strings in create and delete', async () => {
    const asString = await create({ cle_id: customer, opty_id: opportunity, record_type: '1', record_content: '字符串 ID' });
    expect(asString.statusCode).toBe(200);
    const asNumber = await create(`{"cle_id": ${customer}, "opty_id": ${opportunity}, "record_type": 2, "record_content": "数字 ID"}`);
    expect(asNumber.statusCode).toBe(200);
    const ids = [asString.json().data.id, asNumber.json().data.id];
    expect(asString.body).toBe(`{"code":200,"message":"ok","data":{"id":"${ids[0]}","_id":${ids[0]}}}`);
    const res = await send('DELETE', '/openapi/v1/followupRecord', `{"ids":["${ids[0]}", ${ids[1]}, "${ids[1]}"]}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ code: 200, message: 'ok', data: [] });
  });

  it('refuses bad create bodies naming the field, writing nothing', async () => {
    const before = await h.database.db.selectFrom('follow_up').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const cases: [Record<string, unknown> | string, number, string][] = [
      ['{"cle_id": ', 400, 'body'],
      ['[1, 2]', 400, 'body'],
      [{ record_type: 1, record_content: 'x' }, 400, 'cle_id'],
      [{ cle_id: 'abc', record_type: 1, record_content: 'x' }, 400, 'cle_id'],
      [{ cle_id: 1.5, record_type: 1, record_content: 'x' }, 400, 'cle_id'],
      [{ cle_id: -3, record_type: 1, record_content: 'x' }, 400, 'cle_id'],
      [{ cle_id: '99999999999999999999', record_type: 1, record_content: 'x' }, 400, 'cle_id'],
      [{ cle_id: '999999', record_type: 1, record_content: 'x' }, 404, 'cle_id'],
      [{ cle_id: customer, opty_id: 'x', record_type: 1, record_content: 'x' }, 400, 'opty_id'],
      [{ cle_id: customer, opty_id: '999999', record_type: 1, record_content: 'x' }, 400, 'opty_id'],
      [{ cle_id: customer, opty_id: foreignOpportunity, record_type: 1, record_content: 'x' }, 400, 'opty_id'],
      [{ cle_id: customer, record_content: 'x' }, 400, 'record_type'],
      [{ cle_id: customer, record_type: 999, record_content: 'x' }, 400, 'record_type'],
      [{ cle_id: customer, record_type: 'phone', record_content: 'x' }, 400, 'record_type'],
      [{ cle_id: customer, record_type: 1 }, 400, 'record_content'],
      [{ cle_id: customer, record_type: 1, record_content: '   ' }, 400, 'record_content'],
      [{ cle_id: customer, record_type: 1, record_content: 42 }, 400, 'record_content'],
      [{ cle_id: customer, record_type: 1, record_content: 'x'.repeat(100_001) }, 400, 'record_content'],
      ['[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1234567890123456789]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]', 400, 'body'],
    ];
    for (const [body, status, field] of cases) expectError(await create(body), status, field);
    expectError(await send('POST', '/openapi/v1/followupRecord', 'cle_id=1', { 'content-type': 'text/plain' }), 400, 'Content-Type');
    expectError(await send('POST', '/openapi/v1/followupRecord', '', {}), 400, 'body');
    const after = await h.database.db.selectFrom('follow_up').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('refuses bad detail ids, and answers missing ones and other tenants\' ones alike', async () => {
    expectError(await send('GET', '/openapi/v1/followupRecord/abc'), 400, 'record_id');
    const missing = expectError(await send('GET', '/openapi/v1/followupRecord/999999'), 404, 'record_id');
    const foreign = expectError(await send('GET', `/openapi/v1/followupRecord/${otherTenantsRecord}`), 404, 'record_id');
    expect(foreign.replace(otherTenantsRecord, 'N')).toBe(missing.replace('999999', 'N'));
  });

  it('deletes all or nothing, listing every missing or invisible id', async () => {
    const [a] = twins;
    expectError(await send('DELETE', '/openapi/v1/followupRecord', '{}'), 400, 'ids');
    expectError(await send('DELETE', '/openapi/v1/followupRecord', '{"ids": []}'), 400, 'ids');
    expectError(await send('DELETE', '/openapi/v1/followupRecord', '{"ids": ["x"]}'), 400, 'ids[0]');
    expectError(await send('DELETE', '/openapi/v1/followupRecord', JSON.stringify({ ids: Array.from({ length: 101 }, (_, i) => i + 1) })), 400, 'ids');
    const message = expectError(await send('DELETE', '/openapi/v1/followupRecord', `{"ids": [${a}, 999999, "${otherTenantsRecord}"]}`), 404, 'ids');
    expect(message).toContain('999999');
    expect(message).toContain(otherTenantsRecord);
    expect(message).not.toContain(a);
    expect((await send('GET', `/openapi/v1/followupRecord/${a}`)).statusCode).toBe(200);
    expect((await client(h.app, other.adminToken).get(`/openapi/v1/followupRecord/${otherTenantsRecord}`)).status).toBe(200);
  });

  it('keeps tenants apart: lists, and customers of another tenant answer like missing ones', async () => {
    const theirs = await client(h.app, other.adminToken).get('/openapi/v1/followupRecord/followupRecords?page_size=100');
    expect(theirs.body.data.rows.map((r: { id: string }) => r.id)).toEqual([otherTenantsRecord]);
    const ours = await send('GET', '/openapi/v1/followupRecord/followupRecords?page_size=100');
    expect(ours.json().data.rows.map((r: { id: string }) => r.id)).not.toContain(otherTenantsRecord);
    const foreign = expectError(await client(h.app, other.adminToken).post('/openapi/v1/followupRecord', { cle_id: customer, record_type: 1, record_content: 'x' }).then((r) => ({ statusCode: r.status, json: () => r.body })), 404, 'cle_id');
    const missing = expectError(await create({ cle_id: '999999', record_type: 1, record_content: 'x' }), 404, 'cle_id');
    expect(foreign.replace(customer, 'N')).toBe(missing.replace('999999', 'N'));
  });

  it('applies the caller\'s data scope: a salesperson sees and deletes only what their role shows', async () => {
    const sales = await makeUser(h, tenant, { role: 'sales' });
    const salesCtx = await userContext(h, sales.token);
    const own = await h.services.customers.create(salesCtx, { name: '自己的客户' });
    const mine = await h.services.followUps.create(salesCtx, { customerId: own.id, content: '自己的记录' });
    const api = client(h.app, sales.token);
    const list = await api.get('/openapi/v1/followupRecord/followupRecords?page_size=100');
    expect(list.body.data.rows.map((r: { id: string }) => r.id)).toEqual([mine.id]);
    expect(list.body.data.total).toBe(1);
    expect((await api.get(`/openapi/v1/followupRecord/${twins[0]}`)).status).toBe(404);
    const refused = await api.delete(`/openapi/v1/followupRecord`);
    expect(refused.status).toBe(400);
    const res = await h.app.inject({ method: 'DELETE', url: '/openapi/v1/followupRecord', headers: { authorization: `Bearer ${sales.token}`, 'content-type': 'application/json' }, payload: `{"ids":[${twins[0]}]}` });
    expect(res.statusCode).toBe(404);
    expect((await api.post('/openapi/v1/followupRecord', { cle_id: customer, record_type: 1, record_content: 'x' })).status).toBe(404);
  });
});
