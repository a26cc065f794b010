import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

type Api = ReturnType<typeof client>;

let h: Harness;
let tenant: TestTenant;
let admin: Api;
/** Dictionary item ids by dictionary, then by code. */
const items: Record<string, Record<number, string>> = {};

async function dictionary(api: Api, name: string) {
  const res = await api.get(`/api/v1/dictionaries/${name}/items`);
  expect(res.status).toBe(200);
  return Object.fromEntries((res.body.items as { code: number; id: string }[]).map((i) => [i.code, i.id]));
}

async function makeCustomer(api: Api, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api.post('/api/v1/customers', { name, ...extra });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function makeOpportunity(api: Api, customerId: string, extra: Record<string, unknown> = {}) {
  const res = await api.post('/api/v1/opportunities', { name: '商机', customerId, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function opportunityCount(customerId: string): Promise<number> {
  const res = await admin.get(`/api/v1/customers/${customerId}`);
  expect(res.status).toBe(200);
  return res.body.opportunityCount;
}

beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  admin = client(h.app, tenant.adminToken);
  for (const name of ['opportunity_type', 'opportunity_stage', 'customer_source', 'lose_reason']) items[name] = await dictionary(admin, name);
});

describe('opportunities', () => {
  it('creates, reads, lists and changes an opportunity with every field', async () => {
    const customerId = await makeCustomer(admin, '华信科技有限公司');
    const created = await admin.post('/api/v1/opportunities', {
      name: '年度采购',
      customerId,
      typeId: items.opportunity_type![1],
      sourceId: items.customer_source![2],
      stageId: items.opportunity_stage![1],
      amount: '128000.5',
      expectedCloseDate: '2026-06-30',
    });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.headers.location).toBe(`/api/v1/opportunities/${created.body.id}`);
    expect(created.body).toMatchObject({
      name: '年度采购',
      customerId,
      customerName: '华信科技有限公司',
      typeId: items.opportunity_type![1],
      sourceId: items.customer_source![2],
      stageId: items.opportunity_stage![1],
      amount: '128000.50',
      expectedCloseDate: '2026-06-30',
      ownerId: tenant.adminId,
      status: 'open',
      loseReasonId: null,
      loseRemark: null,
      lastContactAt: null,
      lastContactUserId: null,
      customFields: {},
      createdBy: tenant.adminId,
      version: 1,
    });

    const read = await admin.get(`/api/v1/opportunities/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const changed = await admin.patch(`/api/v1/opportunities/${created.body.id}`, { stageId: items.opportunity_stage![3], amount: null, expectedCloseDate: null });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ stageId: items.opportunity_stage![3], amount: null, expectedCloseDate: null, version: 2 });
    expect(changed.headers.etag).toBe('"2"');

    const nested = await admin.get(`/api/v1/customers/${customerId}/opportunities`);
    expect(nested.status).toBe(200);
    expect(nested.body.items.map((o: { id: string }) => o.id)).toEqual([created.body.id]);

    const viaCustomer = await admin.post(`/api/v1/customers/${customerId}/opportunities`, { name: '续约' });
    expect(viaCustomer.status).toBe(201);
    expect(viaCustomer.body.customerId).toBe(customerId);
  });

  it('keeps amounts exact: numeric in the database, decimal strings on the wire', async () => {
    const customerId = await makeCustomer(admin, '精度测试');
    const big = await makeOpportunity(admin, customerId, { amount: '12345678901234.56' });
    expect(big.amount).toBe('12345678901234.56');
    expect((await admin.get(`/api/v1/opportunities/${big.id}`)).body.amount).toBe('12345678901234.56');
    const stored = await h.database.db.selectFrom('opportunity').select('amount').where('id', '=', big.id).executeTakeFirstOrThrow();
    expect(stored.amount).toBe('12345678901234.56');
    expect((await makeOpportunity(admin, customerId, { amount: '0' })).amount).toBe('0.00');
    expect((await makeOpportunity(admin, customerId, { amount: '9999999999999999.99' })).amount).toBe('9999999999999999.99');

    for (const amount of ['-1', '1.234', '12345678901234567', '1e5', '', ' 12', 12.5]) {
      const res = await admin.post('/api/v1/opportunities', { name: '坏金额', customerId, amount });
      expect(res.status, String(amount)).toBe(422);
      expect(res.body.errors[0].field).toBe('amount');
    }
  });

  it('refuses impossible close dates and items of the wrong dictionary, naming the field', async () => {
    const customerId = await makeCustomer(admin, '校验测试');
    const date = await admin.post('/api/v1/opportunities', { name: 'x', customerId, expectedCloseDate: '2026-02-30' });
    expect(date.status).toBe(422);
    expect(date.body.errors[0].field).toBe('expectedCloseDate');
    const wrongDictionary = await admin.post('/api/v1/opportunities', { name: 'x', customerId, typeId: items.opportunity_stage![1] });
    expect(wrongDictionary.status).toBe(422);
    expect(wrongDictionary.body.errors[0].field).toBe('typeId');
    const owner = await admin.post('/api/v1/opportunities', { name: 'x', customerId, ownerId: '900000000' });
    expect(owner.status).toBe(422);
    expect(owner.body.errors[0].field).toBe('ownerId');
    const readOnly = await admin.post('/api/v1/opportunities', { name: 'x', customerId, lastContactAt: '2026-01-01T00:00:00Z' });
    expect(readOnly.status).toBe(422);
    expect(readOnly.body.errors[0].field).toBe('lastContactAt');
    const missingCustomer = await admin.post('/api/v1/opportunities', { name: 'x', customerId: '900000000' });
    expect(missingCustomer.status).toBe(404);
    expect(await h.database.db.selectFrom('opportunity').select('id').where('name', '=', 'x').execute()).toEqual([]);
  });

  it('keeps the customer\'s opportunity count on create, move and delete', async () => {
    const first = await makeCustomer(admin, '计数一');
    const second = await makeCustomer(admin, '计数二');
    const a = await makeOpportunity(admin, first);
    const b = await makeOpportunity(admin, first);
    expect(await opportunityCount(first)).toBe(2);
    expect(await opportunityCount(second)).toBe(0);

    const moved = await admin.patch(`/api/v1/opportunities/${b.id}`, { customerId: second });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ customerId: second, customerName: '计数二' });
    expect(await opportunityCount(first)).toBe(1);
    expect(await opportunityCount(second)).toBe(1);

    expect((await admin.delete(`/api/v1/opportunities/${a.id}`)).status).toBe(204);
    expect(await opportunityCount(first)).toBe(0);
    expect((await admin.get(`/api/v1/opportunities/${a.id}`)).status).toBe(404);
    expect((await admin.delete(`/api/v1/opportunities/${a.id}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/customers/${first}/opportunities`)).body.items).toEqual([]);
    // Soft delete: the row stays for the follow-ups that point at it.
    const row = await h.database.db.selectFrom('opportunity').select('deleted_at').where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();

    const failedMove = await admin.patch(`/api/v1/opportunities/${b.id}`, { customerId: first, amount: '-5' });
    expect(failedMove.status).toBe(422);
    expect(await opportunityCount(first)).toBe(0);
    expect(await opportunityCount(second)).toBe(1);
  });

  it('shows the latest follow-up as last contact, and stays with the customer of its follow-ups', async () => {
    const customerId = await makeCustomer(admin, '跟进商机');
    const other = await makeCustomer(admin, '跟进商机二');
    const o = await makeOpportunity(admin, customerId);
    await h.services.followUps.create(tenant.ctx, { customerId, opportunityId: o.id, userId: tenant.adminId, content: '谈价格', followedAt: new Date('2030-03-01T02:00:00Z') });
    const read = await admin.get(`/api/v1/opportunities/${o.id}`);
    expect(new Date(read.body.lastContactAt).toISOString()).toBe('2030-03-01T02:00:00.000Z');
    expect(read.body.lastContactUserId).toBe(tenant.adminId);

    const move = await admin.patch(`/api/v1/opportunities/${o.id}`, { customerId: other });
    expect(move.status).toBe(409);
    expect(move.body).toMatchObject({ code: 'opportunity_has_follow_ups', errors: [{ field: 'customerId' }] });
    expect(await opportunityCount(customerId)).toBe(1);
    expect(await opportunityCount(other)).toBe(0);
  });

  it('takes a lose reason and remark only when lost, and clears them on reopening', async () => {
    const customerId = await makeCustomer(admin, '输单测试');
    const o = await makeOpportunity(admin, customerId);
    const early = await admin.patch(`/api/v1/opportunities/${o.id}`, { loseReasonId: items.lose_reason![1] });
    expect(early.status).toBe(422);
    expect(early.body.errors[0].field).toBe('loseReasonId');

    const lost = await admin.patch(`/api/v1/opportunities/${o.id}`, { status: 'lost', loseReasonId: items.lose_reason![2], loseRemark: '客户选择了竞品' });
    expect(lost.status).toBe(200);
    expect(lost.body).toMatchObject({ status: 'lost', loseReasonId: items.lose_reason![2], loseRemark: '客户选择了竞品' });
    const wrongReason = await admin.patch(`/api/v1/opportunities/${o.id}`, { loseReasonId: items.opportunity_type![1] });
    expect(wrongReason.status).toBe(422);

    const reopened = await admin.patch(`/api/v1/opportunities/${o.id}`, { status: 'open' });
    expect(reopened.body).toMatchObject({ status: 'open', loseReasonId: null, loseRemark: null });
    const won = await admin.patch(`/api/v1/opportunities/${o.id}`, { status: 'won' });
    expect(won.body.status).toBe('won');
  });

  it('refuses a stale If-Match with 412 and writes nothing', async () => {
    const o = await makeOpportunity(admin, await makeCustomer(admin, 'ETag 测试'));
    const ok = await admin.patch(`/api/v1/opportunities/${o.id}`, { name: '改名一' }, { 'if-match': '"1"' });
    expect(ok.status).toBe(200);
    const stale = await admin.patch(`/api/v1/opportunities/${o.id}`, { name: '改名二' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('stale_version');
    expect((await admin.get(`/api/v1/opportunities/${o.id}`)).body.name).toBe('改名一');
    expect((await admin.delete(`/api/v1/opportunities/${o.id}`, { 'if-match': '"1"' })).status).toBe(412);
  });

  it('lists with filters and a keyset cursor that visits every row once', async () => {
    const customerId = await makeCustomer(admin, '分页测试');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await makeOpportunity(admin, customerId, { name: `分页 ${i}`, stageId: items.opportunity_stage![i % 2 ? 2 : 1] })).id);
    await admin.patch(`/api/v1/opportunities/${ids[0]}`, { status: 'won' });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: any } = await admin.get(`/api/v1/customers/${customerId}/opportunities?limit=2&withTotal=true${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(5);
      seen.push(...res.body.items.map((o: { id: string }) => o.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    // Newest change first: the one just marked won, then the rest newest first.
    expect(seen).toEqual([ids[0], ids[4], ids[3], ids[2], ids[1]]);

    const byStage = await admin.get(`/api/v1/opportunities?customerId=${customerId}&stageId=${items.opportunity_stage![2]}`);
    expect(byStage.body.items.map((o: { id: string }) => o.id).sort()).toEqual([ids[1], ids[3]].sort());
    const won = await admin.get(`/api/v1/opportunities?customerId=${customerId}&status=won`);
    expect(won.body.items.map((o: { id: string }) => o.id)).toEqual([ids[0]]);
    const byOwner = await admin.get(`/api/v1/opportunities?ownerId=${tenant.adminId}&customerId=${customerId}&withTotal=true`);
    expect(byOwner.body.total).toBe(5);
    const badCursor = await admin.get('/api/v1/opportunities?cursor=nonsense');
    expect(badCursor.status).toBe(422);
  });

  it('validates custom fields of the opportunity module and names their options on read', async () => {
    const field = await h.services.customFields.create(tenant.ctx, 'opportunity', { kind: 'select', label: '意向程度', options: [{ id: '1', name: '高' }, { id: '2', name: '低' }] });
    const customerId = await makeCustomer(admin, '自定义字段');
    const o = await makeOpportunity(admin, customerId, { customFields: { [field.key]: '1' } });
    expect(o.customFields).toEqual({ [field.key]: '1' });
    expect(o.customFieldNames).toEqual({ [field.key]: '高' });
    const bad = await admin.post('/api/v1/opportunities', { name: 'x', customerId, customFields: { [field.key]: '9' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe(`customFields.${field.key}`);
  });
});

describe('opportunity visibility', () => {
  it("follows the customer's data scope: others' opportunities are 404 and absent from lists", async () => {
    const alice = await makeUser(h, tenant, { role: 'sales' });
    const bob = await makeUser(h, tenant, { role: 'sales' });
    const asAlice = client(h.app, alice.token);
    const asBob = client(h.app, bob.token);
    const customerId = await makeCustomer(asAlice, '爱丽丝的客户');
    const o = await makeOpportunity(asAlice, customerId);
    expect(o.ownerId).toBe(alice.user.id);

    expect((await asBob.get(`/api/v1/opportunities/${o.id}`)).status).toBe(404);
    expect((await asBob.patch(`/api/v1/opportunities/${o.id}`, { name: 'mine' })).status).toBe(404);
    expect((await asBob.delete(`/api/v1/opportunities/${o.id}`)).status).toBe(404);
    expect((await asBob.get(`/api/v1/customers/${customerId}/opportunities`)).status).toBe(404);
    expect((await asBob.post('/api/v1/opportunities', { name: 'x', customerId })).status).toBe(404);
    const bobs = await asBob.get('/api/v1/opportunities?withTotal=true');
    expect(bobs.body).toMatchObject({ items: [], total: 0 });

    // Moving an opportunity to a customer the caller cannot see is refused the same way.
    const bobsCustomer = await makeCustomer(asBob, '鲍勃的客户');
    expect((await asAlice.patch(`/api/v1/opportunities/${o.id}`, { customerId: bobsCustomer })).status).toBe(404);
    expect((await asAlice.get('/api/v1/opportunities')).body.items.map((x: { id: string }) => x.id)).toEqual([o.id]);
  });

  it("answers 404 for another tenant's ids and refuses its dictionary items", async () => {
    const other = await makeTenant(h);
    const asOther = client(h.app, other.adminToken);
    const customerId = await makeCustomer(admin, '本租户客户');
    const o = await makeOpportunity(admin, customerId);
    expect((await asOther.get(`/api/v1/opportunities/${o.id}`)).status).toBe(404);
    expect((await asOther.patch(`/api/v1/opportunities/${o.id}`, { name: 'x' })).status).toBe(404);
    expect((await asOther.post('/api/v1/opportunities', { name: 'x', customerId })).status).toBe(404);
    expect((await asOther.get(`/api/v1/customers/${customerId}/opportunities`)).status).toBe(404);
    expect((await asOther.get('/api/v1/opportunities')).body.items).toEqual([]);

    const theirCustomer = await makeCustomer(asOther, '他租户客户');
    const foreignItem = await asOther.post('/api/v1/opportunities', { name: 'x', customerId: theirCustomer, stageId: items.opportunity_stage![1] });
    expect(foreignItem.status).toBe(422);
    expect(foreignItem.body.errors[0].field).toBe('stageId');
    expect((await admin.patch(`/api/v1/opportunities/${o.id}`, { customerId: theirCustomer })).status).toBe(404);
  });
});
