import { Type, type Static } from 'typebox';
import type { ContactPlanView } from '../../core/contact-plans/contact-plans.types.ts';
import { Id, Nullable, PageQuery, Timestamp } from './common.ts';
import { maybeTime, time, type Zoned } from './render.ts';

const Status = Type.Union([Type.Literal('pending'), Type.Literal('done'), Type.Literal('cancelled')], {
  description: 'pending (待执行), done (已执行) or cancelled (已取消)',
});

const When = (description: string) => Type.String({ format: 'date-time', description: `${description} (RFC 3339 with an offset or Z)` });
const Title = Type.String({ minLength: 1, maxLength: 200, description: 'Title (标题): what to contact the customer about' });
const Content = Type.String({ maxLength: 5000, description: 'Content (备注)' });
const DictRef = (description: string) => Type.Optional(Nullable(Id(description)));

const planFields = {
  customerId: Id('The customer to contact'),
  contactId: Type.Optional(Nullable(Id('Contact (联系人) of that customer'))),
  purposeId: DictRef('contact_purpose item (联系类别; seed 004 type_id)'),
  routeId: DictRef('contact_route item (联系方式; seed 004 route_id)'),
  title: Title,
  content: Type.Optional(Nullable(Content)),
  plannedAt: When('When to contact (计划联系时间)'),
  ownerId: Type.Optional(Id('Who is to contact (负责人); default on create: the caller')),
  status: Type.Optional(Status),
  sourceFollowUpId: Type.Optional(Nullable(Id('The follow-up that scheduled this plan (seed 004 history_id); one of the same customer'))),
  fulfilledFollowUpId: Type.Optional(Nullable(Id('The follow-up that fulfilled the plan; only with status done'))),
};

export const CreateContactPlanBody = Type.Object(planFields, { additionalProperties: false });
const { customerId: _customerId, ...nestedFields } = planFields;
/** Under /customers/{id}: the customer comes from the path. */
export const CreateCustomerContactPlanBody = Type.Object(nestedFields, { additionalProperties: false });
export const UpdateContactPlanBody = Type.Object(
  {
    ...planFields,
    customerId: Type.Optional(Id('Moves the plan to another customer; its contact must then be one of that customer')),
    title: Type.Optional(Title),
    plannedAt: Type.Optional(planFields.plannedAt),
  },
  { additionalProperties: false, minProperties: 1 },
);

const Ids = (description: string) => Type.Optional(Type.Array(Id(), { maxItems: 100, description }));

export const ExecuteContactPlanBody = Type.Object(
  {
    contactIds: Ids("Contacts of the follow-up; default: the plan's contact"),
    opportunityId: Type.Optional(Nullable(Id('An opportunity of the customer'))),
    typeId: DictRef('follow_up_type item (跟进类型)'),
    purposeId: DictRef("contact_purpose item; default: the plan's"),
    routeId: DictRef("contact_route item; default: the plan's"),
    eventId: DictRef('visit_event item'),
    title: Type.Optional(Nullable(Type.String({ maxLength: 500, description: "Title of the follow-up; default: the plan's" }))),
    content: Type.Optional(Type.String({ maxLength: 100_000, description: "What happened (HTML kept as given); default: the plan's content" })),
    followedAt: Type.Optional(When('When the contact happened; default: now')),
    site: Type.Optional(Nullable(Type.String({ maxLength: 500, description: 'Check-in site (签到地址)' }))),
    latitude: Type.Optional(Nullable(Type.Number({ minimum: -90, maximum: 90 }))),
    longitude: Type.Optional(Nullable(Type.Number({ minimum: -180, maximum: 180 }))),
    cost: Type.Optional(Nullable(Type.String({ pattern: '^[0-9]{1,16}(\\.[0-9]{1,2})?$', description: 'Cost as a decimal string' }))),
    costNote: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    note: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
    participantIds: Ids('Collaborating users (协作人)'),
    next: Type.Optional(
      Nullable(
        Type.Object(
          {
            plannedAt: When('When to contact next (下次联系时间; seed 004 next_time)'),
            title: Type.Optional(Title),
            content: Type.Optional(Nullable(Content)),
            contactId: Type.Optional(Nullable(Id("Contact; default: the executed plan's"))),
            purposeId: DictRef("Default: the executed plan's"),
            routeId: DictRef("Default: the executed plan's"),
            ownerId: Type.Optional(Id("Default: the executed plan's owner")),
          },
          { additionalProperties: false, description: "The next plan, for the same customer, scheduled from this follow-up; title defaults to the executed plan's" },
        ),
      ),
    ),
  },
  { additionalProperties: false, description: "The follow-up that fulfils the plan; the plan's customer, contact, purpose, route, title and content fill what is absent" },
);

export const ContactPlanSchema = Type.Object(
  {
    id: Id(),
    customerId: Id(),
    customerName: Type.String({ description: 'Name of the customer (客户名称)' }),
    contactId: Nullable(Id()),
    contactName: Nullable(Type.String({ description: 'Name of the contact (联系人)' })),
    purposeId: Nullable(Id()),
    routeId: Nullable(Id()),
    title: Type.String(),
    content: Nullable(Type.String()),
    plannedAt: Timestamp('When to contact'),
    ownerId: Id(),
    status: Status,
    sourceFollowUpId: Nullable(Id('The follow-up that scheduled this plan')),
    fulfilledFollowUpId: Nullable(Id('The follow-up that fulfilled it')),
    doneAt: Nullable(Timestamp('When it was marked done')),
    createdBy: Nullable(Id()),
    updatedBy: Nullable(Id()),
    version: Type.Integer(),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A contact plan (联系计划)' },
);

export const ExecutedPlanSchema = Type.Object(
  {
    plan: ContactPlanSchema,
    followUpId: Id('The follow-up written (GET /follow-ups/{id})'),
    nextPlan: Nullable(ContactPlanSchema),
  },
  { description: 'The executed plan (now done), the follow-up that fulfilled it, and the next plan when one was asked for' },
);

const filters = {
  contactId: Type.Optional(Id()),
  ownerId: Type.Optional(Id('Who is to contact')),
  status: Type.Optional(Status),
  plannedFrom: Type.Optional(When('Planned at or after')),
  plannedTo: Type.Optional(When('Planned before')),
};

const listFields = {
  ...PageQuery,
  ...filters,
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc', description: 'By planned time; ascending puts the next one due first' })),
  withTotal: Type.Optional(Type.Boolean({ description: 'Also count all matches (costs a second query)' })),
};

export const ContactPlanListQuery = Type.Object({ ...listFields, customerId: Type.Optional(Id()) }, { additionalProperties: false });
export const CustomerContactPlanListQuery = Type.Object(listFields, { additionalProperties: false });
export const ContactPlanCountQuery = Type.Object({ ...filters, customerId: Type.Optional(Id()) }, { additionalProperties: false });

export function renderContactPlan(ctx: Zoned, p: ContactPlanView): Static<typeof ContactPlanSchema> {
  return {
    id: p.id,
    customerId: p.customer_id,
    customerName: p.customer_name,
    contactId: p.contact_id,
    contactName: p.contact_name,
    purposeId: p.purpose_id,
    routeId: p.route_id,
    title: p.title,
    content: p.content,
    plannedAt: time(ctx, p.planned_at),
    ownerId: p.owner_id,
    status: p.status,
    sourceFollowUpId: p.source_follow_up_id,
    fulfilledFollowUpId: p.fulfilled_follow_up_id,
    doneAt: maybeTime(ctx, p.done_at),
    createdBy: p.created_by,
    updatedBy: p.updated_by,
    version: p.version,
    createdAt: time(ctx, p.created_at),
    updatedAt: time(ctx, p.updated_at),
  };
}
