import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src/core/shared/context.ts';
import { makeCustomer, userContext } from '../../helpers/crm.ts';
import { makeTenant, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { CODES, webapi, type WebApi } from './webapi.helpers.ts';

let h: Harness;
let tenant: TestTenant;
let api: WebApi;
let admin: RequestContext;
let otherContactId: string;
let otherCustomerId: string;
let otherAdmin: RequestContext;

const LINK_MAN_KEYS = ['ID', 'CustID', 'Name', 'Sex', 'Position', 'Department', 'Mobile', 'Tel', 'Email', 'WeChat', 'Birthday', 'Address', 'Remark', 'IsMain', 'AddTime', 'UpdateTime', 'Version'];

beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  api = webapi(h.app, tenant.adminToken);
  admin = await userContext(h, tenant.adminToken);
  const other = await makeTenant(h);
  otherAdmin = await userContext(h, other.adminToken);
  otherCustomerId = (await makeCustomer(h, otherAdmin, { name: '别家' })).id;
  otherContactId = (await h.services.contacts.create(otherAdmin, otherCustomerId, { name: '别家联系人' })).id;
});

async function customerWithContacts() {
  const customer = await makeCustomer(h, admin, { name: '联系人客户' });
  const zhang = await h.services.contacts.create(admin, customer.id, { name: '张三', gender: 'male', mobile: '13800000001', position: '经理' });
  const li = await h.services.contacts.create(admin, customer.id, { name: '李四', gender: 'female', isMain: true, birthday: '1990-05-06' });
  return { customer, zhang, li };
}

describe('LinkMan/GetList and LinkMan/GetLinkManList', () => {
  it("list a customer's contacts, main first: LinkMan (short) and CustomerLinkMan (full), JSON and XML", async () => {
    const { customer, zhang, li } = await customerWithContacts();
    const short = await api.both('LinkMan/GetList', { custId: customer.id });
    expect(short).toEqual([
      { ID: Number(li.id), CustID: Number(customer.id), Name: '李四', Sex: 2, Mobile: null, Tel: null, IsMain: true },
      { ID: Number(zhang.id), CustID: Number(customer.id), Name: '张三', Sex: 1, Mobile: '13800000001', Tel: null, IsMain: false },
    ]);
    const full = await api.both('LinkMan/GetLinkManList', { cust_id: customer.id });
    expect(full.map((m: { ID: number }) => m.ID)).toEqual([Number(li.id), Number(zhang.id)]);
    expect(Object.keys(full[0])).toEqual(LINK_MAN_KEYS);
    expect(full[0]).toMatchObject({ Birthday: '1990-05-06', IsMain: true });
    const xml = await api.call('LinkMan/GetList', { custId: customer.id }, { format: 'xml' });
    expect(xml.xml!.children.map((c) => c.name)).toEqual(['LinkMan', 'LinkMan']);
    const xmlFull = await api.call('LinkMan/GetLinkManList', { cust_id: customer.id }, { format: 'xml' });
    expect(xmlFull.xml!.children.map((c) => c.name)).toEqual(['CustomerLinkMan', 'CustomerLinkMan']);
  });

  it("refuses missing and wrong-type ids, and another tenant's customer", async () => {
    await api.error('LinkMan/GetList', {}, { status: 400, code: CODES.missing, field: 'custId' });
    await api.error('LinkMan/GetList', { custId: 'a' }, { status: 400, code: CODES.invalid, field: 'custId' });
    await api.error('LinkMan/GetList', { custId: otherCustomerId }, { status: 404, code: CODES.notFound });
    await api.error('LinkMan/GetLinkManList', {}, { status: 400, code: CODES.missing, field: 'cust_id' });
    await api.error('LinkMan/GetLinkManList', { cust_id: '3.0' }, { status: 400, code: CODES.invalid, field: 'cust_id' });
    await api.error('LinkMan/GetLinkManList', { cust_id: otherCustomerId }, { status: 404, code: CODES.notFound });
  });
});

describe('LinkMan/GetLinkMan', () => {
  it('answers the CustomerLinkMan object', async () => {
    const { zhang, customer } = await customerWithContacts();
    const value = await api.both('LinkMan/GetLinkMan', { id: zhang.id });
    expect(value).toMatchObject({ ID: Number(zhang.id), CustID: Number(customer.id), Name: '张三', Sex: 1, Position: '经理', Mobile: '13800000001', IsMain: false, Version: 1 });
    await api.error('LinkMan/GetLinkMan', {}, { status: 400, code: CODES.missing, field: 'id' });
    await api.error('LinkMan/GetLinkMan', { id: 'x' }, { status: 400, code: CODES.invalid, field: 'id' });
    await api.error('LinkMan/GetLinkMan', { id: otherContactId }, { status: 404, code: CODES.notFound });
  });
});

describe('LinkMan/InsertLinkMan and LinkMan/SaveLinkMan', () => {
  it('inserts from `man` (tran ignored), then updates it answering a count', async () => {
    const customer = await makeCustomer(h, admin, { name: '新联系人客户' });
    const man = JSON.stringify({ CustID: Number(customer.id), Name: '王五', Sex: 1, Mobile: '13912345678', Email: 'w@x.cn', Birthday: '1985-01-02 00:00:00', IsMain: 1 });
    expect(await api.value('LinkMan/InsertLinkMan', { tran: 'x', man }, 'POST')).toBe(true);
    const [created] = await api.value('LinkMan/GetLinkManList', { cust_id: customer.id });
    expect(created).toMatchObject({ Name: '王五', Sex: 1, Mobile: '13912345678', Email: 'w@x.cn', Birthday: '1985-01-02', IsMain: true });

    const xml = await api.call('LinkMan/InsertLinkMan', { man: JSON.stringify({ CustID: Number(customer.id), Name: '赵六' }) }, { method: 'POST', format: 'xml' });
    expect(xml.xml!.text).toBe('true');

    expect(await api.value('LinkMan/SaveLinkMan', { tran: '', man: JSON.stringify({ ...created, Name: '王五五', Email: null, Remark: '改过' }) })).toBe(1);
    expect(await api.value('LinkMan/GetLinkMan', { id: created.ID })).toMatchObject({ Name: '王五五', Email: null, Remark: '改过', Version: 2 });
    const saved = await api.call('LinkMan/SaveLinkMan', { man: JSON.stringify({ ID: created.ID, Position: '总监' }) }, { format: 'xml' });
    expect(saved.xml!.text).toBe('1');
  });

  it('names what is wrong in `man`, and refuses another tenant', async () => {
    const customer = await makeCustomer(h, admin, { name: '错误联系人客户' });
    const cust = Number(customer.id);
    await api.error('LinkMan/InsertLinkMan', {}, { status: 400, code: CODES.missing, field: 'man' });
    await api.error('LinkMan/InsertLinkMan', { man: 'not json' }, { status: 400, code: CODES.invalid, field: 'man' });
    await api.error('LinkMan/InsertLinkMan', { man: JSON.stringify({ Name: '甲' }) }, { status: 400, code: CODES.missing, field: 'man.CustID' });
    await api.error('LinkMan/InsertLinkMan', { man: JSON.stringify({ CustID: cust }) }, { status: 400, code: CODES.missing, field: 'man.Name' });
    await api.error('LinkMan/InsertLinkMan', { man: JSON.stringify({ CustID: cust, Name: '甲', Sex: 5 }) }, { status: 400, code: CODES.invalid, field: 'man.Sex' });
    await api.error('LinkMan/InsertLinkMan', { man: JSON.stringify({ CustID: cust, Name: '甲', Mobile: 'abc' }) }, { status: 400, code: CODES.invalid, field: 'man.Mobile' });
    await api.error('LinkMan/InsertLinkMan', { man: JSON.stringify({ CustID: cust, Name: '甲', Birthday: '1990-13-01' }) }, { status: 400, code: CODES.invalid, field: 'man.Birthday' });
    await api.error('LinkMan/InsertLinkMan', { man: JSON.stringify({ CustID: cust, Name: '甲', Age: 3 }) }, { status: 400, code: CODES.invalid, field: 'man.Age' });
    await api.error('LinkMan/InsertLinkMan', { man: JSON.stringify({ CustID: Number(otherCustomerId), Name: '甲' }) }, { status: 404, code: CODES.notFound });
    expect(await api.value('LinkMan/GetList', { custId: cust })).toEqual([]);
    await api.error('LinkMan/SaveLinkMan', { man: JSON.stringify({ Name: '甲' }) }, { status: 400, code: CODES.missing, field: 'man.ID' });
    await api.error('LinkMan/SaveLinkMan', { man: JSON.stringify({ ID: 'one' }) }, { status: 400, code: CODES.invalid, field: 'man.ID' });
    await api.error('LinkMan/SaveLinkMan', { man: JSON.stringify({ ID: Number(otherContactId), Name: '抢' }) }, { status: 404, code: CODES.notFound });
  });
});

describe('LinkMan/DeleteLinkMan and LinkMan/CancelMainMan', () => {
  it('cancel the main flag (1, then 0) and delete (1)', async () => {
    const { customer, zhang, li } = await customerWithContacts();
    expect(await api.value('LinkMan/CancelMainMan', { id: li.id })).toBe(1);
    expect(await api.value('LinkMan/GetLinkMan', { id: li.id })).toMatchObject({ IsMain: false });
    const again = await api.call('LinkMan/CancelMainMan', { id: li.id }, { method: 'POST', format: 'xml' });
    expect(again.xml!.text).toBe('0');

    expect(await api.value('LinkMan/DeleteLinkMan', { id: zhang.id }, 'POST')).toBe(1);
    expect((await api.value('LinkMan/GetList', { custId: customer.id })).map((m: { ID: number }) => m.ID)).toEqual([Number(li.id)]);
    await api.error('LinkMan/DeleteLinkMan', { id: zhang.id }, { status: 404, code: CODES.notFound });
    const xml = await api.call('LinkMan/DeleteLinkMan', { id: li.id }, { format: 'xml' });
    expect(xml.xml!.text).toBe('1');
  });

  it("refuses missing and wrong-type ids and another tenant's contact", async () => {
    for (const action of ['LinkMan/DeleteLinkMan', 'LinkMan/CancelMainMan']) {
      await api.error(action, {}, { status: 400, code: CODES.missing, field: 'id' });
      await api.error(action, { id: '1;2' }, { status: 400, code: CODES.invalid, field: 'id' });
      await api.error(action, { id: otherContactId }, { status: 404, code: CODES.notFound });
    }
    expect((await h.services.contacts.get(otherAdmin, otherContactId)).deleted_at).toBeNull();
  });
});
