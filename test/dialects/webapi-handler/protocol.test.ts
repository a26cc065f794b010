import { beforeAll, describe, expect, it } from 'vitest';
import { HANDLERS } from '../../../src/dialects/webapi-handler/routes/index.ts';
import { makeCustomer, userContext } from '../../helpers/crm.ts';
import { client, makeTenant, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { CODES, pathOf, webapi, type WebApi } from './webapi.helpers.ts';

/**
 * The rules every handler shares: auth, first missing parameter, a wrong-type parameter, paths,
 * methods, bodies, formats and the error shape. One row per handler of seed 004.
 */
const TABLE: Record<string, { missing?: string; wrong?: Record<string, string> }> = {
  'BaseType/GetBaseType': { missing: 'par_id', wrong: { par_id: 'customer_type:x' } },
  'ContactHistory/Get': { missing: 'id', wrong: { id: '1.0' } },
  'ContactHistory/Add': { missing: 'customer_id', wrong: { customer_id: 'c1' } },
  'ContactPlan/SaveContactPlan': { missing: 'plan_id', wrong: { plan_id: 'p' } },
  'ContactPlan/GetContactPlan': { missing: 'id', wrong: { id: '0x10' } },
  'ContactPlan/GetContactPlanCount': {},
  'ContactPlan/InsertContactPlan': { missing: 'plan_id', wrong: { plan_id: '9999999999' } },
  'Contract/SampleGiftAuditById': { missing: 'orderID' },
  'Contract/SampleGiftUnAuditById': { missing: 'orderID' },
  'Contract/ContractAudit': { missing: 'id', wrong: { id: 'abc' } },
  'Contract/ContractUnAudit': { missing: 'id', wrong: { id: '-' } },
  'Contract/StopContract': { missing: 'id', wrong: { id: '1e2' } },
  'Customer/CancelShare': { missing: 'strIds', wrong: { strIds: 'a,b' } },
  'Customer/RemoveCollection': { missing: 'userId', wrong: { userId: 'u' } },
  'Customer/SetCustIdentity': { missing: 'identityId', wrong: { identityId: 'star' } },
  'Customer/GetAllList': { missing: 'pageIndex', wrong: { pageIndex: 'last' } },
  'Customer/AddCallHistory': { missing: 'callState', wrong: { callState: 'yes' } },
  'Customer/IMSLock': { missing: 'userID', wrong: { userID: '12.5' } },
  'Customer/UnIMSLock': { missing: 'ims' },
  'Customer/InsertSms': { missing: 'senderID', wrong: { senderID: 'admin' } },
  'Customer/UpdateCallHistory': { missing: 'sCallNumber' },
  'Customer/NameIsRepeat': { missing: 'sName' },
  'Customer/Get': { missing: 'id', wrong: { id: '3000000000' } },
  'Customer/Update': { missing: 'customer', wrong: { customer: '{bad' } },
  'Customer/Save': { missing: 'json', wrong: { json: '"text"' } },
  'Customer/TelIsRepeat': { missing: 'tel', wrong: { tel: 'x' } },
  'CustomerSign/GetClientSignDefault': {},
  'CustomerSign/GetCustTypeBdefault': {},
  'CustomerType/GetTypeList': { missing: 'parent_id', wrong: { parent_id: 'top' } },
  'ECommerce/UpdateBaseInfoHit': { missing: 'pkid', wrong: { pkid: 'one' } },
  'ECommerce/AddMessageBoard': { missing: 'custID', wrong: { custID: 'c' } },
  'LinkMan/GetList': { missing: 'custId', wrong: { custId: 'x' } },
  'LinkMan/CancelMainMan': { missing: 'id', wrong: { id: 'x' } },
  'LinkMan/GetLinkManList': { missing: 'cust_id', wrong: { cust_id: 'x' } },
  'LinkMan/GetLinkMan': { missing: 'id', wrong: { id: 'x' } },
  'LinkMan/SaveLinkMan': { missing: 'man', wrong: { man: '[]' } },
  'LinkMan/InsertLinkMan': { missing: 'man', wrong: { man: 'null' } },
  'LinkMan/DeleteLinkMan': { missing: 'id', wrong: { id: 'x' } },
  'Sale/SetPublicCust': { missing: 'pkidList', wrong: { pkidList: '1,,x' } },
};

let h: Harness;
let tenant: TestTenant;
let api: WebApi;
let siteKey: string;

beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  api = webapi(h.app, tenant.adminToken);
  siteKey = (await h.services.siteKeys.create(await userContext(h, tenant.adminToken), { name: '官网' })).key;
});

const isSite = (name: string) => name.startsWith('ECommerce/');

describe('every handler', () => {
  it('the table lists exactly the 39 handlers of seed 004', () => {
    expect(HANDLERS).toHaveLength(39);
    expect(Object.keys(TABLE).sort()).toEqual(HANDLERS.map((d) => `${d.module}/${d.action}`).sort());
  });

  it('refuses a missing or bad token (siteKey for ECommerce) with 1001, in JSON and XML', async () => {
    const anonymous = webapi(h.app);
    for (const name of Object.keys(TABLE)) {
      const field = isSite(name) ? 'siteKey' : 'token';
      await anonymous.error(name, {}, { status: 401, code: CODES.auth, field });
      await anonymous.error(name, { [field]: 'not-a-credential' }, { status: 401, code: CODES.auth, field }, 'POST');
      const xml = await anonymous.call(name, { [field]: 'bad' }, { format: 'xml' });
      expect(xml.status).toBe(401);
      expect(xml.xml!.name).toBe('error');
      expect(xml.xml!.children.find((c) => c.name === 'error_code')!.text).toBe('1001');
    }
  });

  it('names the first missing parameter (1002) and a wrong-type one (1003)', async () => {
    for (const [name, row] of Object.entries(TABLE)) {
      const base: Record<string, string> = isSite(name) ? { siteKey } : {};
      if (row.missing) await api.error(name, base, { status: 400, code: CODES.missing, field: row.missing });
      if (row.wrong) {
        const [field] = Object.keys(row.wrong);
        await api.error(name, { ...base, ...row.wrong }, { status: 400, code: CODES.invalid, field: field! }, 'POST');
      }
    }
  });
});

describe('paths, methods and bodies', () => {
  it('matches paths case-insensitively', async () => {
    const c = await makeCustomer(h, await userContext(h, tenant.adminToken), { name: '大小写' });
    for (const path of ['/webapi/handler/1.0/crm/customer/get.ashx', '/WEBAPI/HANDLER/1.0/CRM/CUSTOMER/GET.ASHX', '/WebApi/Handler/1.0/CRM/Customer/Get.ashx']) {
      const res = await h.app.inject({ method: 'GET', url: `${path}?token=${tenant.adminToken}&id=${c.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json().value.Name).toBe('大小写');
    }
  });

  it('answers an unknown handler with 1004 and another method with 1009, in the error shape', async () => {
    const unknown = await h.app.inject({ method: 'GET', url: `/WebApi/Handler/1.0/CRM/Customer/Nope.ashx?token=${tenant.adminToken}` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error_code: 1004 });
    expect(Object.keys(unknown.json())).toEqual(['error_code', 'error_msg', 'request_id']);
    const xml = await h.app.inject({ method: 'GET', url: '/WebApi/Handler/2.0/x.ashx?format=xml' });
    expect(xml.statusCode).toBe(404);
    expect(xml.body).toContain('<error_code>1004</error_code>');
    const put = await h.app.inject({ method: 'PUT', url: `${pathOf('Customer/Get')}?token=${tenant.adminToken}&id=1` });
    expect(put.statusCode).toBe(405);
    expect(put.json()).toMatchObject({ error_code: 1009 });
  });

  it('takes parameters from the query, a form body or a JSON body; the query wins', async () => {
    const c = await makeCustomer(h, await userContext(h, tenant.adminToken), { name: '参数来源' });
    const form = await h.app.inject({
      method: 'POST',
      url: `${pathOf('Customer/Get')}?id=${c.id}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      payload: `token=${tenant.adminToken}&id=999999`,
    });
    expect(form.json().value.Name).toBe('参数来源');
    const json = await client(h.app).post(pathOf('Customer/Get'), { token: tenant.adminToken, id: Number(c.id) });
    expect(json.body.value.Name).toBe('参数来源');
    const objectBody = await client(h.app).post(pathOf('Customer/Save'), { token: tenant.adminToken, json: { Name: 'JSON 对象直接传' } });
    expect(objectBody.body).toEqual({ value: true });
  });

  it('answers a session token as well as an API token', async () => {
    const login = await client(h.app).post('/api/v1/auth/login', { tenant: tenant.slug, login: 'admin', password: tenant.adminPassword });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const session = webapi(h.app, login.body.token);
    expect(await session.value('CustomerSign/GetClientSignDefault')).toBe(1);
  });

  it('refuses a repeated parameter, a bad format, a malformed body, an unsupported body and one over the limit', async () => {
    const twice = await h.app.inject({ method: 'GET', url: `${pathOf('Customer/Get')}?token=${tenant.adminToken}&id=1&id=2` });
    expect(twice.statusCode).toBe(400);
    expect(twice.json()).toMatchObject({ error_code: CODES.invalid, error_field: 'id' });
    await api.error('CustomerSign/GetClientSignDefault', { format: 'yaml' }, { status: 400, code: CODES.invalid, field: 'format' });
    const badJson = await h.app.inject({ method: 'POST', url: pathOf('Customer/Get'), headers: { 'content-type': 'application/json' }, payload: '{"token":' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toMatchObject({ error_code: 1008 });
    const text = await h.app.inject({ method: 'POST', url: pathOf('Customer/Get'), headers: { 'content-type': 'text/plain' }, payload: 'token=x' });
    expect(text.statusCode).toBe(400);
    expect(text.json()).toMatchObject({ error_code: 1008 });
    const big = await h.app.inject({
      method: 'POST',
      url: `${pathOf('Customer/Save')}?format=xml`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${tenant.adminToken}&json=${'x'.repeat(1024 * 1024 + 10)}`,
    });
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toContain('application/xml');
    expect(big.body).toContain('<error_code>1007</error_code>');
  });

  it('writes XML that escapes text and marks null as xsi:nil', async () => {
    const c = await makeCustomer(h, await userContext(h, tenant.adminToken), { name: '<A & B> "公司"' });
    const res = await api.call('Customer/Get', { id: c.id }, { format: 'xml' });
    expect(res.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<value xmlns:xsi="http:\/\/www.w3.org\/2001\/XMLSchema-instance">/);
    expect(res.body).toContain('<Name>&lt;A &amp; B&gt; &quot;公司&quot;</Name>');
    expect(res.body).toContain('<Email xsi:nil="true"/>');
    expect(res.xml!.children.find((e) => e.name === 'Name')!.text).toBe('<A & B> "公司"');
  });
});
