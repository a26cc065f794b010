import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src/core/shared/context.ts';
import { makeCustomer, userContext } from '../../helpers/crm.ts';
import { makeTenant, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { CODES, webapi, type WebApi } from './webapi.helpers.ts';

let h: Harness;
let tenant: TestTenant;
let api: WebApi;
let admin: RequestContext;
let otherAdmin: RequestContext;
let otherCustomerId: string;

beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  api = webapi(h.app, tenant.adminToken);
  admin = await userContext(h, tenant.adminToken);
  const other = await makeTenant(h);
  otherAdmin = await userContext(h, other.adminToken);
  otherCustomerId = (await makeCustomer(h, otherAdmin, { name: '别家' })).id;
});

async function contract(ctx: RequestContext, customerId: string, extra: { kind?: 'contract' | 'sample_gift'; amount?: string; signedOn?: string } = {}) {
  return h.services.contracts.create(ctx, { customerId, title: '年度服务合同', amount: extra.amount ?? '1200.50', kind: extra.kind, signedOn: extra.signedOn });
}

describe('Contract/ContractAudit, ContractUnAudit and StopContract', () => {
  it("audits (the customer's last deal follows), un-audits, and stops; JSON and XML", async () => {
    const customer = await makeCustomer(h, admin, { name: '签约客户' });
    const k = await contract(admin, customer.id, { amount: '88000.00', signedOn: '2030-01-05' });
    expect(await api.value('Contract/ContractAudit', { id: k.id }, 'POST')).toBe(true);
    expect((await h.services.contracts.get(admin, k.id)).status).toBe('audited');
    expect(await api.value('Customer/Get', { id: customer.id })).toMatchObject({ LastDealAmount: '88000.00', LastDealTime: '2030-01-05 00:00:00' });

    expect(await api.refused('Contract/ContractAudit', { id: k.id }, false)).toContain('audited');
    const unaudit = await api.call('Contract/ContractUnAudit', { id: k.id }, { format: 'xml' });
    expect(unaudit.xml!.text).toBe('true');
    expect((await h.services.contracts.get(admin, k.id)).status).toBe('draft');
    expect(await api.value('Customer/Get', { id: customer.id })).toMatchObject({ LastDealAmount: null, LastDealTime: null });

    await api.refused('Contract/StopContract', { id: k.id }, -1);
    const audit = await api.call('Contract/ContractAudit', { id: k.id }, { method: 'POST', format: 'xml' });
    expect(audit.xml!.text).toBe('true');
    expect(await api.value('Contract/StopContract', { id: k.id })).toBe(1);
    expect((await h.services.contracts.get(admin, k.id)).status).toBe('stopped');
    await api.refused('Contract/ContractUnAudit', { id: k.id }, false);
    await api.refused('Contract/StopContract', { id: k.id }, -1);

    const k2 = await contract(admin, customer.id);
    await api.value('Contract/ContractAudit', { id: k2.id });
    const stop = await api.call('Contract/StopContract', { id: k2.id }, { format: 'xml' });
    expect(stop.xml!.text).toBe('1');
  });

  it("refuses missing and wrong-type ids, sample-gift orders, and another tenant's contracts", async () => {
    const customer = await makeCustomer(h, admin, { name: '错误合同客户' });
    const order = await contract(admin, customer.id, { kind: 'sample_gift' });
    const theirs = await contract(otherAdmin, otherCustomerId);
    for (const action of ['Contract/ContractAudit', 'Contract/ContractUnAudit', 'Contract/StopContract']) {
      await api.error(action, {}, { status: 400, code: CODES.missing, field: 'id' });
      await api.error(action, { id: 'HT-1' }, { status: 400, code: CODES.invalid, field: 'id' });
      await api.error(action, { id: order.id }, { status: 404, code: CODES.notFound });
      await api.error(action, { id: theirs.id }, { status: 404, code: CODES.notFound });
    }
    expect((await h.services.contracts.get(otherAdmin, theirs.id)).status).toBe('draft');
    expect((await h.services.contracts.get(admin, order.id)).status).toBe('draft');
  });
});

describe('Contract/SampleGiftAuditById and SampleGiftUnAuditById', () => {
  it('audit and un-audit a sample-gift order by its number, answering the rows changed', async () => {
    const customer = await makeCustomer(h, admin, { name: '样品客户' });
    const order = await contract(admin, customer.id, { kind: 'sample_gift', amount: '0' });
    expect(order.number).toMatch(/^YP-/);
    expect(await api.value('Contract/SampleGiftAuditById', { orderID: order.number })).toBe(1);
    expect((await h.services.contracts.get(admin, order.id)).status).toBe('audited');
    // Sample gifts are not deals.
    expect((await api.value('Customer/Get', { id: customer.id })).LastDealTime).toBeNull();
    await api.refused('Contract/SampleGiftAuditById', { orderID: order.number }, 0);
    expect(await api.value('Contract/SampleGiftUnAuditById', { orderID: order.number }, 'POST')).toBe(1);
    expect((await h.services.contracts.get(admin, order.id)).status).toBe('draft');

    const audit = await api.call('Contract/SampleGiftAuditById', { orderID: order.number }, { format: 'xml' });
    expect(audit.xml!.text).toBe('1');
    const unaudit = await api.call('Contract/SampleGiftUnAuditById', { orderID: order.number }, { method: 'POST', format: 'xml' });
    expect(unaudit.xml!.text).toBe('1');
  });

  it("refuses a missing orderID, a contract's number, an unknown one and another tenant's order", async () => {
    const customer = await makeCustomer(h, admin, { name: '样品错误客户' });
    const k = await contract(admin, customer.id);
    const theirs = await contract(otherAdmin, otherCustomerId, { kind: 'sample_gift' });
    for (const action of ['Contract/SampleGiftAuditById', 'Contract/SampleGiftUnAuditById']) {
      await api.error(action, {}, { status: 400, code: CODES.missing, field: 'orderID' });
      await api.error(action, { orderID: '   ' }, { status: 400, code: CODES.missing, field: 'orderID' });
      await api.error(action, { orderID: k.number }, { status: 404, code: CODES.notFound });
      await api.error(action, { orderID: 'YP-19990101-1' }, { status: 404, code: CODES.notFound });
      await api.error(action, { orderID: theirs.number }, { status: 404, code: CODES.notFound });
    }
    expect((await h.services.contracts.get(otherAdmin, theirs.id)).status).toBe('draft');
  });
});
