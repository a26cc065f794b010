import { beforeAll, describe, expect, it } from 'vitest';
import { makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';
import { crmRows } from './follow-ups.factory.ts';

/** FollowUpChanges.detachOnMove: how seed 000, which has no contact or opportunity fields, moves a follow-up. */
describe('follow-ups: moving to another customer', () => {
  let h: Harness;
  let tenant: TestTenant;
  let rows: ReturnType<typeof crmRows>;
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    rows = crmRows(h, tenant);
  });

  async function linkedFollowUp() {
    const from = await rows.customer('原客户');
    const to = await rows.customer('新客户');
    const contactId = await rows.contact(from);
    const opportunityId = await rows.opportunity(from);
    const followUp = await h.services.followUps.create(tenant.ctx, { customerId: from, userId: tenant.adminId, contactIds: [contactId], opportunityId, content: 'x' });
    return { from, to, followUp };
  }

  it("refuses by default while the follow-up keeps the old customer's contacts", async () => {
    const { to, followUp } = await linkedFollowUp();
    await expect(h.services.followUps.update(tenant.ctx, followUp.id, { customerId: to })).rejects.toMatchObject({ kind: 'invalid', code: 'opportunity_of_other_customer' });
  });

  it('drops contacts and opportunity with detachOnMove, and only when the customer changes', async () => {
    const { from, to, followUp } = await linkedFollowUp();
    const same = await h.services.followUps.update(tenant.ctx, followUp.id, { customerId: from, detachOnMove: true, content: 'y' });
    expect(same).toMatchObject({ contact_ids: followUp.contact_ids, opportunity_id: followUp.opportunity_id });
    const moved = await h.services.followUps.update(tenant.ctx, followUp.id, { customerId: to, detachOnMove: true });
    expect(moved).toMatchObject({ customer_id: to, contact_ids: [], opportunity_id: null });
    expect((await rows.opportunityRow(followUp.opportunity_id!)).last_contact_at).toBeNull();
  });
});
