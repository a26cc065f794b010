import { beforeAll, describe, expect, it } from 'vitest';
import { makeCustomer, makeCustomField } from '../../helpers/crm.ts';
import { client, fixedClock, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { defaultPoolId, setRules } from '../../pool/pool.helpers.ts';
import { SAMPLE_ANSWER, shapeDifferences } from './shape.ts';

const MID = '347772778973233152';

/** The item's derived fields come from the data behind them: follow-ups, plans, deals, leads and the pool. */
describe('POST /api/moduleData/update: the item from real data', () => {
  // 2026-03-10 02:00 UTC is 10:00 in Asia/Shanghai, the tenant's default zone.
  const clock = fixedClock('2026-03-10T02:00:00Z');
  let h: Harness;
  let tenant: TestTenant;

  const update = async (body: Record<string, unknown>) => {
    const res = await h.app.inject({ method: 'POST', url: '/api/moduleData/update', payload: { mid: MID, ...body }, headers: { authorization: `Bearer ${tenant.adminToken}` } });
    expect(res.statusCode, res.body).toBe(200);
    const answer = res.json();
    expect(shapeDifferences(SAMPLE_ANSWER, answer)).toEqual([]);
    return answer.data.item;
  };

  beforeAll(async () => {
    h = await setupHarness({ clock });
    tenant = await makeTenant(h);
    // The module form of the seed's sample.
    await makeCustomField(h, tenant.ctx, 'customer', 'textarea', { key: 'textarea_1680158327352' });
    await makeCustomField(h, tenant.ctx, 'customer', 'select', { key: 'select_1680162080347', options: [{ name: '重要' }] });
    await makeCustomField(h, tenant.ctx, 'customer', 'input', { key: 'input_1680509561692' });
  });

  it('shows the last follow-up, the next plan and times in the tenant’s zone', async () => {
    const c = await makeCustomer(h, tenant.ctx, { name: '有跟进' });
    await h.services.followUps.create(tenant.ctx, { customerId: c.id, userId: tenant.adminId, content: '<p>电话沟通了报价</p>', followedAt: new Date('2026-03-09T06:30:00Z') });
    await h.services.contactPlans.create(tenant.ctx, { customerId: c.id, title: '回访', ownerId: tenant.adminId, plannedAt: new Date('2026-03-12T01:00:00Z') });
    const item = await update({ id: c.id });
    expect(item).toMatchObject({
      last_follow_log: '电话沟通了报价',
      last_follow_at: '2026-03-09 14:30:00',
      next_follow_at: '2026-03-12 09:00:00',
      created_at: '2026-03-10 10:00:00',
      updated_at: '2026-03-10 10:00:00',
    });
  });

  it('shows the last deal from the customer’s deal columns, the amount as exact decimal text', async () => {
    const c = await makeCustomer(h, tenant.ctx, { name: '成交过' });
    // The columns contracts maintain.
    await h.database.db
      .updateTable('customer')
      .set({ last_deal_at: new Date('2026-02-01T08:00:00Z'), last_deal_amount: '12345678901234.56' })
      .where('tenant_id', '=', tenant.id)
      .where('id', '=', c.id)
      .execute();
    expect(await update({ id: c.id })).toMatchObject({ last_deal_at: '2026-02-01 16:00:00', last_deal_money: '12345678901234.56' });
  });

  it('shows the lead fields of a lead taken by a user', async () => {
    const { user } = await makeUser(h, tenant);
    const c = await makeCustomer(h, tenant.ctx, { name: '线索', isLead: true, ownerId: user.id, leadExternalId: 'ocpc-42', leadPlatform: '巨量引擎' });
    await h.database.db
      .updateTable('customer')
      .set({ lead_ocpc_data: JSON.stringify({ value: [{ event: 'form' }], display: '表单提交' }), lead_blacklisted: true })
      .where('tenant_id', '=', tenant.id)
      .where('id', '=', c.id)
      .execute();
    clock.advance(90_000);
    const item = await update({ id: c.id, own_id: user.id });
    expect(item).toMatchObject({
      is_clue: 1,
      client_position: 'clue',
      clue_is_assign: true,
      clue_user: { id: user.id, name: user.name, avatar_url: '' },
      first_assign_diff: '2026-03-10 10:00:00',
      first_assign_time: 0,
      clue_id_unique: 'ocpc-42',
      api_platform: '巨量引擎',
      clue_is_black: 1,
      clue_ocpc_data: { value: [{ event: 'form' }], display: '表单提交' },
      assign_at: '2026-03-10 10:00:00',
    });
  });

  it('shows the days left before the pool recycles the customer', async () => {
    const api = client(h.app, tenant.adminToken);
    await setRules(api, await defaultPoolId(api), { recycleNoFollowDays: 10, noticeDays: 12 });
    const { user } = await makeUser(h, tenant);
    const c = await makeCustomer(h, tenant.ctx, { name: '快到期', ownerId: user.id });
    const item = await update({ id: c.id, own_id: user.id });
    expect(item).toMatchObject({ _left_days: 10, _coming_free: true, is_public: 0, client_position: 'client' });
    await setRules(api, await defaultPoolId(api), {});
  });
});
