import { DictionaryCodes } from '../codes.ts';
import { startOfNextDay } from '../datetime.ts';
import { handler } from '../handler.ts';
import type { Params } from '../params.ts';
import { contactHistory, contactPlan } from '../render.ts';

const TITLE_MAX = 200;
const CONTENT_MAX = 100_000;

/** type_id (contact purpose) and route_id as item ids, from their codes. */
async function purposeAndRoute(p: Params, codes: DictionaryCodes) {
  const purposeId = await codes.idOf('contact_purpose', p.int32('type_id'), 'type_id');
  const routeId = await codes.idOf('contact_route', p.int32('route_id'), 'route_id');
  return { purposeId, routeId };
}

const COMMON_FIELDS = {
  customerId: 'customer_id',
  purposeId: 'type_id',
  routeId: 'route_id',
  contactIds: 'link_man_id',
  contactId: 'link_man_id',
  title: 'title',
  content: 'content',
};

export const contactHistoryHandlers = [
  handler({
    module: 'ContactHistory',
    action: 'Get',
    async run({ p, ctx, services }) {
      return contactHistory(await services.followUps.get(ctx, p.id('id', '联系历史')), ctx.tenant.timezone);
    },
  }),
  handler({
    module: 'ContactHistory',
    action: 'Add',
    refusal: false,
    fields: COMMON_FIELDS,
    // A follow-up by the caller, now; link_man_id 0 names no contact.
    async run({ p, ctx, services }) {
      const customerId = p.id('customer_id', '客户');
      const codes = new DictionaryCodes(services, ctx);
      const { purposeId, routeId } = await purposeAndRoute(p, codes);
      const contactId = p.idOrNone('link_man_id');
      const title = p.string('title', { max: TITLE_MAX });
      const content = p.string('content', { max: CONTENT_MAX });
      await services.followUps.create(ctx, { customerId, purposeId, routeId, contactIds: contactId ? [contactId] : [], title, content });
      return true;
    },
  }),
];

export const contactPlanHandlers = [
  handler({
    module: 'ContactPlan',
    action: 'GetContactPlan',
    async run({ p, ctx, services }) {
      const plan = await services.contactPlans.get(ctx, p.id('id', '联系计划'));
      return contactPlan(plan, new DictionaryCodes(services, ctx), ctx.tenant.timezone);
    },
  }),
  handler({
    module: 'ContactPlan',
    action: 'GetContactPlanCount',
    // The caller's own pending plans planned before tomorrow (tenant zone): due today or overdue.
    async run({ ctx, services }) {
      if (!ctx.user) return 0;
      const plannedTo = startOfNextDay(ctx.clock.now(), ctx.tenant.timezone);
      return services.contactPlans.count(ctx, { ownerId: ctx.user.id, status: 'pending', plannedTo });
    },
  }),
  handler({
    module: 'ContactPlan',
    action: 'InsertContactPlan',
    refusal: false,
    fields: { ...COMMON_FIELDS, sourceFollowUpId: 'history_id', plannedAt: 'next_time' },
    // plan_id is checked as an Int32 and otherwise ignored: Genjin assigns the new plan's id.
    // link_man_id and history_id 0 name none; the plan's owner is the caller.
    async run({ p, ctx, services }) {
      p.int32('plan_id', { min: 0 });
      const title = p.string('title', { max: TITLE_MAX });
      const customerId = p.id('customer_id', '客户');
      const { purposeId, routeId } = await purposeAndRoute(p, new DictionaryCodes(services, ctx));
      const contactId = p.idOrNone('link_man_id');
      const sourceFollowUpId = p.idOrNone('history_id');
      const plannedAt = p.dateTime('next_time');
      await services.contactPlans.create(ctx, { customerId, title, plannedAt, purposeId, routeId, contactId, sourceFollowUpId });
      return true;
    },
  }),
  handler({
    module: 'ContactPlan',
    action: 'SaveContactPlan',
    refusal: false,
    fields: { ...COMMON_FIELDS, id: 'plan_id', 'next.plannedAt': 'next_time', 'next.contactId': 'link_man_id' },
    // Executes pending plan plan_id: writes the contact history (now, by the caller), marks the plan
    // done, and schedules the next plan at next_time with the same title, purpose, route and contact.
    async run({ p, ctx, services }) {
      const planId = p.id('plan_id', '联系计划');
      const customerId = p.id('customer_id', '客户');
      const { purposeId, routeId } = await purposeAndRoute(p, new DictionaryCodes(services, ctx));
      const contactId = p.idOrNone('link_man_id');
      const title = p.string('title', { max: TITLE_MAX });
      const content = p.string('content', { max: CONTENT_MAX });
      const plannedAt = p.dateTime('next_time');
      await services.contactPlans.execute(ctx, planId, {
        followUp: { customerId, purposeId, routeId, contactIds: contactId ? [contactId] : [], title, content },
        next: { plannedAt, contactId, purposeId, routeId },
      });
      return true;
    },
  }),
];
