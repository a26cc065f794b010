import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src/core/shared/context.ts';
import { makeCustomer, userContext } from '../../helpers/crm.ts';
import { fixedClock, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { CODES, webapi, type WebApi } from './webapi.helpers.ts';

// 2030-01-10 12:00 in Asia/Shanghai, the tenants' zone.
const clock = fixedClock('2030-01-10T04:00:00Z');
const local = (text: string) => new Date(`${text.replace(' ', 'T')}+08:00`);

let h: Harness;
let tenant: TestTenant;
let api: WebApi;
let admin: RequestContext;
let otherAdmin: RequestContext;
let otherCustomerId: string;

beforeAll(async () => {
  h = await setupHarness({ clock });
  tenant = await makeTenant(h);
  api = webapi(h.app, tenant.adminToken);
  admin = await userContext(h, tenant.adminToken);
  const other = await makeTenant(h);
  otherAdmin = await userContext(h, other.adminToken);
  otherCustomerId = (await makeCustomer(h, otherAdmin, { name: '别家' })).id;
});

async function customerWithContact() {
  const customer = await makeCustomer(h, admin, { name: '跟进客户' });
  const contact = await h.services.contacts.create(admin, customer.id, { name: '陈经理' });
  return { customer, contact };
}

const HISTORY_KEYS = ['ID', 'CustID', 'CustName', 'TypeID', 'TypeName', 'RouteID', 'RouteName', 'LinkManID', 'Title', 'Content', 'ContactTime', 'UserID', 'UserName', 'AddTime', 'UpdateTime'];
const PLAN_KEYS = ['ID', 'CustID', 'CustName', 'LinkManID', 'LinkManName', 'TypeID', 'TypeName', 'RouteID', 'RouteName', 'Title', 'Content', 'PlanTime', 'State', 'UserID', 'HistoryID', 'DoneHistoryID', 'DoneTime', 'AddTime', 'UpdateTime'];

describe('ContactHistory/Add and ContactHistory/Get', () => {
  it('adds a follow-up with purpose and route codes, and reads it back as ContactHistory, JSON and XML', async () => {
    const { customer, contact } = await customerWithContact();
    const params = { customer_id: customer.id, type_id: 3, route_id: 1, link_man_id: contact.id, title: '售后回访', content: '客户反馈良好' };
    expect(await api.value('ContactHistory/Add', params, 'POST')).toBe(true);
    const [followUp] = (await h.services.followUps.list(admin, { customerId: customer.id })).items;
    const value = await api.both('ContactHistory/Get', { id: followUp!.id });
    expect(Object.keys(value)).toEqual(HISTORY_KEYS);
    expect(value).toMatchObject({
      ID: Number(followUp!.id),
      CustID: Number(customer.id),
      CustName: '跟进客户',
      TypeID: 3,
      TypeName: '售后回访',
      RouteID: 1,
      RouteName: '电话',
      LinkManID: Number(contact.id),
      Title: '售后回访',
      Content: '客户反馈良好',
      ContactTime: '2030-01-10 12:00:00',
      UserID: Number(tenant.adminId),
    });
    expect((await api.value('Customer/Get', { id: customer.id })).LastContactTime).toBe('2030-01-10 12:00:00');
    const xml = await api.call('ContactHistory/Add', { ...params, link_man_id: 0 }, { format: 'xml' });
    expect(xml.xml!.text).toBe('true');
  });

  it("refuses missing, wrong-type and unknown-code parameters, and another tenant's ids", async () => {
    const { customer, contact } = await customerWithContact();
    const ok = { customer_id: customer.id, type_id: 1, route_id: 1, link_man_id: contact.id, title: 't', content: 'c' };
    for (const name of Object.keys(ok)) {
      const { [name as keyof typeof ok]: _dropped, ...rest } = ok;
      await api.error('ContactHistory/Add', rest, { status: 400, code: CODES.missing, field: name });
    }
    await api.error('ContactHistory/Add', { ...ok, customer_id: 'x' }, { status: 400, code: CODES.invalid, field: 'customer_id' });
    await api.error('ContactHistory/Add', { ...ok, type_id: 8 }, { status: 400, code: CODES.invalid, field: 'type_id' });
    await api.error('ContactHistory/Add', { ...ok, route_id: '1.5' }, { status: 400, code: CODES.invalid, field: 'route_id' });
    await api.error('ContactHistory/Add', { ...ok, customer_id: otherCustomerId }, { status: 404, code: CODES.notFound, field: 'customer_id' });
    const otherContact = await h.services.contacts.create(otherAdmin, otherCustomerId, { name: '别家人' });
    await api.error('ContactHistory/Add', { ...ok, link_man_id: otherContact.id }, { status: 400, code: CODES.invalid, field: 'link_man_id' });
    expect((await h.services.followUps.list(admin, { customerId: customer.id })).items).toEqual([]);

    await api.error('ContactHistory/Get', {}, { status: 400, code: CODES.missing, field: 'id' });
    await api.error('ContactHistory/Get', { id: 'abc' }, { status: 400, code: CODES.invalid, field: 'id' });
    const theirs = await h.services.followUps.create(otherAdmin, { customerId: otherCustomerId, content: '别家跟进' });
    await api.error('ContactHistory/Get', { id: theirs.id }, { status: 404, code: CODES.notFound });
  });
});

describe('ContactPlan/InsertContactPlan and ContactPlan/GetContactPlan', () => {
  it('inserts a plan (plan_id ignored) and reads it as CustomerContactPlan, JSON and XML', async () => {
    const { customer, contact } = await customerWithContact();
    const source = await h.services.followUps.create(admin, { customerId: customer.id, content: '首次联系' });
    const params = { plan_id: 0, title: '二次回访', customer_id: customer.id, type_id: 2, route_id: 4, link_man_id: contact.id, history_id: source.id, next_time: '2030-01-12 09:30:00' };
    expect(await api.value('ContactPlan/InsertContactPlan', params, 'POST')).toBe(true);
    const [plan] = (await h.services.contactPlans.list(admin, { customerId: customer.id })).items;
    const value = await api.both('ContactPlan/GetContactPlan', { id: plan!.id });
    expect(Object.keys(value)).toEqual(PLAN_KEYS);
    expect(value).toMatchObject({
      ID: Number(plan!.id),
      CustID: Number(customer.id),
      LinkManID: Number(contact.id),
      LinkManName: '陈经理',
      TypeID: 2,
      TypeName: '客户关怀',
      RouteID: 4,
      RouteName: '上门',
      Title: '二次回访',
      PlanTime: '2030-01-12 09:30:00',
      State: 0,
      UserID: Number(tenant.adminId),
      HistoryID: Number(source.id),
      DoneHistoryID: 0,
      DoneTime: null,
    });
    const xml = await api.call('ContactPlan/InsertContactPlan', { ...params, plan_id: 77, link_man_id: 0, history_id: 0 }, { format: 'xml' });
    expect(xml.xml!.text).toBe('true');
  });

  it("refuses missing, wrong-type and out-of-range parameters, and another tenant's ids", async () => {
    const { customer } = await customerWithContact();
    const ok = { plan_id: 0, title: 't', customer_id: customer.id, type_id: 1, route_id: 1, link_man_id: 0, history_id: 0, next_time: '2030-01-12 09:30:00' };
    for (const name of Object.keys(ok)) {
      const { [name as keyof typeof ok]: _dropped, ...rest } = ok;
      await api.error('ContactPlan/InsertContactPlan', rest, { status: 400, code: CODES.missing, field: name });
    }
    await api.error('ContactPlan/InsertContactPlan', { ...ok, next_time: '2030-02-30 09:00:00' }, { status: 400, code: CODES.invalid, field: 'next_time' });
    await api.error('ContactPlan/InsertContactPlan', { ...ok, next_time: 'tomorrow' }, { status: 400, code: CODES.invalid, field: 'next_time' });
    await api.error('ContactPlan/InsertContactPlan', { ...ok, plan_id: 'new' }, { status: 400, code: CODES.invalid, field: 'plan_id' });
    await api.error('ContactPlan/InsertContactPlan', { ...ok, history_id: -3 }, { status: 400, code: CODES.invalid, field: 'history_id' });
    await api.error('ContactPlan/InsertContactPlan', { ...ok, customer_id: otherCustomerId }, { status: 404, code: CODES.notFound });
    const theirs = await h.services.followUps.create(otherAdmin, { customerId: otherCustomerId, content: '别家跟进' });
    await api.error('ContactPlan/InsertContactPlan', { ...ok, history_id: theirs.id }, { status: 400, code: CODES.invalid, field: 'history_id' });
    expect((await h.services.contactPlans.list(admin, { customerId: customer.id })).items).toEqual([]);

    await api.error('ContactPlan/GetContactPlan', {}, { status: 400, code: CODES.missing, field: 'id' });
    await api.error('ContactPlan/GetContactPlan', { id: '12abc' }, { status: 400, code: CODES.invalid, field: 'id' });
    const theirPlan = await h.services.contactPlans.create(otherAdmin, { customerId: otherCustomerId, title: '别家', plannedAt: new Date() });
    await api.error('ContactPlan/GetContactPlan', { id: theirPlan.id }, { status: 404, code: CODES.notFound });
  });
});

describe('ContactPlan/GetContactPlanCount', () => {
  it("counts the caller's pending plans planned before tomorrow in the tenant's zone", async () => {
    const fresh = await makeTenant(h);
    const freshAdmin = await userContext(h, fresh.adminToken);
    const colleague = await makeUser(h, fresh);
    const customer = await makeCustomer(h, freshAdmin, { name: '计数客户' });
    const plan = (plannedAt: Date, ownerId?: string) => h.services.contactPlans.create(freshAdmin, { customerId: customer.id, title: 'p', plannedAt, ownerId });
    await plan(local('2030-01-09 15:00:00')); // overdue
    await plan(local('2030-01-10 23:59:59')); // due later today
    await plan(local('2030-01-11 00:00:00')); // tomorrow: not yet due
    await plan(local('2030-01-10 08:00:00'), colleague.user.id); // someone else's
    const done = await plan(local('2030-01-10 07:00:00'));
    await h.services.contactPlans.execute(freshAdmin, done.id, {});
    const freshApi = webapi(h.app, fresh.adminToken);
    expect(await freshApi.both('ContactPlan/GetContactPlanCount')).toBe(2);
    expect(await webapi(h.app, colleague.token).value('ContactPlan/GetContactPlanCount')).toBe(0);
    expect(await webapi(h.app, tenant.adminToken).value('ContactPlan/GetContactPlanCount', {}, 'POST')).toBe(0);
  });
});

describe('ContactPlan/SaveContactPlan', () => {
  it('executes a plan: writes the history, marks the plan done and schedules the next one at next_time', async () => {
    const { customer, contact } = await customerWithContact();
    const plan = await h.services.contactPlans.create(admin, { customerId: customer.id, title: '季度回访', plannedAt: local('2030-01-10 09:00:00') });
    const params = { plan_id: plan.id, customer_id: customer.id, type_id: 3, route_id: 1, link_man_id: contact.id, title: '已回访', content: '客户满意', next_time: '2030-04-10 09:00:00' };
    expect(await api.value('ContactPlan/SaveContactPlan', params, 'POST')).toBe(true);
    const done = await api.value('ContactPlan/GetContactPlan', { id: plan.id });
    expect(done).toMatchObject({ State: 1, DoneTime: '2030-01-10 12:00:00' });
    const history = await api.value('ContactHistory/Get', { id: done.DoneHistoryID });
    expect(history).toMatchObject({ Title: '已回访', Content: '客户满意', TypeID: 3, RouteID: 1, LinkManID: Number(contact.id) });
    const pending = (await h.services.contactPlans.list(admin, { customerId: customer.id, status: 'pending' })).items;
    expect(pending).toHaveLength(1);
    const next = await api.value('ContactPlan/GetContactPlan', { id: pending[0]!.id });
    expect(next).toMatchObject({ PlanTime: '2030-04-10 09:00:00', State: 0, HistoryID: done.DoneHistoryID, LinkManID: Number(contact.id), TypeID: 3, Title: '季度回访' });

    await api.refused('ContactPlan/SaveContactPlan', params, false);
    const second = await h.services.contactPlans.create(admin, { customerId: customer.id, title: '再访', plannedAt: local('2030-01-11 09:00:00') });
    const xml = await api.call('ContactPlan/SaveContactPlan', { ...params, plan_id: second.id, link_man_id: 0 }, { format: 'xml' });
    expect(xml.xml!.text).toBe('true');
  });

  it("refuses missing and wrong parameters, another customer's plan and another tenant's plan, writing nothing", async () => {
    const { customer } = await customerWithContact();
    const plan = await h.services.contactPlans.create(admin, { customerId: customer.id, title: '待执行', plannedAt: local('2030-01-10 09:00:00') });
    const ok = { plan_id: plan.id, customer_id: customer.id, type_id: 1, route_id: 1, link_man_id: 0, title: 't', content: 'c', next_time: '2030-02-01 10:00:00' };
    for (const name of Object.keys(ok)) {
      const { [name as keyof typeof ok]: _dropped, ...rest } = ok;
      await api.error('ContactPlan/SaveContactPlan', rest, { status: 400, code: CODES.missing, field: name });
    }
    await api.error('ContactPlan/SaveContactPlan', { ...ok, plan_id: 'p1' }, { status: 400, code: CODES.invalid, field: 'plan_id' });
    await api.error('ContactPlan/SaveContactPlan', { ...ok, next_time: '2030/02/01' }, { status: 400, code: CODES.invalid, field: 'next_time' });
    const elsewhere = await makeCustomer(h, admin, { name: '另一个客户' });
    await api.error('ContactPlan/SaveContactPlan', { ...ok, customer_id: elsewhere.id }, { status: 400, code: CODES.invalid, field: 'customer_id' });
    const theirPlan = await h.services.contactPlans.create(otherAdmin, { customerId: otherCustomerId, title: '别家', plannedAt: new Date() });
    await api.error('ContactPlan/SaveContactPlan', { ...ok, plan_id: theirPlan.id, customer_id: otherCustomerId }, { status: 404, code: CODES.notFound });
    expect((await h.services.contactPlans.get(admin, plan.id)).status).toBe('pending');
    expect((await h.services.contactPlans.get(otherAdmin, theirPlan.id)).status).toBe('pending');
    expect((await h.services.followUps.list(admin, { customerId: customer.id })).items).toEqual([]);
  });
});
