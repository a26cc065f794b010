import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src/core/shared/context.ts';
import { makeCustomer, userContext } from '../../helpers/crm.ts';
import { makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { CODES, webapi, type WebApi } from './webapi.helpers.ts';

let h: Harness;
let tenant: TestTenant;
let other: TestTenant;
let api: WebApi;
let otherCustomerId: string;
/** The admin as the API sees them (tenant.ctx is a system context without a user). */
let admin: RequestContext;

beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  other = await makeTenant(h);
  api = webapi(h.app, tenant.adminToken);
  admin = await userContext(h, tenant.adminToken);
  otherCustomerId = (await makeCustomer(h, other.ctx, { name: '别家客户', phones: ['13900000000'] })).id;
});

const CUSTOMER_KEYS = [
  'ID', 'Name', 'CustKind', 'CustKindName', 'TypeID', 'TypeName', 'SourceID', 'SourceName', 'GradeID', 'GradeName',
  'LifeCycleID', 'LifeCycleName', 'Category', 'Tel', 'Phones', 'Email', 'Address', 'RegionCode', 'RegionName', 'Remark',
  'OwnerID', 'DepartmentID', 'ServiceOwnerID', 'IsPublic', 'IsLocked', 'IsWon', 'IsLead', 'IdentityID', 'IsCollected',
  'LastContactTime', 'LastContactSummary', 'NextContactTime', 'LastDealTime', 'LastDealAmount', 'AddUserID', 'AddTime',
  'UpdateTime', 'Version',
];

const newestId = async () => (await api.value('Customer/GetAllList', { pageIndex: 1, pageSize: 1 }))[0].ID as number;

describe('Customer/Get', () => {
  it('answers the Customer object, JSON and XML', async () => {
    const c = await makeCustomer(h, admin, { name: '华信科技', phones: ['010-6000 1234', '13800001111'], email: 'a@b.cn', note: '重点' });
    const value = await api.both('Customer/Get', { id: c.id });
    expect(Object.keys(value)).toEqual(CUSTOMER_KEYS);
    expect(value).toMatchObject({
      ID: Number(c.id),
      Name: '华信科技',
      CustKind: 0,
      TypeID: 0,
      Tel: '010-6000 1234',
      Phones: '01060001234,13800001111',
      Email: 'a@b.cn',
      Remark: '重点',
      OwnerID: Number(tenant.adminId),
      IsPublic: false,
      IsCollected: false,
      IdentityID: 0,
      LastContactTime: null,
      LastDealAmount: null,
      Version: 1,
    });
    expect(value.AddTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('refuses a missing, non-integer or out-of-range id, and answers 1004 for none, 0 and another tenant', async () => {
    await api.error('Customer/Get', {}, { status: 400, code: CODES.missing, field: 'id' });
    await api.error('Customer/Get', { id: 'abc' }, { status: 400, code: CODES.invalid, field: 'id' });
    await api.error('Customer/Get', { id: '2147483648' }, { status: 400, code: CODES.invalid, field: 'id' });
    await api.error('Customer/Get', { id: 0 }, { status: 404, code: CODES.notFound });
    await api.error('Customer/Get', { id: 2147483647 }, { status: 404, code: CODES.notFound });
    await api.error('Customer/Get', { id: otherCustomerId }, { status: 404, code: CODES.notFound });
  });
});

describe('Customer/GetAllList', () => {
  it('pages by pageIndex (from 1) and pageSize (default 10), newest id first, JSON and XML', async () => {
    const fresh = await makeTenant(h);
    const freshApi = webapi(h.app, fresh.adminToken);
    const ids: number[] = [];
    for (let i = 0; i < 23; i++) ids.push(Number((await makeCustomer(h, fresh.ctx, { name: `分页客户${i}` })).id));
    const newestFirst = [...ids].sort((a, b) => b - a);
    const page1 = await freshApi.both('Customer/GetAllList', { pageIndex: 1 });
    expect(page1.map((c: { ID: number }) => c.ID)).toEqual(newestFirst.slice(0, 10));
    expect(Object.keys(page1[0])).toEqual(CUSTOMER_KEYS);
    const page3 = await freshApi.value('Customer/GetAllList', { pageIndex: 3, pageSize: 10 }, 'POST');
    expect(page3.map((c: { ID: number }) => c.ID)).toEqual(newestFirst.slice(20));
    const big = await freshApi.value('Customer/GetAllList', { pageIndex: 1, pageSize: 100 });
    expect(big).toHaveLength(23);
    expect(await freshApi.value('Customer/GetAllList', { pageIndex: 5000, pageSize: 10 })).toEqual([]);
    const xml = await freshApi.call('Customer/GetAllList', { pageIndex: 1, pageSize: 2 }, { format: 'xml' });
    expect(xml.xml!.children.map((c) => c.name)).toEqual(['Customer', 'Customer']);
  });

  it("stays within the caller's data scope", async () => {
    const sales = await makeUser(h, tenant);
    const salesCtx = await h.services.auth.authenticate(sales.token, { api: 'native', requestId: null, clock: h.clock });
    const mine = await makeCustomer(h, salesCtx, { name: '销售自己的客户' });
    const list = await webapi(h.app, sales.token).value('Customer/GetAllList', { pageIndex: 1, pageSize: 100 });
    expect(list.map((c: { ID: number }) => c.ID)).toEqual([Number(mine.id)]);
  });

  it('refuses missing, wrong-type and out-of-range paging parameters', async () => {
    await api.error('Customer/GetAllList', {}, { status: 400, code: CODES.missing, field: 'pageIndex' });
    await api.error('Customer/GetAllList', { pageIndex: 'first' }, { status: 400, code: CODES.invalid, field: 'pageIndex' });
    await api.error('Customer/GetAllList', { pageIndex: 0 }, { status: 400, code: CODES.invalid, field: 'pageIndex' });
    await api.error('Customer/GetAllList', { pageIndex: 1, pageSize: 101 }, { status: 400, code: CODES.invalid, field: 'pageSize' });
    await api.error('Customer/GetAllList', { pageIndex: 1, pageSize: 0 }, { status: 400, code: CODES.invalid, field: 'pageSize' });
    await api.error('Customer/GetAllList', { pageIndex: 1, pageSize: '10.0' }, { status: 400, code: CODES.invalid, field: 'pageSize' });
  });
});

describe('Customer/Save and Customer/Update', () => {
  it('Save creates from a json string, then updates by ID; Update changes through `customer`', async () => {
    const json = JSON.stringify({ Name: '新建客户', CustKind: 2, TypeID: 2, SourceID: 3, Tel: '021-55556666', Phones: '13700000000', Email: 'x@y.cn', Remark: '来自官网', IsLocked: 1 });
    expect(await api.value('Customer/Save', { json }, 'POST')).toBe(true);
    const id = await newestId();
    const created = await api.value('Customer/Get', { id });
    expect(created).toMatchObject({ Name: '新建客户', CustKind: 2, CustKindName: '个人客户', TypeID: 2, TypeName: '重点客户', SourceID: 3, Tel: '021-55556666', Phones: '02155556666,13700000000', Email: 'x@y.cn', Remark: '来自官网', IsLocked: true });

    // What Get answered can be sent back: read-only properties are accepted and ignored.
    expect(await api.value('Customer/Save', { json: JSON.stringify({ ...created, Name: '改名客户', Email: null, TypeID: 0 }) })).toBe(true);
    expect(await api.value('Customer/Get', { id })).toMatchObject({ Name: '改名客户', Email: null, TypeID: 0, CustKind: 2, Version: 2 });

    const res = await api.call('Customer/Update', { tran: 'ignored', customer: JSON.stringify({ id, remark: '小写属性名也可以', tel: '13611112222' }) }, { method: 'POST', format: 'xml' });
    expect(res.status).toBe(200);
    expect(res.xml!.text).toBe('true');
    expect(await api.value('Customer/Get', { id })).toMatchObject({ Remark: '小写属性名也可以', Tel: '13611112222', Phones: '13611112222,13700000000' });
  });

  it('names the parameter or property that is wrong', async () => {
    await api.error('Customer/Save', {}, { status: 400, code: CODES.missing, field: 'json' });
    await api.error('Customer/Save', { json: '{"Name":' }, { status: 400, code: CODES.invalid, field: 'json' });
    await api.error('Customer/Save', { json: '[1]' }, { status: 400, code: CODES.invalid, field: 'json' });
    await api.error('Customer/Save', { json: '{"Nmae":"x"}' }, { status: 400, code: CODES.invalid, field: 'json.Nmae' });
    await api.error('Customer/Save', { json: '{"Email":"x@y.cn"}' }, { status: 400, code: CODES.missing, field: 'json.Name' });
    await api.error('Customer/Save', { json: '{"Name":"甲","TypeID":"two"}' }, { status: 400, code: CODES.invalid, field: 'json.TypeID' });
    await api.error('Customer/Save', { json: '{"Name":"甲","TypeID":99}' }, { status: 400, code: CODES.invalid, field: 'json.TypeID' });
    await api.error('Customer/Save', { json: '{"Name":"甲","Tel":"010-1234","Phones":"12"}' }, { status: 400, code: CODES.invalid, field: 'json.Phones' });
    await api.error('Customer/Save', { json: '{"Name":"甲","IsLocked":"yes"}' }, { status: 400, code: CODES.invalid, field: 'json.IsLocked' });
    await api.error('Customer/Save', { json: `{"ID":${otherCustomerId},"Name":"抢"}` }, { status: 404, code: CODES.notFound });
    await api.error('Customer/Update', { customer: '{"Name":"甲"}' }, { status: 400, code: CODES.missing, field: 'customer.ID' });
    await api.error('Customer/Update', {}, { status: 400, code: CODES.missing, field: 'customer' });
    await api.error('Customer/Update', { customer: `{"ID":${otherCustomerId},"Name":"抢"}` }, { status: 404, code: CODES.notFound });
    expect((await h.services.customers.get(other.ctx, otherCustomerId)).name).toBe('别家客户');
  });
});

describe('Customer/NameIsRepeat and Customer/TelIsRepeat', () => {
  it("answers whether another customer of the tenant has the name or phone, leaving out `id`", async () => {
    const c = await makeCustomer(h, admin, { name: 'Repeat 公司', phones: ['0755-8888 7777'] });
    expect(await api.both('Customer/NameIsRepeat', { sName: 'repeat 公司', id: 0 })).toBe(true);
    expect(await api.value('Customer/NameIsRepeat', { sName: 'Repeat 公司', id: c.id })).toBe(false);
    expect(await api.value('Customer/NameIsRepeat', { sName: '别家客户', id: 0 })).toBe(false);
    expect(await api.both('Customer/TelIsRepeat', { tel: '075588887777', id: 0 })).toBe(true);
    expect(await api.value('Customer/TelIsRepeat', { tel: '0755-88887777', id: c.id }, 'POST')).toBe(false);
    expect(await api.value('Customer/TelIsRepeat', { tel: '13900000000', id: 0 })).toBe(false);
  });

  it('refuses missing and wrong-type parameters', async () => {
    await api.error('Customer/NameIsRepeat', { id: 0 }, { status: 400, code: CODES.missing, field: 'sName' });
    await api.error('Customer/NameIsRepeat', { sName: 'x' }, { status: 400, code: CODES.missing, field: 'id' });
    await api.error('Customer/NameIsRepeat', { sName: 'x', id: 'one' }, { status: 400, code: CODES.invalid, field: 'id' });
    await api.error('Customer/TelIsRepeat', { id: 0 }, { status: 400, code: CODES.missing, field: 'tel' });
    await api.error('Customer/TelIsRepeat', { tel: '12', id: 0 }, { status: 400, code: CODES.invalid, field: 'tel' });
    await api.error('Customer/TelIsRepeat', { tel: '13800000000', id: '1e3' }, { status: 400, code: CODES.invalid, field: 'id' });
  });
});

describe('Customer/CancelShare', () => {
  it('takes customers back from everyone they were shared with, all ids checked first', async () => {
    const colleague = await makeUser(h, tenant);
    const colleagueApi = webapi(h.app, colleague.token);
    const a = await makeCustomer(h, admin, { name: '共享甲' });
    const b = await makeCustomer(h, admin, { name: '共享乙' });
    for (const c of [a, b]) await h.services.shares.share(tenant.ctx, c.id, [colleague.user.id]);
    expect((await colleagueApi.value('Customer/Get', { id: a.id })).Name).toBe('共享甲');

    await api.error('Customer/CancelShare', { strIds: `${a.id},${otherCustomerId}` }, { status: 404, code: CODES.notFound });
    expect(await h.services.shares.list(tenant.ctx, a.id)).toHaveLength(1);

    expect(await api.value('Customer/CancelShare', { strIds: `${a.id},${b.id}` }, 'POST')).toBe(true);
    await colleagueApi.error('Customer/Get', { id: a.id }, { status: 404, code: CODES.notFound });
    expect(await h.services.shares.list(tenant.ctx, b.id)).toEqual([]);
    const xml = await api.call('Customer/CancelShare', { strIds: String(a.id) }, { format: 'xml' });
    expect(xml.xml!.text).toBe('true');
  });

  it('refuses a missing or malformed strIds', async () => {
    await api.error('Customer/CancelShare', {}, { status: 400, code: CODES.missing, field: 'strIds' });
    await api.error('Customer/CancelShare', { strIds: '1,abc' }, { status: 400, code: CODES.invalid, field: 'strIds' });
    await api.error('Customer/CancelShare', { strIds: '99999999999' }, { status: 400, code: CODES.invalid, field: 'strIds' });
  });
});

describe('Customer/SetCustIdentity and Customer/RemoveCollection', () => {
  it("marks a favourite with a marker code, shows it on the customer, and removes it", async () => {
    const a = await makeCustomer(h, admin, { name: '收藏甲' });
    const b = await makeCustomer(h, admin, { name: '收藏乙' });
    expect(await api.value('Customer/SetCustIdentity', { identityId: 2, custId: a.id })).toBe(true);
    const xml = await api.call('Customer/SetCustIdentity', { identityId: 0, custId: b.id }, { method: 'POST', format: 'xml' });
    expect(xml.xml!.text).toBe('true');
    expect(await api.value('Customer/Get', { id: a.id })).toMatchObject({ IdentityID: 2, IsCollected: true });
    expect(await api.value('Customer/Get', { id: b.id })).toMatchObject({ IdentityID: 0, IsCollected: true });

    expect(await api.value('Customer/RemoveCollection', { userId: tenant.adminId, custIdString: `${a.id},${b.id}` })).toBe(true);
    expect(await api.value('Customer/Get', { id: a.id })).toMatchObject({ IdentityID: 0, IsCollected: false });
    const again = await api.call('Customer/RemoveCollection', { userId: tenant.adminId, custIdString: String(a.id) }, { format: 'xml' });
    expect(again.xml!.text).toBe('true');
  });

  it('refuses bad parameters, unknown markers, another user and another tenant', async () => {
    const a = await makeCustomer(h, admin, { name: '收藏丙' });
    await api.error('Customer/SetCustIdentity', { custId: a.id }, { status: 400, code: CODES.missing, field: 'identityId' });
    await api.error('Customer/SetCustIdentity', { identityId: 'x', custId: a.id }, { status: 400, code: CODES.invalid, field: 'identityId' });
    await api.error('Customer/SetCustIdentity', { identityId: 99, custId: a.id }, { status: 400, code: CODES.invalid, field: 'identityId' });
    await api.error('Customer/SetCustIdentity', { identityId: 1 }, { status: 400, code: CODES.missing, field: 'custId' });
    await api.error('Customer/SetCustIdentity', { identityId: 1, custId: otherCustomerId }, { status: 404, code: CODES.notFound });
    await api.error('Customer/RemoveCollection', { custIdString: String(a.id) }, { status: 400, code: CODES.missing, field: 'userId' });
    await api.error('Customer/RemoveCollection', { userId: tenant.adminId }, { status: 400, code: CODES.missing, field: 'custIdString' });
    await api.error('Customer/RemoveCollection', { userId: 'me', custIdString: String(a.id) }, { status: 400, code: CODES.invalid, field: 'userId' });
    await api.error('Customer/RemoveCollection', { userId: other.adminId, custIdString: String(a.id) }, { status: 403, code: CODES.forbidden, field: 'userId' });
    await api.error('Customer/RemoveCollection', { userId: tenant.adminId, custIdString: otherCustomerId }, { status: 404, code: CODES.notFound });
  });
});

describe('Sale/SetPublicCust', () => {
  it('releases customers to the public pool, all or nothing', async () => {
    const a = await makeCustomer(h, admin, { name: '公海甲' });
    const b = await makeCustomer(h, admin, { name: '公海乙' });
    const c = await makeCustomer(h, admin, { name: '公海丙' });
    expect(await api.value('Sale/SetPublicCust', { pkidList: `${a.id},${b.id}` }, 'POST')).toBe(true);
    expect(await api.value('Customer/Get', { id: a.id })).toMatchObject({ IsPublic: true, OwnerID: 0 });
    expect(await api.value('Customer/Get', { id: b.id })).toMatchObject({ IsPublic: true });

    // a is already in the pool: nothing is released, c keeps its owner.
    await api.refused('Sale/SetPublicCust', { pkidList: `${c.id},${a.id}` }, false);
    expect(await api.value('Customer/Get', { id: c.id })).toMatchObject({ IsPublic: false, OwnerID: Number(tenant.adminId) });
    await api.error('Sale/SetPublicCust', { pkidList: `${c.id},${otherCustomerId}` }, { status: 404, code: CODES.notFound });
    expect((await h.services.customers.get(other.ctx, otherCustomerId)).in_pool).toBe(false);

    const xml = await api.call('Sale/SetPublicCust', { pkidList: String(c.id) }, { format: 'xml' });
    expect(xml.xml!.text).toBe('true');
  });

  it("refuses a missing or malformed pkidList, and someone else's customer", async () => {
    await api.error('Sale/SetPublicCust', {}, { status: 400, code: CODES.missing, field: 'pkidList' });
    await api.error('Sale/SetPublicCust', { pkidList: 'x' }, { status: 400, code: CODES.invalid, field: 'pkidList' });
    const sales = await makeUser(h, tenant, { role: 'sales' });
    const c = await makeCustomer(h, admin, { name: '别人的客户' });
    await h.services.shares.share(tenant.ctx, c.id, [sales.user.id]);
    await webapi(h.app, sales.token).error('Sale/SetPublicCust', { pkidList: c.id }, { status: 403, code: CODES.forbidden });
  });
});
