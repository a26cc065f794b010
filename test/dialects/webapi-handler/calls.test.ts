import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src/core/shared/context.ts';
import { makeCustomer, userContext } from '../../helpers/crm.ts';
import { makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { CODES, webapi, type WebApi } from './webapi.helpers.ts';

let h: Harness;
let tenant: TestTenant;
let other: TestTenant;
let api: WebApi;
let admin: RequestContext;

beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  other = await makeTenant(h);
  api = webapi(h.app, tenant.adminToken);
  admin = await userContext(h, tenant.adminToken);
});

const call = (userId: string, extra: Record<string, string | number> = {}) => ({
  callState: 1,
  tel: '138-0013-8000',
  userID: userId,
  remark: '咨询报价',
  callType: 1,
  startTime: '2030-01-10 09:00:00',
  endTime: '2030-01-10 09:03:20',
  record: 1,
  duration: 200,
  ims: '02161234567',
  userName: '管理员',
  ...extra,
});

describe('Customer/AddCallHistory and Customer/UpdateCallHistory', () => {
  it("logs a call matched to the customer by phone, then updates it found by number and start time", async () => {
    const customer = await makeCustomer(h, admin, { name: '来电客户', phones: ['13800138000'] });
    expect(await api.value('Customer/AddCallHistory', call(tenant.adminId), 'POST')).toBe(true);
    const [logged] = (await h.services.calls.list(admin, { customerId: customer.id })).items;
    expect(logged).toMatchObject({
      phone: '13800138000',
      direction: 'in',
      answered: true,
      duration_seconds: 200,
      recorded: true,
      billing_number: '02161234567',
      user_id: tenant.adminId,
      customer_id: customer.id,
      remark: '咨询报价',
    });
    expect(logged!.started_at.toISOString()).toBe('2030-01-10T01:00:00.000Z');
    const timeline = (await h.services.timeline.list(admin, customer.id, {})).items;
    expect(timeline.filter((e) => e.kind === 'call').map((e) => e.id)).toEqual([logged!.id]);

    const update = { sCallNumber: '13800138000', dCallTime: '2030-01-10 09:00:00', bCallState: 0, callType: 2, teleIms: '02160000000', displayTel: '4008001234', endTime: '2030-01-10 09:05:00', record: 0, duration: 300, addUserName: '管理员' };
    expect(await api.value('Customer/UpdateCallHistory', update)).toBe(true);
    expect(await h.services.calls.get(admin, logged!.id)).toMatchObject({ answered: false, direction: 'out', billing_number: '02160000000', display_number: '4008001234', duration_seconds: 300, recorded: false });

    const xmlAdd = await api.call('Customer/AddCallHistory', call(tenant.adminId, { tel: '021-5555 0000', callState: 0, callType: 2, record: 0 }), { format: 'xml' });
    expect(xmlAdd.xml!.text).toBe('true');
    const xmlUpdate = await api.call('Customer/UpdateCallHistory', { ...update, duration: 301 }, { method: 'POST', format: 'xml' });
    expect(xmlUpdate.xml!.text).toBe('true');
  });

  it('refuses missing, wrong-type and out-of-code parameters, and calls it cannot find', async () => {
    const ok = call(tenant.adminId);
    for (const name of ['callState', 'tel', 'userID', 'callType', 'startTime', 'endTime', 'record', 'duration', 'ims', 'userName']) {
      const { [name as keyof typeof ok]: _dropped, ...rest } = ok;
      await api.error('Customer/AddCallHistory', rest, { status: 400, code: CODES.missing, field: name });
    }
    await api.error('Customer/AddCallHistory', { ...ok, callState: 2 }, { status: 400, code: CODES.invalid, field: 'callState' });
    await api.error('Customer/AddCallHistory', { ...ok, callType: 0 }, { status: 400, code: CODES.invalid, field: 'callType' });
    await api.error('Customer/AddCallHistory', { ...ok, record: 'yes' }, { status: 400, code: CODES.invalid, field: 'record' });
    await api.error('Customer/AddCallHistory', { ...ok, duration: -1 }, { status: 400, code: CODES.invalid, field: 'duration' });
    await api.error('Customer/AddCallHistory', { ...ok, startTime: '10/01/2030' }, { status: 400, code: CODES.invalid, field: 'startTime' });
    await api.error('Customer/AddCallHistory', { ...ok, tel: 'abc' }, { status: 400, code: CODES.invalid, field: 'tel' });
    await api.error('Customer/AddCallHistory', { ...ok, endTime: '2030-01-10 08:00:00' }, { status: 400, code: CODES.invalid, field: 'endTime' });
    await api.error('Customer/AddCallHistory', { ...ok, userID: other.adminId }, { status: 400, code: CODES.invalid, field: 'userID' });

    const update = { sCallNumber: '13911112222', dCallTime: '2030-01-10 09:00:00', bCallState: 1, callType: 1, teleIms: '1', displayTel: '2', endTime: '2030-01-10 09:05:00', record: 0, duration: 3, addUserName: 'x' };
    for (const name of Object.keys(update)) {
      const { [name as keyof typeof update]: _dropped, ...rest } = update;
      await api.error('Customer/UpdateCallHistory', rest, { status: 400, code: CODES.missing, field: name });
    }
    await api.error('Customer/UpdateCallHistory', { ...update, bCallState: 'on' }, { status: 400, code: CODES.invalid, field: 'bCallState' });
    await api.error('Customer/UpdateCallHistory', update, { status: 404, code: CODES.notFound });
    // Another tenant's call with that number and time stays out of reach.
    const theirs = await userContext(h, other.adminToken);
    await h.services.calls.create(theirs, { phone: '13911112222', direction: 'in', answered: true, startedAt: new Date('2030-01-10T01:00:00Z') });
    await api.error('Customer/UpdateCallHistory', update, { status: 404, code: CODES.notFound });
  });
});

describe('Customer/IMSLock and Customer/UnIMSLock', () => {
  it('one user holds a billing number; a second lock fails naming the holder; unlock frees it', async () => {
    const a = await makeUser(h, tenant);
    const b = await makeUser(h, tenant);
    const apiA = webapi(h.app, a.token);
    const apiB = webapi(h.app, b.token);
    expect(await apiA.value('Customer/IMSLock', { userID: a.user.id, ims: '02188880001' })).toBe(true);
    expect(await apiA.value('Customer/IMSLock', { userID: a.user.id, ims: '02188880001' }, 'POST')).toBe(true);
    expect(await apiB.refused('Customer/IMSLock', { userID: b.user.id, ims: '02188880001' }, false)).toContain(a.user.name);
    await apiB.error('Customer/UnIMSLock', { ims: '02188880001' }, { status: 403, code: CODES.forbidden });
    expect((await h.services.numberLocks.list(admin)).map((l) => [l.billing_number, l.user_id])).toEqual([['02188880001', a.user.id]]);

    const unlock = await apiA.call('Customer/UnIMSLock', { ims: '02188880001' }, { format: 'xml' });
    expect(unlock.xml!.text).toBe('true');
    const lock = await apiB.call('Customer/IMSLock', { userID: b.user.id, ims: '02188880001' }, { method: 'POST', format: 'xml' });
    expect(lock.xml!.text).toBe('true');
    // A manager may lock for someone else and release anyone's lock.
    expect(await api.value('Customer/IMSLock', { userID: a.user.id, ims: '02188880002' })).toBe(true);
    expect(await api.value('Customer/UnIMSLock', { ims: '02188880001' })).toBe(true);
    await apiA.error('Customer/IMSLock', { userID: b.user.id, ims: '02188880003' }, { status: 403, code: CODES.forbidden });
  });

  it("refuses missing and wrong-type parameters, unknown locks and another tenant's user", async () => {
    await api.error('Customer/IMSLock', { ims: '1' }, { status: 400, code: CODES.missing, field: 'userID' });
    await api.error('Customer/IMSLock', { userID: tenant.adminId }, { status: 400, code: CODES.missing, field: 'ims' });
    await api.error('Customer/IMSLock', { userID: 'me', ims: '1' }, { status: 400, code: CODES.invalid, field: 'userID' });
    await api.error('Customer/IMSLock', { userID: other.adminId, ims: '02100000000' }, { status: 400, code: CODES.invalid, field: 'userID' });
    await api.error('Customer/UnIMSLock', {}, { status: 400, code: CODES.missing, field: 'ims' });
    await api.error('Customer/UnIMSLock', { ims: '09999999999' }, { status: 404, code: CODES.notFound });
    const theirs = await userContext(h, other.adminToken);
    await h.services.numberLocks.lock(theirs, { billingNumber: '02177770000' });
    await api.error('Customer/UnIMSLock', { ims: '02177770000' }, { status: 404, code: CODES.notFound });
    expect(await api.value('Customer/IMSLock', { userID: tenant.adminId, ims: '02177770000' })).toBe(true);
  });
});

describe('Customer/InsertSms', () => {
  it('sends a template SMS with values filled in, recorded in the outbox; recurring ones are scheduled', async () => {
    const template = await h.services.sms.createTemplate(admin, { name: '回访', content: '{value1}您好，您的订单{value2}已发货' });
    const params = { senderID: tenant.adminId, mobilePhone: '13800000000', receiveName: '张先生', sendDate: '2030-01-10 10:00:00', content: '(模板内容)', sendType: 0, messageTempleID: template.id, value1: '张先生', value2: 'A001', remark: '测试' };
    expect(await api.value('Customer/InsertSms', params, 'POST')).toBe(true);
    const [message] = (await h.services.sms.listMessages(admin, {})).items;
    expect(message).toMatchObject({ mobile: '13800000000', receiver_name: '张先生', content: '张先生您好，您的订单A001已发货', schedule: 'immediate', status: 'sent', template_id: template.id, remark: '测试' });
    const deliveries = (await h.services.sms.listDeliveries(admin, message!.id, {})).items;
    expect(deliveries.map((d) => d.text)).toEqual(['张先生您好，您的订单A001已发货']);

    const xml = await api.call('Customer/InsertSms', { ...params, messageTempleID: 0, content: '周报提醒', sendType: 3, sendDate: '2030-01-14 09:00:00' }, { format: 'xml' });
    expect(xml.xml!.text).toBe('true');
    const weekly = (await h.services.sms.listMessages(admin, {})).items.find((m) => m.content === '周报提醒');
    expect(weekly).toMatchObject({ schedule: 'weekly', status: 'scheduled' });
    expect(weekly!.send_at.toISOString()).toBe('2030-01-14T01:00:00.000Z');
  });

  it("refuses missing and wrong parameters, a missing template value, and another tenant's template", async () => {
    const template = await h.services.sms.createTemplate(admin, { name: '三值', content: '{value1}{value2}{value3}' });
    const ok = { senderID: tenant.adminId, mobilePhone: '13800000000', sendDate: '2030-01-10 10:00:00', content: 'x', sendType: 0, messageTempleID: template.id, value1: 'a', value2: 'b', value3: 'c' };
    for (const name of ['senderID', 'mobilePhone', 'sendDate', 'content', 'sendType', 'messageTempleID']) {
      const { [name as keyof typeof ok]: _dropped, ...rest } = ok;
      await api.error('Customer/InsertSms', rest, { status: 400, code: CODES.missing, field: name });
    }
    await api.error('Customer/InsertSms', { ...ok, sendType: 6 }, { status: 400, code: CODES.invalid, field: 'sendType' });
    await api.error('Customer/InsertSms', { ...ok, senderID: 'boss' }, { status: 400, code: CODES.invalid, field: 'senderID' });
    await api.error('Customer/InsertSms', { ...ok, messageTempleID: 'T1' }, { status: 400, code: CODES.invalid, field: 'messageTempleID' });
    await api.error('Customer/InsertSms', { ...ok, mobilePhone: 'none' }, { status: 400, code: CODES.invalid, field: 'mobilePhone' });
    const { value3: _v3, ...withoutValue3 } = ok;
    await api.error('Customer/InsertSms', withoutValue3, { status: 400, code: CODES.invalid, field: 'value3' });
    const theirs = await h.services.sms.createTemplate(await userContext(h, other.adminToken), { name: '别家', content: 'hi' });
    await api.error('Customer/InsertSms', { ...ok, messageTempleID: theirs.id }, { status: 404, code: CODES.notFound });
    await api.error('Customer/InsertSms', { ...ok, senderID: other.adminId }, { status: 400, code: CODES.invalid, field: 'senderID' });
    expect((await h.services.sms.listMessages(admin, {})).items.filter((m) => m.template_id === template.id)).toEqual([]);
  });
});
