import { beforeAll, describe, expect, it } from 'vitest';
import { makeTenant, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { CODES, webapi, type WebApi } from './webapi.helpers.ts';

let h: Harness;
let tenant: TestTenant;
let api: WebApi;

beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  api = webapi(h.app, tenant.adminToken);
});

describe('BaseType/GetBaseType', () => {
  it("lists a dictionary's top-level items by code, JSON and XML", async () => {
    const value = await api.both('BaseType/GetBaseType', { par_id: 'contact_purpose' });
    expect(value).toHaveLength(7);
    expect(value[0]).toEqual({ ID: 1, Name: '销售联系', ParID: 'contact_purpose', Sort: 10, IsDefault: true, Color: null });
    expect(value.map((i: { ID: number }) => i.ID)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('lists the children of an item with <dictionary>:<code>', async () => {
    const value = await api.both('BaseType/GetBaseType', { par_id: 'customer_type:4' });
    expect(value.map((i: { ID: number; Name: string }) => [i.ID, i.Name])).toEqual([
      [5, '代理商'],
      [6, '经销商'],
    ]);
  });

  it('refuses a missing, unknown or malformed par_id', async () => {
    await api.error('BaseType/GetBaseType', {}, { status: 400, code: CODES.missing, field: 'par_id' });
    await api.error('BaseType/GetBaseType', { par_id: 'nope' }, { status: 404, code: CODES.notFound, field: 'par_id' });
    await api.error('BaseType/GetBaseType', { par_id: 'customer_type:x' }, { status: 400, code: CODES.invalid, field: 'par_id' });
    await api.error('BaseType/GetBaseType', { par_id: 'customer_type:99' }, { status: 404, code: CODES.notFound, field: 'par_id' });
  });

  it("answers each tenant's own items", async () => {
    await h.services.dictionaries.createItem(tenant.ctx, 'contact_route', { name: '视频会议' });
    const other = await makeTenant(h);
    const mine = await api.value('BaseType/GetBaseType', { par_id: 'contact_route' });
    const theirs = await webapi(h.app, other.adminToken).value('BaseType/GetBaseType', { par_id: 'contact_route' });
    expect(mine.map((i: { Name: string }) => i.Name)).toContain('视频会议');
    expect(theirs.map((i: { Name: string }) => i.Name)).not.toContain('视频会议');
  });
});

describe('CustomerType/GetTypeList', () => {
  it('lists top-level types for parent_id 0 and the children of a type by its code', async () => {
    const top = await api.both('CustomerType/GetTypeList', { parent_id: 0 });
    expect(top.map((t: { ID: number; ParentID: number }) => [t.ID, t.ParentID])).toEqual([
      [1, 0],
      [4, 0],
      [7, 0],
    ]);
    expect(top[0]).toEqual({ ID: 1, Name: '直接客户', ParentID: 0, Sort: 10, IsDefault: true });
    const children = await api.both('CustomerType/GetTypeList', { parent_id: 1 });
    expect(children.map((t: { Name: string }) => t.Name)).toEqual(['重点客户', '普通客户']);
    expect(await api.value('CustomerType/GetTypeList', { parent_id: 7 })).toEqual([]);
  });

  it('refuses a missing, non-integer, negative or unknown parent_id', async () => {
    await api.error('CustomerType/GetTypeList', {}, { status: 400, code: CODES.missing, field: 'parent_id' });
    await api.error('CustomerType/GetTypeList', { parent_id: '1.5' }, { status: 400, code: CODES.invalid, field: 'parent_id' });
    await api.error('CustomerType/GetTypeList', { parent_id: '99999999999' }, { status: 400, code: CODES.invalid, field: 'parent_id' });
    await api.error('CustomerType/GetTypeList', { parent_id: -1 }, { status: 400, code: CODES.invalid, field: 'parent_id' });
    await api.error('CustomerType/GetTypeList', { parent_id: 55 }, { status: 404, code: CODES.notFound, field: 'parent_id' });
  });
});

describe('CustomerSign', () => {
  it('GetClientSignDefault answers the code of the default customer kind', async () => {
    expect(await api.both('CustomerSign/GetClientSignDefault')).toBe(1);
    const kinds = await h.services.dictionaries.listItems(tenant.ctx, 'customer_kind');
    await h.services.dictionaries.updateItem(tenant.ctx, 'customer_kind', kinds.find((k) => k.code === 2)!.id, { isDefault: true });
    expect(await api.value('CustomerSign/GetClientSignDefault', {}, 'POST')).toBe(2);
    const other = await makeTenant(h);
    expect(await webapi(h.app, other.adminToken).value('CustomerSign/GetClientSignDefault')).toBe(1);
  });

  it('GetCustTypeBdefault lists the customer kinds (CRM_Cust_T_CustKind)', async () => {
    const value = await api.both('CustomerSign/GetCustTypeBdefault');
    expect(value.map((k: { ID: number; CustKindName: string }) => [k.ID, k.CustKindName])).toEqual([
      [1, '企业客户'],
      [2, '个人客户'],
    ]);
    expect(Object.keys(value[0])).toEqual(['ID', 'CustKindName', 'IsDefault', 'Sort']);
    const xml = await api.call('CustomerSign/GetCustTypeBdefault', {}, { format: 'xml' });
    expect(xml.xml!.children.map((c) => c.name)).toEqual(['CRM_Cust_T_CustKind', 'CRM_Cust_T_CustKind']);
  });
});
