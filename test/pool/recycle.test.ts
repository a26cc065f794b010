import { beforeAll, describe, expect, it } from 'vitest';
import { poolNoticeJob, poolRecycleJob, recycleTenant } from '../../src/core/pool/pool.jobs.ts';
import type { RunningJob } from '../../src/jobs/types.ts';
import { dictionaryItem, makeMember } from '../helpers/crm.ts';
import { client, fixedClock, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';
import { defaultPoolId, RULES_OFF, setRules } from './pool.helpers.ts';

type Api = ReturnType<typeof client>;

// Asia/Shanghai is UTC+8: 02:00Z is 10:00 local on the same day.
const clock = fixedClock('2030-03-01T02:00:00Z');

let h: Harness;
let tenant: TestTenant;
let admin: Api;
let poolId: string;
let owner: Awaited<ReturnType<typeof makeMember>>;
let gradeA: string;
const ids: Record<string, string> = {};

const job = (kind: string): RunningJob => ({ id: '1', tenantId: tenant.id, kind, payload: {}, attempt: 1, runAt: clock.now() });
const recycle = () => poolRecycleJob(job('pool.recycle'), { db: h.database.db, services: h.services, clock });
const notice = () => poolNoticeJob(job('pool.notice'), { db: h.database.db, services: h.services, clock });

const inPool = async () => {
  const rows = await h.database.db.selectFrom('customer').select('id').where('tenant_id', '=', tenant.id).where('in_pool', '=', true).execute();
  const pooled = new Set(rows.map((r) => r.id));
  return Object.keys(ids).filter((name) => pooled.has(ids[name]!)).sort();
};

const status = async (name: string) => {
  const res = await admin.get(`/api/v1/customers/${ids[name]}/pool-status`);
  expect(res.status).toBe(200);
  return res.body;
};

const rules = { recycleNoFollowDays: 10, noticeDays: 2, exemptLocked: true, exemptWon: true, exemptOpenOpportunities: true };

beforeAll(async () => {
  h = await setupHarness({ clock });
  tenant = await makeTenant(h);
  admin = client(h.app, tenant.adminToken);
  poolId = await defaultPoolId(admin);
  owner = await makeMember(h, tenant);
  gradeA = (await dictionaryItem(h, tenant.ctx, 'customer_grade', 1)).id;
  await setRules(admin, poolId, { ...rules, gradeDays: { [gradeA]: 3 } });
  const make = async (name: string, extra: Record<string, unknown> = {}) => {
    ids[name] = (await h.services.customers.create(owner.ctx, { name, ...extra })).id;
  };
  await make('plain');
  await make('graded', { gradeId: gradeA });
  await make('locked', { isLocked: true });
  await make('won', { isWon: true });
  await make('opened');
  await h.services.opportunities.create(owner.ctx, { customerId: ids.opened!, name: '在谈商机' });
  await make('followed');
  await make('reassigned');
  await make('lateNight');
  const set = (name: string, values: Record<string, Date>) => h.database.db.updateTable('customer').set(values).where('tenant_id', '=', tenant.id).where('id', '=', ids[name]!).execute();
  await set('followed', { last_follow_at: new Date('2030-03-06T02:00:00Z') });
  // Followed up before it changed hands: the later assignment counts.
  await set('reassigned', { last_follow_at: new Date('2030-03-02T02:00:00Z'), assigned_at: new Date('2030-03-07T02:00:00Z') });
  // 17:00Z on Mar 1 is already Mar 2 in Shanghai.
  await set('lateNight', { assigned_at: new Date('2030-03-01T17:00:00Z') });
});

describe('pool status', () => {
  it('shows the days left, per-grade days and exemptions', async () => {
    expect(await status('plain')).toEqual({ inPool: false, poolId, daysLeft: 10, comingFree: false, recycleOn: '2030-03-11' });
    expect(await status('graded')).toMatchObject({ daysLeft: 3, comingFree: false, recycleOn: '2030-03-04' });
    expect(await status('locked')).toMatchObject({ daysLeft: null, comingFree: false });
    expect(await status('opened')).toMatchObject({ daysLeft: null });
    expect(await status('lateNight')).toMatchObject({ daysLeft: 11, recycleOn: '2030-03-12' });
  });
});

describe('recycle job', () => {
  it('recycles by the grade days first, recording the move', async () => {
    clock.set('2030-03-04T01:00:00Z');
    await recycle();
    expect(await inPool()).toEqual(['graded']);
    const customer = await h.database.db.selectFrom('customer').selectAll().where('id', '=', ids.graded!).executeTakeFirstOrThrow();
    expect(customer).toMatchObject({ owner_id: null, last_owner_id: owner.user.id, pool_moves: 1, pool_move_kind: 'system', pool_reason: 'no follow-up for 3 days', pool_id: poolId, version: 2 });
    expect(customer.pool_moved_at?.toISOString()).toBe('2030-03-04T01:00:00.000Z');
    const history = await admin.get(`/api/v1/customers/${ids.graded}/ownership-history`);
    expect(history.body.items).toEqual([expect.objectContaining({ move: 'recycle', fromUserId: owner.user.id, toUserId: null, byUserId: null, poolId })]);
    const events = await h.database.db.selectFrom('outbox_event').select(['type', 'data']).where('tenant_id', '=', tenant.id).where('type', '=', 'pool.recycled').execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ customerId: ids.graded, fromUserId: owner.user.id });
    const notes = await h.database.db.selectFrom('notification').selectAll().where('tenant_id', '=', tenant.id).where('kind', '=', 'pool.recycled').execute();
    expect(notes.map((n) => n.user_id)).toEqual([owner.user.id]);
    await recycle();
    expect(await h.database.db.selectFrom('ownership_history').select('id').where('tenant_id', '=', tenant.id).execute()).toHaveLength(1);
  });

  it('notifies the owner once within the notice period', async () => {
    clock.set('2030-03-09T02:00:00Z');
    expect(await status('plain')).toMatchObject({ daysLeft: 2, comingFree: true });
    await notice();
    await notice();
    const notes = await h.database.db.selectFrom('notification').selectAll().where('tenant_id', '=', tenant.id).where('kind', '=', 'pool.recycle_notice').execute();
    expect(notes.map((n) => n.entity_id)).toEqual([ids.plain]);
    expect(notes[0]).toMatchObject({ user_id: owner.user.id, entity: 'customer' });
    expect(notes[0]!.title).toContain('2030-03-11');
  });

  it('counts days without follow-up in the tenant calendar, from the later of follow-up and assignment, with exemptions', async () => {
    clock.set('2030-03-11T02:00:00Z');
    await recycle();
    expect(await inPool()).toEqual(['graded', 'plain']);
    clock.set('2030-03-11T15:59:00Z'); // 23:59 on Mar 11 in Shanghai
    await recycle();
    expect(await inPool()).toEqual(['graded', 'plain']);
    clock.set('2030-03-11T16:00:00Z'); // midnight: Mar 12 in Shanghai
    await recycle();
    expect(await inPool()).toEqual(['graded', 'lateNight', 'plain']);
    clock.set('2030-03-16T02:00:00Z');
    await recycle();
    expect(await inPool()).toEqual(['followed', 'graded', 'lateNight', 'plain']);
    clock.set('2030-03-17T02:00:00Z');
    await recycle();
    expect(await inPool()).toEqual(['followed', 'graded', 'lateNight', 'plain', 'reassigned']);
  });

  it('recycles locked, won and open-opportunity customers once their exemptions are switched off', async () => {
    await setRules(admin, poolId, { ...rules, exemptLocked: false });
    await recycle();
    expect(await inPool()).toContain('locked');
    expect(await inPool()).not.toContain('won');
    await setRules(admin, poolId, { ...RULES_OFF, recycleNoFollowDays: 10, exemptLocked: false, exemptWon: false, exemptOpenOpportunities: false });
    await recycle();
    expect(await inPool()).toEqual(Object.keys(ids).sort());
  });

  it('recycles by days without a deal when that rule is on', async () => {
    await setRules(admin, poolId, { ...RULES_OFF, recycleNoDealDays: 30 });
    const fresh = await h.services.customers.create(owner.ctx, { name: '久未成交' });
    await h.database.db.updateTable('customer').set({ last_follow_at: clock.now(), last_deal_at: new Date('2030-03-10T02:00:00Z') }).where('id', '=', fresh.id).execute();
    clock.set('2030-04-15T02:00:00Z'); // 30 days after assignment on Mar 17 falls on Apr 16
    await recycle();
    expect((await h.database.db.selectFrom('customer').select('in_pool').where('id', '=', fresh.id).executeTakeFirstOrThrow()).in_pool).toBe(false);
    clock.set('2030-04-16T02:00:00Z');
    await recycle();
    const row = await h.database.db.selectFrom('customer').select(['in_pool', 'pool_reason']).where('id', '=', fresh.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ in_pool: true, pool_reason: 'no deal for 30 days' });
  });
});

describe('recycle in slices', () => {
  it('moves each due customer once across slices and tells each owner their total', async () => {
    const other = await makeTenant(h, { slug: 'sliced' });
    const otherAdmin = client(h.app, other.adminToken);
    await setRules(otherAdmin, await defaultPoolId(otherAdmin), { ...RULES_OFF, recycleNoFollowDays: 5 });
    const first = await makeMember(h, other);
    const second = await makeMember(h, other);
    const made: string[] = [];
    for (const [i, member] of [first, first, second, first, second, first, first].entries()) {
      made.push((await h.services.customers.create(member.ctx, { name: `分批回收${i}` })).id);
    }
    clock.set('2030-05-20T02:00:00Z');
    expect(await recycleTenant(h.database.db, clock, other.id, 2)).toBe(7);
    const moved = await h.database.db.selectFrom('customer').select(['id', 'in_pool', 'owner_id']).where('tenant_id', '=', other.id).orderBy('id').execute();
    expect(moved.map((c) => [c.id, c.in_pool, c.owner_id])).toEqual(made.map((id) => [id, true, null]));
    const history = await h.database.db.selectFrom('ownership_history').select('customer_id').where('tenant_id', '=', other.id).where('move', '=', 'recycle').execute();
    expect(history.map((r) => r.customer_id).sort()).toEqual([...made].sort());
    const notes = await h.database.db.selectFrom('notification').select(['user_id', 'title']).where('tenant_id', '=', other.id).where('kind', '=', 'pool.recycled').orderBy('user_id').execute();
    expect(notes).toEqual([
      { user_id: first.user.id, title: '5 个客户已被回收到公海' },
      { user_id: second.user.id, title: '2 个客户已被回收到公海' },
    ]);
    // The other tenant's customers were not touched by this tenant's run.
    expect(await inPool()).toEqual(Object.keys(ids).sort());
    expect(await recycleTenant(h.database.db, clock, other.id, 2)).toBe(0);
  });
});
