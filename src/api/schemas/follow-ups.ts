import { Type, type Static } from 'typebox';
import type { FollowUpView } from '../../core/follow-ups/follow-ups.service.ts';
import { Id, Nullable, Page, PageQuery, Timestamp } from './common.ts';
import { CustomFieldNames, CustomFieldValues } from './customers.ts';
import { time, type Zoned } from './render.ts';

const Text = (description: string, maxLength: number) => Type.Optional(Nullable(Type.String({ maxLength, description })));
const DictRef = (description: string) => Type.Optional(Nullable(Id(description)));
const When = (description: string) => Type.Optional(Type.String({ format: 'date-time', description }));

const AttachmentBody = Type.Object(
  {
    id: Type.Optional(Id('An attachment the follow-up has: kept (and changed where given). Leave out to add a new one')),
    name: Type.Optional(Type.String({ maxLength: 255, description: "Display name; default: the stored file's name or the URL's last segment" })),
    url: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: 'External address (http or https, or a path); or give fileId' }))),
    fileId: Type.Optional(Nullable(Id('A file uploaded through POST /files'))),
    businessCode: Type.Optional(Nullable(Type.String({ maxLength: 100, description: "The client's category for the attachment (业务编码)" }))),
  },
  { additionalProperties: false },
);

const followUpFields = {
  customerId: Id('The customer followed up'),
  contactIds: Type.Optional(Type.Array(Id(), { maxItems: 100, description: "Contacts of the customer (联系人); replaces the list on update" })),
  opportunityId: Type.Optional(Nullable(Id('An opportunity of the same customer (商机)'))),
  typeId: DictRef('follow_up_type item (跟进类型)'),
  purposeId: DictRef('contact_purpose item (联系类别)'),
  routeId: DictRef('contact_route item (联系方式)'),
  eventId: DictRef('visit_event item (跟进事件)'),
  title: Text('Title', 500),
  content: Type.Optional(Type.String({ maxLength: 100_000, description: 'Content as HTML (or plain text); kept as given, its plain text derived as contentText' })),
  followedAt: When('When the follow-up happened; default on create: now'),
  site: Text('Check-in site (签到地址)', 500),
  latitude: Type.Optional(Nullable(Type.Number({ minimum: -90, maximum: 90, description: 'Check-in latitude; give longitude with it' }))),
  longitude: Type.Optional(Nullable(Type.Number({ minimum: -180, maximum: 180, description: 'Check-in longitude; give latitude with it' }))),
  cost: Type.Optional(Nullable(Type.String({ pattern: '^[0-9]{1,16}(\\.[0-9]{1,2})?$', description: 'Cost spent (费用支出), a decimal amount ≥ 0 such as "128.50"' }))),
  costNote: Text('What the cost was for (费用说明)', 1000),
  note: Text('Remark apart from the content (跟进备注)', 5000),
  attachments: Type.Optional(
    Type.Array(AttachmentBody, { maxItems: 50, description: 'On update: items with an id are kept, items without one added, attachments not listed removed' }),
  ),
  participantIds: Type.Optional(Type.Array(Id(), { maxItems: 100, description: 'Collaborating users (协作人); replaces the list on update' })),
  userId: Type.Optional(Id('Who followed up (跟进人); default on create: the caller')),
  visitReportId: Type.Optional(Nullable(Id('The visit report holding this follow-up'))),
  customFields: Type.Optional(CustomFieldValues),
};

export const CreateFollowUpBody = Type.Object(followUpFields, { additionalProperties: false });
export const CreateCustomerFollowUpBody = Type.Object(
  (({ customerId: _customerId, ...rest }) => rest)(followUpFields),
  { additionalProperties: false, description: 'A follow-up of the customer in the path' },
);
export const UpdateFollowUpBody = Type.Object(
  { ...followUpFields, customerId: Type.Optional(Id('Move the follow-up to another customer (its contacts and opportunity must belong to it)')) },
  { additionalProperties: false, minProperties: 1 },
);

const DictionaryRefSchema = Nullable(
  Type.Object(
    { id: Id(), code: Type.Integer({ description: 'Stable code wire formats use' }), name: Type.String() },
    { description: 'The dictionary item of the id beside it, with its code and name' },
  ),
);

export const AttachmentSchema = Type.Object({
  id: Id(),
  name: Type.String(),
  url: Nullable(Type.String()),
  fileId: Nullable(Id()),
  businessCode: Nullable(Type.String()),
});

export const FollowUpSchema = Type.Object(
  {
    id: Id(),
    customerId: Id(),
    customerName: Type.String(),
    contactIds: Type.Array(Id()),
    opportunityId: Nullable(Id()),
    typeId: Nullable(Id()),
    purposeId: Nullable(Id()),
    routeId: Nullable(Id()),
    eventId: Nullable(Id()),
    type: DictionaryRefSchema,
    purpose: DictionaryRefSchema,
    route: DictionaryRefSchema,
    event: DictionaryRefSchema,
    title: Nullable(Type.String()),
    content: Type.String({ description: 'As written, HTML included' }),
    contentText: Type.String({ description: 'Plain text of the content: tags removed, entities decoded' }),
    followedAt: Timestamp('When the follow-up happened'),
    site: Nullable(Type.String()),
    latitude: Nullable(Type.Number()),
    longitude: Nullable(Type.Number()),
    cost: Nullable(Type.String({ description: 'Decimal amount' })),
    costNote: Nullable(Type.String()),
    note: Nullable(Type.String()),
    attachments: Type.Array(AttachmentSchema),
    participantIds: Type.Array(Id()),
    userId: Id(),
    userName: Type.String(),
    visitReportId: Nullable(Id()),
    customFields: Type.Record(Type.String(), Type.Unknown()),
    customFieldNames: CustomFieldNames,
    createdBy: Nullable(Id()),
    updatedBy: Nullable(Id()),
    version: Type.Integer(),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A follow-up (跟进记录)' },
);

export const FollowUpPage = Type.Intersect([Page(FollowUpSchema, 'follow-ups'), Type.Object({ total: Type.Optional(Type.Integer({ description: 'All matches, when withTotal was asked' })) })]);

const listFilters = {
  ...PageQuery,
  userId: Type.Optional(Id('Who followed up')),
  participantId: Type.Optional(Id('A collaborating user')),
  ownerId: Type.Optional(Id("The customer's owner")),
  opportunityId: Type.Optional(Id()),
  typeId: Type.Optional(Id('follow_up_type item')),
  visitReportId: Type.Optional(Id()),
  from: When('Followed up at or after this time'),
  to: When('Followed up before this time'),
  createdFrom: When('Created at or after this time'),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Fragment of the plain text' })),
  sort: Type.Optional(Type.Union([Type.Literal('followedAt'), Type.Literal('createdAt'), Type.Literal('updatedAt')], { default: 'followedAt' })),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' })),
  withTotal: Type.Optional(Type.Boolean({ description: 'Also count all matches (costs a second query)' })),
};

export const FollowUpListQuery = Type.Object(
  {
    ...listFilters,
    customerId: Type.Optional(Id()),
    customerQ: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Customer name fragment, full pinyin or initials' })),
    customerPhone: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'Customer phone, whole or its last 4+ digits' })),
  },
  { additionalProperties: false },
);

export const CustomerFollowUpListQuery = Type.Object(listFilters, { additionalProperties: false });

/** The list query as the service takes it: times as dates. */
export function followUpFilter<Q extends { from?: string | undefined; to?: string | undefined; createdFrom?: string | undefined }>(query: Q) {
  const date = (value: string | undefined) => (value ? new Date(value) : undefined);
  return { ...query, from: date(query.from), to: date(query.to), createdFrom: date(query.createdFrom) };
}

/** A write body as the service takes it: times as dates. */
export function followUpInput<B extends { followedAt?: string | undefined }>(body: B) {
  const { followedAt, ...rest } = body;
  return { ...rest, ...(followedAt !== undefined ? { followedAt: new Date(followedAt) } : {}) };
}

export function renderFollowUp(ctx: Zoned, f: FollowUpView): Static<typeof FollowUpSchema> {
  return {
    id: f.id,
    customerId: f.customer_id,
    customerName: f.customer_name,
    contactIds: f.contact_ids,
    opportunityId: f.opportunity_id,
    typeId: f.type_id,
    purposeId: f.purpose_id,
    routeId: f.route_id,
    eventId: f.event_id,
    type: f.type,
    purpose: f.purpose,
    route: f.route,
    event: f.event,
    title: f.title,
    content: f.content,
    contentText: f.content_text,
    followedAt: time(ctx, f.followed_at),
    site: f.site,
    latitude: f.latitude === null ? null : Number(f.latitude),
    longitude: f.longitude === null ? null : Number(f.longitude),
    cost: f.cost,
    costNote: f.cost_note,
    note: f.note,
    attachments: f.attachments.map((a) => ({ id: a.id, name: a.name, url: a.url, fileId: a.file_id, businessCode: a.business_code })),
    participantIds: f.participant_ids,
    userId: f.user_id,
    userName: f.user_name,
    visitReportId: f.visit_report_id,
    customFields: f.custom_fields as Record<string, unknown>,
    customFieldNames: f.custom_field_names,
    createdBy: f.created_by,
    updatedBy: f.updated_by,
    version: f.version,
    createdAt: time(ctx, f.created_at),
    updatedAt: time(ctx, f.updated_at),
  };
}
