import { beforeAll, describe, expect, it } from 'vitest';
import { makeCustomer } from '../helpers/crm.ts';
import { fixedClock, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

let h: Harness;
let tenant: TestTenant;
const clock = fixedClock('2030-02-01T00:00:00Z');

beforeAll(async () => {
  h = await setupHarness({ clock });
  tenant = await makeTenant(h);
});

/** Ids are per table, so a follow-up may share its id with a customer: match the entity kind too. */
const eventsOf = (entity: string, entityId: string) =>
  h.database.db
    .selectFrom('outbox_event')
    .select(['type', 'entity_id', 'data', 'occurred_at'])
    .where('tenant_id', '=', tenant.id)
    .where('entity_id', '=', entityId)
    .where('type', 'like', `${entity}.%`)
    .orderBy('id')
    .execute();

describe('outbox events from the CRM services', () => {
  it('records customer, follow-up and opportunity changes with a compact snapshot', async () => {
    const customer = await makeCustomer(h, tenant.ctx, { name: '事件客户', phones: ['13800000000'], ownerId: tenant.adminId });
    await h.services.customers.update(tenant.ctx, customer.id, { note: '改了' });
    const followUp = await h.services.followUps.create(tenant.ctx, { customerId: customer.id, content: '<p>拜访</p>', userId: tenant.adminId });
    await h.services.followUps.update(tenant.ctx, followUp.id, { content: '再次拜访' });
    await h.services.followUps.delete(tenant.ctx, followUp.id);
    const opportunity = await h.services.opportunities.create(tenant.ctx, { customerId: customer.id, name: '大单' });
    await h.services.opportunities.update(tenant.ctx, opportunity.id, { name: '更大的单' });
    await h.services.opportunities.delete(tenant.ctx, opportunity.id);
    await h.services.customers.delete(tenant.ctx, customer.id);

    const customerEvents = await eventsOf('customer', customer.id);
    expect(customerEvents.map((e) => e.type)).toEqual(['customer.created', 'customer.updated', 'customer.deleted']);
    expect(customerEvents[0]!.data).toMatchObject({ id: customer.id, name: '事件客户', phones: ['13800000000'], ownerId: tenant.adminId, version: 1 });
    expect(customerEvents[0]!.occurred_at.toISOString()).toBe('2030-02-01T00:00:00.000Z');
    expect(customerEvents[2]!.data).toMatchObject({ deletedAt: '2030-02-01T00:00:00.000Z' });
    const followUpEvents = await eventsOf('follow_up', followUp.id);
    expect(followUpEvents.map((e) => e.type)).toEqual(['follow_up.created', 'follow_up.updated', 'follow_up.deleted']);
    expect(followUpEvents[0]!.data).toMatchObject({ id: followUp.id, customerId: customer.id, content: '拜访' });
    expect(followUpEvents[1]!.data).toMatchObject({ content: '再次拜访' });
    const opportunityEvents = await eventsOf('opportunity', opportunity.id);
    expect(opportunityEvents.map((e) => e.type)).toEqual(['opportunity.created', 'opportunity.updated', 'opportunity.deleted']);
    expect(opportunityEvents[1]!.data).toMatchObject({ id: opportunity.id, customerId: customer.id, name: '更大的单', status: 'open' });
  });

  it('records nothing when the write fails: the event is part of the same transaction', async () => {
    const customer = await makeCustomer(h, tenant.ctx, { name: '失败客户' });
    const before = await eventsOf('customer', customer.id);
    // The tag does not exist, so the update fails after the row itself was changed.
    await expect(h.services.customers.update(tenant.ctx, customer.id, { note: 'x', tagIds: ['999999999'] })).rejects.toThrow();
    await expect(h.services.customers.update(tenant.ctx, customer.id, { ownerId: '999999999' })).rejects.toThrow();
    expect(await eventsOf('customer', customer.id)).toEqual(before);
    expect((await h.services.customers.get(tenant.ctx, customer.id)).note).toBeNull();
  });
});
