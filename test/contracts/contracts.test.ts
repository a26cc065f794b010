import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

type Api = ReturnType<typeof client>;

let h: Harness;
let tenant: TestTenant;
let admin: Api;

async function makeCustomer(api: Api, name: string): Promise<string> {
  const res = await api.post('/api/v1/customers', { name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function makeContract(api: Api, customerId: string, extra: Record<string, unknown> = {}) {
  const res = await api.post('/api/v1/contracts', { customerId, title: '年度采购合同', amount: '12800.50', ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function lastDeal(customerId: string) {
  const row = await h.database.db
    .selectFrom('customer')
    .select(['last_deal_at', 'last_deal_amount'])
    .where('id', '=', customerId)
    .executeTakeFirstOrThrow();
  return { at: row.last_deal_at?.toISOString() ?? null, amount: row.last_deal_amount };
}

beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  admin = client(h.app, tenant.adminToken);
});

describe('contracts', () => {
  it('creates a draft with a generated number and reads it back', async () => {
    const customerId = await makeCustomer(admin, '合同客户甲');
    const created = await makeContract(admin, customerId, { signedOn: '2026-03-01', startsOn: '2026-03-01', endsOn: '2027-02-28', note: '首单' });
    expect(created).toMatchObject({
      customerId,
      customerName: '合同客户甲',
      kind: 'contract',
      title: '年度采购合同',
      amount: '12800.50',
      signedOn: '2026-03-01',
      startsOn: '2026-03-01',
      endsOn: '2027-02-28',
      ownerId: tenant.adminId,
      status: 'draft',
      dealAt: null,
      auditedAt: null,
      note: '首单',
      version: 1,
    });
    expect(created.number).toMatch(new RegExp(`^HT-\\d{8}-${created.id}$`));
    const read = await admin.get(`/api/v1/contracts/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.body).toEqual(created);
    const order = await makeContract(admin, customerId, { kind: 'sample_gift', amount: '0' });
    expect(order.number).toMatch(/^YP-\d{8}-\d+$/);
    expect(order.amount).toBe('0.00');
  });

  it('keeps a given number unique in the tenant', async () => {
    const customerId = await makeCustomer(admin, '编号客户');
    await makeContract(admin, customerId, { number: 'HT-2026-001' });
    const again = await admin.post('/api/v1/contracts', { customerId, title: '重复', amount: '1', number: 'HT-2026-001' });
    expect(again.status).toBe(409);
    // Another tenant may use the same number.
    const other = await makeTenant(h);
    const otherApi = client(h.app, other.adminToken);
    await makeContract(otherApi, await makeCustomer(otherApi, '别家客户'), { number: 'HT-2026-001' });
  });

  it('audits, refuses a double audit, un-audits and audits again', async () => {
    const customerId = await makeCustomer(admin, '审核客户');
    const contract = await makeContract(admin, customerId);
    const audited = await admin.post(`/api/v1/contracts/${contract.id}/audit`);
    expect(audited.status, JSON.stringify(audited.body)).toBe(200);
    expect(audited.body).toMatchObject({ status: 'audited', auditedBy: tenant.adminId, version: 2 });
    expect(audited.body.auditedAt).not.toBeNull();
    const twice = await admin.post(`/api/v1/contracts/${contract.id}/audit`);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('contract_already_audited');
    const unaudited = await admin.post(`/api/v1/contracts/${contract.id}/unaudit`);
    expect(unaudited.status).toBe(200);
    expect(unaudited.body).toMatchObject({ status: 'draft', auditedAt: null, auditedBy: null, dealAt: null });
    const draftUnaudit = await admin.post(`/api/v1/contracts/${contract.id}/unaudit`);
    expect(draftUnaudit.status).toBe(409);
    expect(draftUnaudit.body.code).toBe('contract_not_audited');
    expect((await admin.post(`/api/v1/contracts/${contract.id}/audit`)).status).toBe(200);
  });

  it('stops only an audited contract, and a stopped one neither un-audits nor audits', async () => {
    const customerId = await makeCustomer(admin, '终止客户');
    const contract = await makeContract(admin, customerId);
    const draftStop = await admin.post(`/api/v1/contracts/${contract.id}/stop`);
    expect(draftStop.status).toBe(409);
    expect(draftStop.body.code).toBe('contract_not_audited');
    await admin.post(`/api/v1/contracts/${contract.id}/audit`);
    const stopped = await admin.post(`/api/v1/contracts/${contract.id}/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ status: 'stopped', stoppedBy: tenant.adminId });
    for (const [action, code] of [['unaudit', 'contract_stopped'], ['audit', 'contract_stopped'], ['stop', 'contract_already_stopped']] as const) {
      const res = await admin.post(`/api/v1/contracts/${contract.id}/${action}`);
      expect(res.status, action).toBe(409);
      expect(res.body.code, action).toBe(code);
    }
    const patch = await admin.patch(`/api/v1/contracts/${contract.id}`, { title: '改名' });
    expect(patch.status).toBe(409);
    expect(patch.body.code).toBe('contract_stopped');
  });

  it("keeps the customer's last deal in step with its audited contracts", async () => {
    const customerId = await makeCustomer(admin, '成交客户');
    expect(await lastDeal(customerId)).toEqual({ at: null, amount: null });
    const older = await makeContract(admin, customerId, { signedOn: '2026-01-10', amount: '5000' });
    const newer = await makeContract(admin, customerId, { signedOn: '2026-02-20', amount: '8000.80' });
    const gift = await makeContract(admin, customerId, { kind: 'sample_gift', signedOn: '2026-03-01', amount: '99' });

    await admin.post(`/api/v1/contracts/${older.id}/audit`);
    // Midnight of the sign date in the tenant's zone (Asia/Shanghai).
    expect(await lastDeal(customerId)).toEqual({ at: '2026-01-09T16:00:00.000Z', amount: '5000.00' });
    await admin.post(`/api/v1/contracts/${newer.id}/audit`);
    expect(await lastDeal(customerId)).toEqual({ at: '2026-02-19T16:00:00.000Z', amount: '8000.80' });
    // A sample-gift order is not a deal.
    await admin.post(`/api/v1/contracts/${gift.id}/audit`);
    expect(await lastDeal(customerId)).toEqual({ at: '2026-02-19T16:00:00.000Z', amount: '8000.80' });
    // Un-auditing the latest falls back to the other.
    await admin.post(`/api/v1/contracts/${newer.id}/unaudit`);
    expect(await lastDeal(customerId)).toEqual({ at: '2026-01-09T16:00:00.000Z', amount: '5000.00' });
    // Stopping the last one leaves no deal.
    await admin.post(`/api/v1/contracts/${older.id}/stop`);
    expect(await lastDeal(customerId)).toEqual({ at: null, amount: null });
    const customer = await admin.get(`/api/v1/customers/${customerId}`);
    expect(customer.body.lastDealAt ?? null).toBeNull();
  });

  it('uses the audit time as the deal time when there is no sign date', async () => {
    const customerId = await makeCustomer(admin, '无签订日期客户');
    const contract = await makeContract(admin, customerId, { amount: '300' });
    const audited = await admin.post(`/api/v1/contracts/${contract.id}/audit`);
    const deal = await lastDeal(customerId);
    expect(deal.amount).toBe('300.00');
    expect(deal.at).toBe(new Date(audited.body.auditedAt).toISOString());
  });

  it('changes and deletes drafts only', async () => {
    const customerId = await makeCustomer(admin, '修改客户');
    const contract = await makeContract(admin, customerId);
    const changed = await admin.patch(`/api/v1/contracts/${contract.id}`, { amount: '100.1', title: '改后标题' }, { 'if-match': '"1"' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ amount: '100.10', title: '改后标题', version: 2 });
    const stale = await admin.patch(`/api/v1/contracts/${contract.id}`, { title: 'x' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    await admin.post(`/api/v1/contracts/${contract.id}/audit`);
    const auditedPatch = await admin.patch(`/api/v1/contracts/${contract.id}`, { title: 'y' });
    expect(auditedPatch.status).toBe(409);
    expect(auditedPatch.body.code).toBe('contract_not_draft');
    const auditedDelete = await admin.delete(`/api/v1/contracts/${contract.id}`);
    expect(auditedDelete.status).toBe(409);
    await admin.post(`/api/v1/contracts/${contract.id}/unaudit`);
    expect((await admin.delete(`/api/v1/contracts/${contract.id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/contracts/${contract.id}`)).status).toBe(404);
  });

  it('refuses bad input, naming the field, and writes nothing', async () => {
    const customerId = await makeCustomer(admin, '校验客户');
    const before = await h.database.db.selectFrom('contract').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const cases: [Record<string, unknown>, string][] = [
      [{ customerId, title: 't', amount: 12.5 }, 'amount'],
      [{ customerId, title: 't', amount: '1.234' }, 'amount'],
      [{ customerId, title: 't', amount: '-1' }, 'amount'],
      [{ customerId, title: '', amount: '1' }, 'title'],
      [{ customerId, amount: '1' }, 'title'],
      [{ customerId, title: 't', amount: '1', signedOn: '2026-02-30' }, 'signedOn'],
      [{ customerId, title: 't', amount: '1', startsOn: '2026-05-01', endsOn: '2026-04-30' }, 'endsOn'],
      [{ customerId, title: 't', amount: '1', kind: 'lease' }, 'kind'],
      [{ customerId, title: 't', amount: '1', ownerId: '999999999' }, 'ownerId'],
      [{ customerId: 'abc', title: 't', amount: '1' }, 'customerId'],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post('/api/v1/contracts', body);
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(body)).toBeLessThan(500);
      expect(JSON.stringify(res.body.errors ?? res.body.detail), JSON.stringify(body)).toContain(field);
    }
    const missing = await admin.post('/api/v1/contracts', { customerId: '999999999', title: 't', amount: '1' });
    expect(missing.status).toBe(404);
    const after = await h.database.db.selectFrom('contract').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("answers another tenant's contracts and customers as missing", async () => {
    const other = await makeTenant(h);
    const otherApi = client(h.app, other.adminToken);
    const theirCustomer = await makeCustomer(otherApi, '别人的客户');
    const theirs = await makeContract(otherApi, theirCustomer);
    for (const res of [
      await admin.get(`/api/v1/contracts/${theirs.id}`),
      await admin.patch(`/api/v1/contracts/${theirs.id}`, { title: 'x' }),
      await admin.delete(`/api/v1/contracts/${theirs.id}`),
      await admin.post(`/api/v1/contracts/${theirs.id}/audit`),
      await admin.post(`/api/v1/contracts/${theirs.id}/unaudit`),
      await admin.post(`/api/v1/contracts/${theirs.id}/stop`),
      await admin.post('/api/v1/contracts', { customerId: theirCustomer, title: 't', amount: '1' }),
    ]) {
      expect(res.status).toBe(404);
    }
    const list = await admin.get('/api/v1/contracts?limit=500');
    expect(list.body.items.map((k: { id: string }) => k.id)).not.toContain(theirs.id);
    expect((await otherApi.get(`/api/v1/contracts/${theirs.id}`)).body.status).toBe('draft');
  });

  it("follows the customer's visibility: a salesperson sees contracts of their own customers only", async () => {
    const { token } = await makeUser(h, tenant);
    const sales = client(h.app, token);
    const mine = await makeCustomer(sales, '我的客户');
    const myContract = await makeContract(sales, mine);
    const adminCustomer = await makeCustomer(admin, '管理员的客户');
    const hidden = await makeContract(admin, adminCustomer);
    expect((await sales.get(`/api/v1/contracts/${hidden.id}`)).status).toBe(404);
    expect((await sales.post(`/api/v1/contracts/${hidden.id}/audit`)).status).toBe(404);
    const list = await sales.get('/api/v1/contracts');
    expect(list.body.items.map((k: { id: string }) => k.id)).toEqual([myContract.id]);
  });

  it('lists with filters and a cursor', async () => {
    const customerId = await makeCustomer(admin, '列表客户');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await makeContract(admin, customerId, { title: `列表合同${i}` })).id);
    await admin.post(`/api/v1/contracts/${ids[1]}/audit`);
    const first = await admin.get(`/api/v1/contracts?customerId=${customerId}&limit=2&withTotal=true`);
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(5);
    expect(first.body.items.map((k: { id: string }) => k.id)).toEqual([ids[4], ids[3]]);
    const second = await admin.get(`/api/v1/contracts?customerId=${customerId}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((k: { id: string }) => k.id)).toEqual([ids[2], ids[1]]);
    const audited = await admin.get(`/api/v1/contracts?customerId=${customerId}&status=audited`);
    expect(audited.body.items.map((k: { id: string }) => k.id)).toEqual([ids[1]]);
    const search = await admin.get(`/api/v1/contracts?q=${encodeURIComponent('列表合同3')}`);
    expect(search.body.items.map((k: { id: string }) => k.id)).toEqual([ids[3]]);
    expect((await admin.get('/api/v1/contracts?status=void')).status).toBe(422);
    expect((await admin.get('/api/v1/contracts?cursor=nonsense')).status).toBeLessThan(500);
  });

  it('records audit-log entries for each change', async () => {
    const customerId = await makeCustomer(admin, '日志客户');
    const contract = await makeContract(admin, customerId);
    await admin.post(`/api/v1/contracts/${contract.id}/audit`);
    const entries = await h.database.db.selectFrom('audit_log').select(['action', 'changes']).where('entity', '=', 'contract').where('entity_id', '=', contract.id).orderBy('id').execute();
    expect(entries.map((e) => e.action)).toEqual(['create', 'update']);
    expect(entries[1]!.changes).toMatchObject({ status: { before: 'draft', after: 'audited' } });
  });
});

describe('contracts service', () => {
  it('finds orders by number and keeps kinds apart', async () => {
    // A system context (no user) needs an owner when the customer has none.
    const customer = await h.services.customers.create(tenant.ctx, { name: '订单客户' });
    await expect(h.services.contracts.create(tenant.ctx, { customerId: customer.id, title: '样品', amount: '0' })).rejects.toMatchObject({ kind: 'invalid' });
    const order = await h.services.contracts.create(tenant.ctx, { customerId: customer.id, kind: 'sample_gift', title: '样品', amount: '0', number: 'YP-0001', ownerId: tenant.adminId });
    const found = await h.services.contracts.getByNumber(tenant.ctx, 'YP-0001', 'sample_gift');
    expect(found.id).toBe(order.id);
    await expect(h.services.contracts.getByNumber(tenant.ctx, 'YP-0001', 'contract')).rejects.toMatchObject({ kind: 'not_found' });
    await expect(h.services.contracts.audit(tenant.ctx, order.id, { kind: 'contract' })).rejects.toMatchObject({ kind: 'not_found' });
    const audited = await h.services.contracts.audit(tenant.ctx, order.id, { kind: 'sample_gift' });
    expect(audited.status).toBe('audited');
  });
});
