import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { client, fixedClock, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';
import { defaultPoolId, newCustomer, setRules } from './pool.helpers.ts';

type Api = ReturnType<typeof client>;

const HOUR = 3_600_000;
const clock = fixedClock('2030-03-01T02:00:00Z');

let h: Harness;
let tenant: TestTenant;
let admin: Api;
let manager: Api;
let poolId: string;
const sales: { id: string; api: Api }[] = [];

beforeAll(async () => {
  h = await setupHarness({ clock });
  tenant = await makeTenant(h);
  admin = client(h.app, tenant.adminToken);
  manager = client(h.app, (await makeUser(h, tenant, { role: 'manager' })).token);
  for (let i = 0; i < 6; i++) {
    const { user, token } = await makeUser(h, tenant, { role: 'sales' });
    sales.push({ id: user.id, api: client(h.app, token) });
  }
  poolId = await defaultPoolId(admin);
});

beforeEach(async () => {
  await setRules(admin, poolId);
});

const a = () => sales[0]!;
const b = () => sales[1]!;
const c = () => sales[2]!;

async function released(owner = a(), reason = '无意向') {
  const id = await newCustomer(owner.api, `客户${Math.random().toString(36).slice(2, 7)}`);
  const res = await owner.api.post(`/api/v1/customers/${id}/release`, { reason });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return id;
}

describe('pools', () => {
  it('every new tenant has a default pool with every rule off', async () => {
    const pools = await sales[0]!.api.get('/api/v1/pools');
    expect(pools.status).toBe(200);
    expect(pools.body.items).toHaveLength(1);
    expect(pools.body.items[0]).toMatchObject({ isDefault: true, name: '公海', planHandling: 'cancel', memberUserIds: [], adminUserIds: [] });
    const rules = await admin.get(`/api/v1/pools/${poolId}/rules`);
    expect(rules.body).toMatchObject({ poolId, recycleNoFollowDays: null, recycleNoDealDays: null, ownerCap: null, dailyClaimLimit: null });
  });

  it('lets only pool managers create and change pools', async () => {
    expect((await a().api.post('/api/v1/pools', { name: '华南公海' })).status).toBe(403);
    const created = await manager.post('/api/v1/pools', { name: '华南公海', memberUserIds: [b().id], planHandling: 'transfer' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ isDefault: false, memberUserIds: [b().id], planHandling: 'transfer' });
    const changed = await manager.patch(`/api/v1/pools/${created.body.id}`, { adminUserIds: [c().id] }, { 'if-match': '"1"' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ adminUserIds: [c().id], version: 2 });
    expect((await manager.patch(`/api/v1/pools/${created.body.id}`, { name: 'x' }, { 'if-match': '"1"' })).status).toBe(412);
    const bad = await manager.post('/api/v1/pools', { name: '坏', memberUserIds: ['999999'] });
    expect(bad.status).toBe(422);
  });
});

describe('release and claim', () => {
  it('release puts the customer in the pool with its counters and a history entry', async () => {
    const id = await released(a(), '客户无意向');
    const customer = await admin.get(`/api/v1/customers/${id}`);
    expect(customer.body).toMatchObject({ ownerId: null, lastOwnerId: a().id, pool: { inPool: true, moves: 1, lastMoveKind: 'manual', reason: '客户无意向', poolId } });
    expect(customer.body.pool.lastMovedAt).toBe('2030-03-01T10:00:00.000+08:00');
    const history = await admin.get(`/api/v1/customers/${id}/ownership-history`);
    expect(history.body.items).toEqual([
      expect.objectContaining({ move: 'release', fromUserId: a().id, toUserId: null, byUserId: a().id, reason: '客户无意向', poolId }),
    ]);
    const events = await h.database.db.selectFrom('outbox_event').select(['type', 'data']).where('tenant_id', '=', tenant.id).where('entity_id', '=', id).execute();
    expect(events.map((e) => e.type)).toContain('pool.released');
    const again = await admin.post(`/api/v1/customers/${id}/release`, {});
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('pool_already_in_pool');
    const listed = await b().api.get(`/api/v1/pools/${poolId}/customers?limit=500`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((x: { id: string }) => x.id)).toContain(id);
  });

  it('another sales user claims it; the customer keeps its history', async () => {
    const id = await released();
    const res = await b().api.post(`/api/v1/customers/${id}/claim`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ customerId: id, move: 'claim', ownerId: b().id, lastOwnerId: a().id, inPool: false, poolMoves: 1 });
    const history = await b().api.get(`/api/v1/customers/${id}/ownership-history`);
    expect(history.body.items.map((m: { move: string }) => m.move)).toEqual(['claim', 'release']);
    expect(history.body.items[0]).toMatchObject({ fromUserId: a().id, toUserId: b().id, byUserId: b().id });
    // The previous owner no longer sees it.
    expect((await a().api.get(`/api/v1/customers/${id}`)).status).toBe(404);
  });

  it('a sales user cannot release a customer of someone else (not visible: 404)', async () => {
    const id = await newCustomer(a().api, '别人的客户');
    const res = await b().api.post(`/api/v1/customers/${id}/release`, {});
    expect(res.status).toBe(404);
    expect((await admin.get(`/api/v1/customers/${id}`)).body.pool.inPool).toBe(false);
  });

  it('refuses a claim during the protection period', async () => {
    await setRules(admin, poolId, { protectionHours: 24 });
    const id = await released();
    const res = await b().api.post(`/api/v1/customers/${id}/claim`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('pool_protected');
    expect(res.body.detail).toMatch(/Protection period/);
    clock.advance(25 * HOUR);
    expect((await b().api.post(`/api/v1/customers/${id}/claim`)).status).toBe(200);
  });

  it('refuses the previous owner during the cool-down, not others', async () => {
    await setRules(admin, poolId, { reclaimCooldownDays: 7 });
    const id = await released(a());
    const res = await a().api.post(`/api/v1/customers/${id}/claim`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('pool_cooldown');
    expect(res.body.detail).toMatch(/Cool-down/);
    clock.advance(7 * 24 * HOUR + 1000);
    expect((await a().api.post(`/api/v1/customers/${id}/claim`)).status).toBe(200);
  });

  it('refuses claims past the daily limit until the next day', async () => {
    await setRules(admin, poolId, { dailyClaimLimit: 2 });
    const ids = [await released(a()), await released(a()), await released(a())];
    expect((await b().api.post(`/api/v1/customers/${ids[0]}/claim`)).status).toBe(200);
    expect((await b().api.post(`/api/v1/customers/${ids[1]}/claim`)).status).toBe(200);
    const third = await b().api.post(`/api/v1/customers/${ids[2]}/claim`);
    expect(third.status).toBe(403);
    expect(third.body.code).toBe('pool_daily_limit');
    expect(third.body.detail).toMatch(/Daily claim limit/);
    clock.advance(24 * HOUR);
    expect((await b().api.post(`/api/v1/customers/${ids[2]}/claim`)).status).toBe(200);
  });

  it('refuses a claim once the owner cap is reached (won customers not counted unless switched on)', async () => {
    const owner = sales[3]!;
    await newCustomer(owner.api, '已有客户');
    const won = await owner.api.post('/api/v1/customers', { name: '成交客户', isWon: true });
    expect(won.status).toBe(201);
    await setRules(admin, poolId, { ownerCap: 2 });
    const id = await released(a());
    expect((await owner.api.post(`/api/v1/customers/${id}/claim`)).status).toBe(200);
    const second = await released(a());
    await setRules(admin, poolId, { ownerCap: 2, capCountsWon: true });
    const refused = await owner.api.post(`/api/v1/customers/${second}/claim`);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('pool_cap_reached');
    expect(refused.body.detail).toMatch(/Owner cap reached/);
  });

  it('lets exactly one of several racing claims win', async () => {
    const id = await released(a());
    const results = await Promise.all(sales.slice(1).map((s) => s.api.post(`/api/v1/customers/${id}/claim`)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const losers = results.filter((r) => r.status !== 200);
    expect(losers).toHaveLength(sales.length - 2);
    for (const r of losers) {
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('pool_already_claimed');
    }
    const claims = await h.database.db.selectFrom('ownership_history').select('id').where('customer_id', '=', id).where('move', '=', 'claim').execute();
    expect(claims).toHaveLength(1);
  });
});

describe('assign', () => {
  it('a manager assigns a pool customer; a sales user may not', async () => {
    const id = await released(a());
    const refused = await b().api.post(`/api/v1/customers/${id}/assign`, { userId: b().id });
    expect(refused.status).toBe(403);
    const res = await manager.post(`/api/v1/customers/${id}/assign`, { userId: c().id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ move: 'assign', ownerId: c().id, inPool: false });
    const history = await admin.get(`/api/v1/customers/${id}/ownership-history`);
    expect(history.body.items[0]).toMatchObject({ move: 'assign', fromUserId: a().id, toUserId: c().id });
    const again = await manager.post(`/api/v1/customers/${id}/assign`, { userId: b().id });
    expect(again.status).toBe(409);
  });

  it('refuses to set the owner of a pool customer through PATCH: claim or assign it', async () => {
    const id = await released(a());
    const res = await admin.patch(`/api/v1/customers/${id}`, { ownerId: c().id });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'customer_in_pool', errors: [{ field: 'ownerId' }] });
    const status = await admin.get(`/api/v1/customers/${id}/pool-status`);
    expect(status.body).toMatchObject({ inPool: true });
  });
});

describe("the previous owner's pending plans", () => {
  async function withPlan() {
    const id = await newCustomer(a().api, '有计划的客户');
    const plannedAt = '2030-06-01T02:00:00.000Z';
    const plan = await a().api.post('/api/v1/contact-plans', { customerId: id, title: '回访', plannedAt });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    expect((await a().api.post(`/api/v1/customers/${id}/release`, {})).status).toBe(200);
    return { id, planId: plan.body.id as string, plannedAt };
  }

  it('are cancelled when the pool says so', async () => {
    const { id, planId } = await withPlan();
    expect((await b().api.post(`/api/v1/customers/${id}/claim`)).status).toBe(200);
    const plan = await h.database.db.selectFrom('contact_plan').selectAll().where('id', '=', planId).executeTakeFirstOrThrow();
    expect(plan.status).toBe('cancelled');
    expect((await b().api.get(`/api/v1/customers/${id}`)).body.nextFollowAt).toBeNull();
  });

  it('are handed to the new owner when the pool says so', async () => {
    const updated = await manager.patch(`/api/v1/pools/${poolId}`, { planHandling: 'transfer' });
    expect(updated.status).toBe(200);
    try {
      const { id, planId, plannedAt } = await withPlan();
      expect((await b().api.post(`/api/v1/customers/${id}/claim`)).status).toBe(200);
      const plan = await h.database.db.selectFrom('contact_plan').selectAll().where('id', '=', planId).executeTakeFirstOrThrow();
      expect(plan).toMatchObject({ status: 'pending', owner_id: b().id });
      const customer = await b().api.get(`/api/v1/customers/${id}`);
      expect(new Date(customer.body.nextFollowAt).toISOString()).toBe(plannedAt);
    } finally {
      await manager.patch(`/api/v1/pools/${poolId}`, { planHandling: 'cancel' });
    }
  });
});
