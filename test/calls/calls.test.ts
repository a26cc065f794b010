import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

type Api = ReturnType<typeof client>;

let h: Harness;
let tenant: TestTenant;
let admin: Api;

async function makeCustomer(api: Api, name: string, phones: string[] = []): Promise<string> {
  const res = await api.post('/api/v1/customers', { name, phones });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const call = (extra: Record<string, unknown> = {}) => ({
  phone: '13800138000',
  direction: 'out',
  answered: true,
  startedAt: '2026-05-05T10:25:30+08:00',
  endedAt: '2026-05-05T10:27:00+08:00',
  billingNumber: '02188886666',
  displayNumber: '4008001234',
  ...extra,
});

beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  admin = client(h.app, tenant.adminToken);
});

describe('call logs', () => {
  it('records a call, matches its customer by phone and shows it on the timeline', async () => {
    const customerId = await makeCustomer(admin, '通话客户', ['13912345678']);
    const res = await admin.post('/api/v1/calls', call({ phone: '+86 139-1234-5678', recordingUrl: 'https://rec.example/1.mp3', remark: '询价' }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      phone: '8613912345678',
      direction: 'out',
      answered: true,
      startedAt: '2026-05-05T10:25:30.000+08:00',
      endedAt: '2026-05-05T10:27:00.000+08:00',
      durationSeconds: 90,
      recorded: true,
      recordingUrl: 'https://rec.example/1.mp3',
      billingNumber: '02188886666',
      displayNumber: '4008001234',
      userId: tenant.adminId,
      customerId,
      customerName: '通话客户',
      remark: '询价',
      version: 1,
    });
    const timeline = await admin.get(`/api/v1/customers/${customerId}/timeline`);
    expect(timeline.status, JSON.stringify(timeline.body)).toBe(200);
    expect(timeline.body.items).toEqual([
      expect.objectContaining({ kind: 'call', id: res.body.id, at: '2026-05-05T10:25:30.000+08:00', title: 'Outgoing call', userId: tenant.adminId }),
    ]);
    expect(timeline.body.items[0].summary).toContain('answered, 90 s');
    const listed = await admin.get(`/api/v1/calls?customerId=${customerId}`);
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([res.body.id]);
  });

  it('leaves an unknown number unmatched and takes an explicit customer', async () => {
    const unknown = await admin.post('/api/v1/calls', call({ phone: '010-5555 0000', answered: false, endedAt: null }));
    expect(unknown.status).toBe(201);
    expect(unknown.body).toMatchObject({ phone: '01055550000', customerId: null, durationSeconds: 0, recorded: false, endedAt: null });
    const customerId = await makeCustomer(admin, '指定客户');
    const explicit = await admin.post('/api/v1/calls', call({ customerId }));
    expect(explicit.body.customerId).toBe(customerId);
  });

  it('updates a call by id and by number and start time (UpdateCallHistory)', async () => {
    const created = (await admin.post('/api/v1/calls', call({ phone: '13700000001', answered: false, endedAt: null }))).body;
    const patched = await admin.patch(`/api/v1/calls/${created.id}`, { endedAt: '2026-05-05T10:30:30+08:00', answered: true }, { 'if-match': '"1"' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ answered: true, durationSeconds: 300, version: 2 });
    expect((await admin.patch(`/api/v1/calls/${created.id}`, { remark: 'x' }, { 'if-match': '"1"' })).status).toBe(412);

    const ctx = tenant.ctx;
    const updated = await h.services.calls.updateByCall(
      ctx,
      { phone: '137-0000-0001', startedAt: new Date('2026-05-05T02:25:30Z') },
      { displayNumber: '4000000000', recorded: true, direction: 'in', endedAt: new Date('2026-05-05T02:26:30Z') },
    );
    expect(updated).toMatchObject({ id: created.id, display_number: '4000000000', recorded: true, direction: 'in', duration_seconds: 60 });
    await expect(
      h.services.calls.updateByCall(ctx, { phone: '13700000001', startedAt: new Date('2026-05-05T02:25:31Z') }, { recorded: false }),
    ).rejects.toMatchObject({ kind: 'not_found', code: 'call_not_found' });
  });

  it('refuses bad input, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [call({ phone: '12' }), 'phone'],
      [call({ phone: 'abcdefg' }), 'phone'],
      [call({ direction: 'sideways' }), 'direction'],
      [call({ answered: 'yes' }), 'answered'],
      [call({ startedAt: '2026-05-05 10:25:30' }), 'startedAt'],
      [call({ endedAt: '2026-05-05T09:00:00+08:00' }), 'endedAt'],
      [call({ durationSeconds: -1 }), 'durationSeconds'],
      [call({ userId: '999999999' }), 'userId'],
    ];
    const before = await h.database.db.selectFrom('call_log').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    for (const [body, field] of cases) {
      const res = await admin.post('/api/v1/calls', body);
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(body)).toBeLessThan(500);
      expect(JSON.stringify(res.body.errors ?? res.body.detail), JSON.stringify(body)).toContain(field);
    }
    const after = await h.database.db.selectFrom('call_log').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("answers another tenant's calls as missing and never matches its customers", async () => {
    const other = await makeTenant(h);
    const otherApi = client(h.app, other.adminToken);
    await makeCustomer(otherApi, '别家客户', ['13655556666']);
    const theirs = (await otherApi.post('/api/v1/calls', call())).body;
    expect((await admin.get(`/api/v1/calls/${theirs.id}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/calls/${theirs.id}`, { remark: 'x' })).status).toBe(404);
    const mine = await admin.post('/api/v1/calls', call({ phone: '13655556666' }));
    expect(mine.body.customerId).toBeNull();
  });

  it('shows a salesperson their own calls and those of customers they can see', async () => {
    const { token, user } = await makeUser(h, tenant);
    const sales = client(h.app, token);
    const own = (await sales.post('/api/v1/calls', call({ phone: '13511112222' }))).body;
    expect(own.userId).toBe(user.id);
    const hiddenCustomer = await makeCustomer(admin, '不可见客户', ['13533334444']);
    const hidden = (await admin.post('/api/v1/calls', call({ phone: '13533334444' }))).body;
    expect(hidden.customerId).toBe(hiddenCustomer);
    expect((await sales.get(`/api/v1/calls/${hidden.id}`)).status).toBe(404);
    const list = await sales.get('/api/v1/calls');
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([own.id]);
  });
});

describe('billing-number locks', () => {
  it('lets one user hold a number and refuses a second user clearly', async () => {
    const a = await makeUser(h, tenant);
    const b = await makeUser(h, tenant);
    const apiA = client(h.app, a.token);
    const apiB = client(h.app, b.token);
    const locked = await apiA.post('/api/v1/number-locks', { billingNumber: '02112345678' });
    expect(locked.status, JSON.stringify(locked.body)).toBe(200);
    expect(locked.body).toMatchObject({ billingNumber: '02112345678', userId: a.user.id });
    // Locking again is harmless.
    expect((await apiA.post('/api/v1/number-locks', { billingNumber: '02112345678' })).status).toBe(200);
    const taken = await apiB.post('/api/v1/number-locks', { billingNumber: '02112345678' });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('number_locked');
    expect(taken.body.detail).toContain(a.user.id);
    const notHolder = await apiB.delete('/api/v1/number-locks/02112345678');
    expect(notHolder.status).toBe(403);
    expect(notHolder.body.code).toBe('number_lock_not_holder');
    const list = await admin.get('/api/v1/number-locks');
    expect(list.body.items).toEqual([expect.objectContaining({ billingNumber: '02112345678', userId: a.user.id })]);
    expect((await apiA.delete('/api/v1/number-locks/02112345678')).status).toBe(204);
    expect((await apiA.delete('/api/v1/number-locks/02112345678')).status).toBe(404);
    expect((await apiB.post('/api/v1/number-locks', { billingNumber: '02112345678' })).status).toBe(200);
    // An admin (users:manage) may release someone else's lock.
    expect((await admin.delete('/api/v1/number-locks/02112345678')).status).toBe(204);
  });

  it('locks for another user only with users:manage', async () => {
    const a = await makeUser(h, tenant);
    const b = await makeUser(h, tenant);
    const forOther = await client(h.app, a.token).post('/api/v1/number-locks', { billingNumber: '02199990000', userId: b.user.id });
    expect(forOther.status).toBe(403);
    const byAdmin = await admin.post('/api/v1/number-locks', { billingNumber: '02199990000', userId: b.user.id });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.userId).toBe(b.user.id);
    expect((await admin.post('/api/v1/number-locks', { billingNumber: '' })).status).toBe(422);
    expect((await admin.post('/api/v1/number-locks', { billingNumber: '02199990001', userId: '999999999' })).status).toBe(422);
  });

  it('keeps tenants apart', async () => {
    const other = await makeTenant(h);
    const otherApi = client(h.app, other.adminToken);
    expect((await otherApi.post('/api/v1/number-locks', { billingNumber: '02100000001' })).status).toBe(200);
    // The same number in another tenant is another lock.
    expect((await admin.post('/api/v1/number-locks', { billingNumber: '02100000001' })).status).toBe(200);
    expect((await admin.delete('/api/v1/number-locks/02100000002')).status).toBe(404);
    await admin.delete('/api/v1/number-locks/02100000001');
    expect((await otherApi.get('/api/v1/number-locks')).body.items).toHaveLength(1);
  });
});
