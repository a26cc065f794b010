import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

type Api = ReturnType<typeof client>;

let h: Harness;
let tenant: TestTenant;
let admin: Api;
/** Dictionary item ids by dictionary, then by code. */
const items: Record<string, Record<number, string>> = {};

const at = (day: number, hour = 10) => new Date(Date.UTC(2030, 0, day, hour)).toISOString();
const instant = (value: string | null) => (value === null ? null : new Date(value).toISOString());

async function dictionary(api: Api, name: string) {
  const res = await api.get(`/api/v1/dictionaries/${name}/items`);
  expect(res.status).toBe(200);
  return Object.fromEntries((res.body.items as { code: number; id: string }[]).map((i) => [i.code, i.id]));
}

async function makeCustomer(api: Api, name: string): Promise<string> {
  const res = await api.post('/api/v1/customers', { name });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Contacts straight into the table: this file tests plans, not the contacts API. */
async function makeContact(tenantId: string, customerId: string, name = '联系人'): Promise<string> {
  const row = await h.database.db
    .insertInto('contact')
    .values({ tenant_id: tenantId, customer_id: customerId, name })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function makePlan(api: Api, customerId: string, extra: Record<string, unknown> = {}) {
  const res = await api.post('/api/v1/contact-plans', { customerId, title: '回访', plannedAt: at(1), ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function nextFollowAt(customerId: string): Promise<string | null> {
  const res = await admin.get(`/api/v1/customers/${customerId}`);
  expect(res.status).toBe(200);
  return instant(res.body.nextFollowAt);
}

const followUpsOf = (customerId: string) => h.database.db.selectFrom('follow_up').selectAll().where('customer_id', '=', customerId).execute();

beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  admin = client(h.app, tenant.adminToken);
  for (const name of ['contact_purpose', 'contact_route', 'follow_up_type']) items[name] = await dictionary(admin, name);
});

describe('contact plans', () => {
  it('creates, reads, lists and changes a plan with every field', async () => {
    const customerId = await makeCustomer(admin, '计划客户');
    const contactId = await makeContact(tenant.id, customerId, '王经理');
    const created = await admin.post('/api/v1/contact-plans', {
      customerId,
      contactId,
      purposeId: items.contact_purpose![3],
      routeId: items.contact_route![1],
      title: '售后回访',
      content: '确认安装情况',
      plannedAt: '2030-01-05T09:30:00+08:00',
    });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.headers.location).toBe(`/api/v1/contact-plans/${created.body.id}`);
    expect(created.body).toMatchObject({
      customerId,
      customerName: '计划客户',
      contactId,
      contactName: '王经理',
      purposeId: items.contact_purpose![3],
      routeId: items.contact_route![1],
      title: '售后回访',
      content: '确认安装情况',
      plannedAt: '2030-01-05T09:30:00.000+08:00',
      ownerId: tenant.adminId,
      status: 'pending',
      sourceFollowUpId: null,
      fulfilledFollowUpId: null,
      doneAt: null,
      createdBy: tenant.adminId,
      version: 1,
    });
    expect((await admin.get(`/api/v1/contact-plans/${created.body.id}`)).body).toEqual(created.body);
    expect(await nextFollowAt(customerId)).toBe('2030-01-05T01:30:00.000Z');

    const nested = await admin.post(`/api/v1/customers/${customerId}/contact-plans`, { title: '二次回访', plannedAt: at(9) });
    expect(nested.status).toBe(201);
    const listed = await admin.get(`/api/v1/customers/${customerId}/contact-plans`);
    expect(listed.body.items.map((p: { id: string }) => p.id)).toEqual([created.body.id, nested.body.id]);

    const changed = await admin.patch(`/api/v1/contact-plans/${created.body.id}`, { title: '电话回访', contactId: null, content: null });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ title: '电话回访', contactId: null, contactName: null, content: null, version: 2 });
  });

  it("keeps the customer's nextFollowAt at its earliest pending plan through every change", async () => {
    const customerId = await makeCustomer(admin, '下次跟进');
    expect(await nextFollowAt(customerId)).toBeNull();
    const p3 = await makePlan(admin, customerId, { plannedAt: at(3) });
    const p1 = await makePlan(admin, customerId, { plannedAt: at(1) });
    const p2 = await makePlan(admin, customerId, { plannedAt: at(2) });
    expect(await nextFollowAt(customerId)).toBe(at(1));

    await admin.patch(`/api/v1/contact-plans/${p1.id}`, { plannedAt: at(4) });
    expect(await nextFollowAt(customerId)).toBe(at(2));
    const cancelled = await admin.patch(`/api/v1/contact-plans/${p2.id}`, { status: 'cancelled' });
    expect(cancelled.body.status).toBe('cancelled');
    expect(await nextFollowAt(customerId)).toBe(at(3));
    expect((await admin.delete(`/api/v1/contact-plans/${p3.id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/contact-plans/${p3.id}`)).status).toBe(404);
    expect(await nextFollowAt(customerId)).toBe(at(4));
    const executed = await admin.post(`/api/v1/contact-plans/${p1.id}/execute`, { content: '已联系' });
    expect(executed.status).toBe(200);
    expect(await nextFollowAt(customerId)).toBeNull();
    await admin.patch(`/api/v1/contact-plans/${p2.id}`, { status: 'pending' });
    expect(await nextFollowAt(customerId)).toBe(at(2));

    // Moving a plan recomputes both customers.
    const other = await makeCustomer(admin, '下次跟进二');
    const moved = await admin.patch(`/api/v1/contact-plans/${p2.id}`, { customerId: other });
    expect(moved.status).toBe(200);
    expect(await nextFollowAt(customerId)).toBeNull();
    expect(await nextFollowAt(other)).toBe(at(2));
  });

  it('executes a plan: writes the follow-up, marks the plan done and schedules the next one', async () => {
    const customerId = await makeCustomer(admin, '执行客户');
    const contactId = await makeContact(tenant.id, customerId, '李总');
    const plan = await makePlan(admin, customerId, { contactId, purposeId: items.contact_purpose![2], routeId: items.contact_route![4], title: '上门拜访', plannedAt: at(1) });

    const res = await admin.post(
      `/api/v1/contact-plans/${plan.id}/execute`,
      { typeId: items.follow_up_type![2], content: '<p>客户同意<b>续约</b></p>', followedAt: '2030-01-01T11:00:00Z', next: { plannedAt: at(8), content: '带合同' } },
      { 'if-match': '"1"' },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { plan: done, followUpId, nextPlan } = res.body;
    expect(done).toMatchObject({ id: plan.id, status: 'done', fulfilledFollowUpId: followUpId, version: 2 });
    expect(done.doneAt).not.toBeNull();

    const [followUp, ...others] = await followUpsOf(customerId);
    expect(others).toEqual([]);
    expect(followUp).toMatchObject({
      id: followUpId,
      customer_id: customerId,
      type_id: items.follow_up_type![2],
      purpose_id: items.contact_purpose![2],
      route_id: items.contact_route![4],
      title: '上门拜访',
      content: '<p>客户同意<b>续约</b></p>',
      user_id: tenant.adminId,
    });
    expect(followUp!.followed_at.toISOString()).toBe('2030-01-01T11:00:00.000Z');
    const contacts = await h.database.db.selectFrom('follow_up_contact').select('contact_id').where('follow_up_id', '=', followUpId).execute();
    expect(contacts).toEqual([{ contact_id: contactId }]);

    expect(nextPlan).toMatchObject({
      customerId,
      contactId,
      purposeId: items.contact_purpose![2],
      routeId: items.contact_route![4],
      title: '上门拜访',
      content: '带合同',
      ownerId: tenant.adminId,
      status: 'pending',
      sourceFollowUpId: followUpId,
    });
    expect(instant(nextPlan.plannedAt)).toBe(at(8));
    const customer = (await admin.get(`/api/v1/customers/${customerId}`)).body;
    expect(instant(customer.nextFollowAt)).toBe(at(8));
    expect(instant(customer.lastFollowAt)).toBe('2030-01-01T11:00:00.000Z');

    const again = await admin.post(`/api/v1/contact-plans/${plan.id}/execute`, { content: '再执行' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('plan_not_pending');
    expect(await followUpsOf(customerId)).toHaveLength(1);
  });

  it('writes nothing when any part of an execution is refused', async () => {
    const customerId = await makeCustomer(admin, '原子性');
    const otherCustomer = await makeCustomer(admin, '别的客户');
    const foreignContact = await makeContact(tenant.id, otherCustomer);
    const plan = await makePlan(admin, customerId, { plannedAt: at(2) });
    const plansBefore = await h.database.db.selectFrom('contact_plan').select('id').where('customer_id', '=', customerId).execute();

    const refusals = [
      [{ content: 'x', next: { plannedAt: at(9), purposeId: items.contact_route![1] } }, 'next.purposeId'],
      [{ content: 'x', next: { plannedAt: at(9), contactId: foreignContact } }, 'next.contactId'],
      [{ content: 'x', next: { plannedAt: at(9), ownerId: '900000000' } }, 'next.ownerId'],
      [{ content: 'x', contactIds: [foreignContact] }, 'contactIds[0]'],
      [{ content: 'x', typeId: items.contact_purpose![1] }, 'typeId'],
    ] as const;
    for (const [body, field] of refusals) {
      const res = await admin.post(`/api/v1/contact-plans/${plan.id}/execute`, body);
      expect(res.status, field).toBe(422);
      expect(res.body.errors[0].field).toBe(field);
    }
    expect(await followUpsOf(customerId)).toEqual([]);
    const after = await admin.get(`/api/v1/contact-plans/${plan.id}`);
    expect(after.body).toMatchObject({ status: 'pending', version: 1, fulfilledFollowUpId: null, doneAt: null });
    expect(await h.database.db.selectFrom('contact_plan').select('id').where('customer_id', '=', customerId).execute()).toEqual(plansBefore);
    expect(await nextFollowAt(customerId)).toBe(at(2));
    const customer = (await admin.get(`/api/v1/customers/${customerId}`)).body;
    expect(customer.lastFollowAt).toBeNull();
  });

  it('refuses to execute a plan that is not pending, and a stale If-Match', async () => {
    const customerId = await makeCustomer(admin, '状态');
    const cancelled = await makePlan(admin, customerId);
    await admin.patch(`/api/v1/contact-plans/${cancelled.id}`, { status: 'cancelled' });
    expect((await admin.post(`/api/v1/contact-plans/${cancelled.id}/execute`, {})).status).toBe(409);

    const plan = await makePlan(admin, customerId);
    expect((await admin.patch(`/api/v1/contact-plans/${plan.id}`, { title: '改一' }, { 'if-match': '"1"' })).status).toBe(200);
    const stale = await admin.patch(`/api/v1/contact-plans/${plan.id}`, { title: '改二' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('stale_version');
    expect((await admin.post(`/api/v1/contact-plans/${plan.id}/execute`, {}, { 'if-match': '"1"' })).status).toBe(412);
    expect((await admin.delete(`/api/v1/contact-plans/${plan.id}`, { 'if-match': '"1"' })).status).toBe(412);
    expect((await admin.get(`/api/v1/contact-plans/${plan.id}`)).body).toMatchObject({ title: '改一', status: 'pending' });
    expect(await followUpsOf(customerId)).toEqual([]);
  });

  it('takes only contacts and follow-ups of the plan\'s own customer', async () => {
    const customerId = await makeCustomer(admin, '联系人校验');
    const otherCustomer = await makeCustomer(admin, '联系人校验二');
    const ours = await makeContact(tenant.id, customerId);
    const theirs = await makeContact(tenant.id, otherCustomer);

    const create = await admin.post('/api/v1/contact-plans', { customerId, contactId: theirs, title: 't', plannedAt: at(1) });
    expect(create.status).toBe(422);
    expect(create.body).toMatchObject({ code: 'contact_of_other_customer', errors: [{ field: 'contactId' }] });
    const missing = await admin.post('/api/v1/contact-plans', { customerId, contactId: '900000000', title: 't', plannedAt: at(1) });
    expect(missing.status).toBe(422);

    const plan = await makePlan(admin, customerId, { contactId: ours });
    expect((await admin.patch(`/api/v1/contact-plans/${plan.id}`, { contactId: theirs })).status).toBe(422);
    // Moving the plan without changing its contact would leave a contact of the old customer.
    const move = await admin.patch(`/api/v1/contact-plans/${plan.id}`, { customerId: otherCustomer });
    expect(move.status).toBe(422);
    expect(move.body.errors[0].field).toBe('contactId');
    expect((await admin.patch(`/api/v1/contact-plans/${plan.id}`, { customerId: otherCustomer, contactId: theirs })).status).toBe(200);

    const done = await admin.post(`/api/v1/contact-plans/${plan.id}/execute`, { content: '完成' });
    const source = await admin.post('/api/v1/contact-plans', { customerId, title: 't', plannedAt: at(1), sourceFollowUpId: done.body.followUpId });
    expect(source.status).toBe(422);
    expect(source.body).toMatchObject({ code: 'follow_up_of_other_customer', errors: [{ field: 'sourceFollowUpId' }] });
    const fine = await admin.post('/api/v1/contact-plans', { customerId: otherCustomer, title: 't', plannedAt: at(1), sourceFollowUpId: done.body.followUpId });
    expect(fine.status).toBe(201);
    const fulfilledOpen = await admin.patch(`/api/v1/contact-plans/${fine.body.id}`, { fulfilledFollowUpId: done.body.followUpId });
    expect(fulfilledOpen.status).toBe(422);
  });

  it('lists by planned time with a keyset cursor, filters and counts', async () => {
    const seller = await makeUser(h, tenant, { role: 'sales' });
    const asSeller = client(h.app, seller.token);
    const customerId = await makeCustomer(asSeller, '分页计划');
    const ids: string[] = [];
    for (const day of [5, 3, 4, 1, 2]) ids[day] = (await makePlan(asSeller, customerId, { plannedAt: at(day) })).id;
    await asSeller.patch(`/api/v1/contact-plans/${ids[4]}`, { status: 'cancelled' });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: any } = await asSeller.get(`/api/v1/contact-plans?limit=2&withTotal=true${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(5);
      seen.push(...res.body.items.map((p: { id: string }) => p.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([ids[1], ids[2], ids[3], ids[4], ids[5]]);

    const desc = await asSeller.get(`/api/v1/customers/${customerId}/contact-plans?order=desc&status=pending&limit=2`);
    expect(desc.body.items.map((p: { id: string }) => p.id)).toEqual([ids[5], ids[3]]);
    const window = await asSeller.get(`/api/v1/contact-plans?plannedFrom=${encodeURIComponent(at(2))}&plannedTo=${encodeURIComponent(at(4))}`);
    expect(window.body.items.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[3]]);

    const mine = await asSeller.get(`/api/v1/contact-plans/count?ownerId=${seller.user.id}&status=pending`);
    expect(mine.body).toEqual({ count: 4 });
    const byAdmin = await admin.get(`/api/v1/contact-plans/count?ownerId=${seller.user.id}&status=pending`);
    expect(byAdmin.body).toEqual({ count: 4 });
    expect((await asSeller.get('/api/v1/contact-plans?cursor=nope')).status).toBe(422);
  });
});

describe('contact plan visibility', () => {
  it("follows the customer's data scope: others' plans are 404 and absent from lists and counts", async () => {
    const alice = await makeUser(h, tenant, { role: 'sales' });
    const bob = await makeUser(h, tenant, { role: 'sales' });
    const asAlice = client(h.app, alice.token);
    const asBob = client(h.app, bob.token);
    const customerId = await makeCustomer(asAlice, '爱丽丝的计划客户');
    // Even a plan assigned to Bob stays out of his sight while he cannot see the customer.
    const plan = await makePlan(asAlice, customerId, { ownerId: bob.user.id });

    expect((await asBob.get(`/api/v1/contact-plans/${plan.id}`)).status).toBe(404);
    expect((await asBob.patch(`/api/v1/contact-plans/${plan.id}`, { title: 'x' })).status).toBe(404);
    expect((await asBob.delete(`/api/v1/contact-plans/${plan.id}`)).status).toBe(404);
    expect((await asBob.post(`/api/v1/contact-plans/${plan.id}/execute`, {})).status).toBe(404);
    expect((await asBob.get(`/api/v1/customers/${customerId}/contact-plans`)).status).toBe(404);
    expect((await asBob.post('/api/v1/contact-plans', { customerId, title: 't', plannedAt: at(1) })).status).toBe(404);
    expect((await asBob.get('/api/v1/contact-plans?withTotal=true')).body).toMatchObject({ items: [], total: 0 });
    expect((await asBob.get(`/api/v1/contact-plans/count?ownerId=${bob.user.id}`)).body).toEqual({ count: 0 });
    expect(await followUpsOf(customerId)).toEqual([]);

    expect((await asAlice.get('/api/v1/contact-plans')).body.items.map((p: { id: string }) => p.id)).toEqual([plan.id]);
  });

  it("answers 404 for another tenant's ids and refuses its references", async () => {
    const other = await makeTenant(h);
    const asOther = client(h.app, other.adminToken);
    const customerId = await makeCustomer(admin, '本租户计划');
    const plan = await makePlan(admin, customerId);
    expect((await asOther.get(`/api/v1/contact-plans/${plan.id}`)).status).toBe(404);
    expect((await asOther.patch(`/api/v1/contact-plans/${plan.id}`, { title: 'x' })).status).toBe(404);
    expect((await asOther.delete(`/api/v1/contact-plans/${plan.id}`)).status).toBe(404);
    expect((await asOther.post(`/api/v1/contact-plans/${plan.id}/execute`, {})).status).toBe(404);
    expect((await asOther.post('/api/v1/contact-plans', { customerId, title: 't', plannedAt: at(1) })).status).toBe(404);
    expect((await asOther.get('/api/v1/contact-plans')).body.items).toEqual([]);

    const theirCustomer = await makeCustomer(asOther, '他租户计划');
    const ourContact = await makeContact(tenant.id, customerId);
    const foreign = await asOther.post('/api/v1/contact-plans', { customerId: theirCustomer, contactId: ourContact, purposeId: items.contact_purpose![1], title: 't', plannedAt: at(1) });
    expect(foreign.status).toBe(422);
    expect((await admin.patch(`/api/v1/contact-plans/${plan.id}`, { customerId: theirCustomer })).status).toBe(404);
    expect((await admin.get(`/api/v1/contact-plans/${plan.id}`)).body).toMatchObject({ status: 'pending', version: 1 });
  });
});
