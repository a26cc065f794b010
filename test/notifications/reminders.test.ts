import { beforeAll, describe, expect, it } from 'vitest';
import { contactPlanRemindJob, REMINDER_LEAD_MS } from '../../src/core/notifications/reminders.ts';
import { makeCustomer, makeMember } from '../helpers/crm.ts';
import { client, fixedClock, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';
import { runJob } from '../helpers/jobs.ts';

let h: Harness;
let tenant: TestTenant;
const clock = fixedClock('2030-03-01T08:00:00Z');

beforeAll(async () => {
  h = await setupHarness({ clock });
  tenant = await makeTenant(h);
});

const remind = (tenantId: string | null = tenant.id) => runJob(h, contactPlanRemindJob, { tenantId, kind: 'contact_plan.remind' });
const dueEvents = () => h.database.db.selectFrom('outbox_event').selectAll().where('tenant_id', '=', tenant.id).where('type', '=', 'contact_plan.due').orderBy('id').execute();

describe('contact plan reminders', () => {
  it('notifies the owner once per plan and planned time, and records contact_plan.due once, however often the job runs', async () => {
    const owner = await makeMember(h, tenant);
    const customer = await makeCustomer(h, tenant.ctx, { name: '提醒客户', ownerId: owner.user.id });
    const now = clock.now().getTime();
    const plan = (offsetMs: number, title: string) =>
      h.services.contactPlans.create(tenant.ctx, { customerId: customer.id, title, plannedAt: new Date(now + offsetMs), ownerId: owner.user.id });
    const overdue = await plan(-3_600_000, '逾期');
    const soon = await plan(REMINDER_LEAD_MS - 60_000, '快到了');
    await plan(REMINDER_LEAD_MS + 3_600_000, '以后');
    const done = await plan(-60_000, '已完成');
    await h.services.contactPlans.update(tenant.ctx, done.id, { status: 'done' });

    await remind();
    await remind();
    const api = client(h.app, owner.token);
    const listed = await api.get('/api/v1/notifications');
    expect(listed.body.items).toHaveLength(2);
    expect(listed.body.items.map((n: { entityId: string }) => n.entityId).sort()).toEqual([overdue.id, soon.id].sort());
    expect(listed.body.items[0]).toMatchObject({ kind: 'contact_plan.due', entity: 'contact_plan', body: '提醒客户' });
    const events = await dueEvents();
    expect(events.map((e) => e.entity_id).sort()).toEqual([overdue.id, soon.id].sort());
    expect(events.find((e) => e.entity_id === overdue.id)!.data).toEqual({
      id: overdue.id,
      customerId: customer.id,
      ownerId: owner.user.id,
      title: '逾期',
      plannedAt: new Date(now - 3_600_000).toISOString(),
    });
    const keys = await h.database.db.selectFrom('notification').select('dedupe_key').where('entity_id', '=', overdue.id).execute();
    expect(keys).toEqual([{ dedupe_key: `plan:${overdue.id}:${new Date(now - 3_600_000).toISOString()}` }]);

    // A rescheduled plan is a new reminder; an unchanged one is still not repeated.
    clock.advance(2 * 3_600_000);
    await h.services.contactPlans.update(tenant.ctx, overdue.id, { plannedAt: new Date(clock.now().getTime() - 1000) });
    await remind(null);
    await remind();
    expect((await api.get('/api/v1/notifications')).body.items).toHaveLength(4);
    expect((await dueEvents()).filter((e) => e.entity_id === overdue.id)).toHaveLength(2);
  });
});
