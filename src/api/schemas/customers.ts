import { Type, type Static } from 'typebox';
import type { CustomerFilter, CustomerView } from '../../core/customers/customers.service.ts';
import { Id, Nullable, PageQuery, Timestamp } from './common.ts';
import { maybeTime, time, type Zoned } from './render.ts';

const Text = (description: string, maxLength = 500) => Type.Optional(Nullable(Type.String({ maxLength, description })));
const DictRef = (description: string) => Type.Optional(Nullable(Id(description)));

export const CustomFieldValues = Type.Record(Type.String({ pattern: '^[a-z]+_[0-9]{6,19}$' }), Type.Unknown(), {
  description: 'Custom field values by key (e.g. `select_6470108723137462273`), validated against the module\'s definitions; null clears one',
});

export const CustomFieldNames = Type.Record(Type.String(), Type.String(), {
  description: 'Display names of option-like custom field values (select, radio, checkbox, cascade, datasource, city) by key: option names joined with commas, paths with /',
});

const customerFields = {
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Customer name (客户名称)' }),
  kindId: DictRef('customer_kind item: enterprise or individual'),
  typeId: DictRef('customer_type item'),
  sourceId: DictRef('customer_source item'),
  gradeId: DictRef('customer_grade item'),
  lifecycleId: DictRef('lifecycle_stage item'),
  category: Text('Category (free text)', 100),
  phones: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 10, description: 'Phone numbers; the first is the main one. Matching uses their digits' })),
  email: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  address: Text('Address'),
  regionCode: Text('Region code (行政区划代码)', 20),
  regionName: Text('Region name, e.g. 湖北省/武汉市', 100),
  note: Text('Note', 5000),
  ownerId: Type.Optional(Nullable(Id('Owner (负责人); default on create: the caller'))),
  serviceOwnerId: Type.Optional(Nullable(Id('Service owner (客服负责人)'))),
  productLineId: Type.Optional(Id('Product line; default: the tenant\'s default')),
  isWon: Type.Optional(Type.Boolean({ description: 'Has become a paying customer (成交)' })),
  isLead: Type.Optional(Type.Boolean({ description: 'Came in as a lead (线索)' })),
  leadExternalId: Text('Id of the lead on the platform it came from', 200),
  leadPlatform: Text('Platform the lead came from', 100),
  isLocked: Type.Optional(Type.Boolean({ description: 'Locked customers are exempt from pool recycling, and only their owner or a user who sees all may change them' })),
  tagIds: Type.Optional(Type.Array(Id('Tag'), { maxItems: 50, description: 'Replaces the customer\'s tags' })),
  customFields: Type.Optional(CustomFieldValues),
};

export const CreateCustomerBody = Type.Object(customerFields, { additionalProperties: false });
export const UpdateCustomerBody = Type.Object(
  { ...customerFields, name: Type.Optional(customerFields.name) },
  { additionalProperties: false, minProperties: 1 },
);

const UserRef = Nullable(Id());

export const CustomerSchema = Type.Object(
  {
    id: Id(),
    name: Type.String(),
    namePinyin: Type.String({ description: 'Full pinyin of the name, no tones or spaces' }),
    nameInitials: Type.String({ description: 'Pinyin initials of the name' }),
    kindId: Nullable(Id()),
    typeId: Nullable(Id()),
    sourceId: Nullable(Id()),
    gradeId: Nullable(Id()),
    lifecycleId: Nullable(Id()),
    lastLifecycleId: Nullable(Id()),
    category: Nullable(Type.String()),
    phone: Nullable(Type.String({ description: 'Main phone as entered' })),
    phones: Type.Array(Type.String(), { description: 'All phones, digits only' }),
    email: Nullable(Type.String()),
    address: Nullable(Type.String()),
    regionCode: Nullable(Type.String()),
    regionName: Nullable(Type.String()),
    note: Nullable(Type.String()),
    ownerId: UserRef,
    ownerDepartmentId: Nullable(Id()),
    lastOwnerId: UserRef,
    serviceOwnerId: UserRef,
    serviceDepartmentId: Nullable(Id()),
    productLineId: Nullable(Id()),
    assignedAt: Nullable(Timestamp('When the current owner got the customer')),
    isWon: Type.Boolean(),
    isLead: Type.Boolean(),
    leadClaimerId: UserRef,
    firstAssignedAt: Nullable(Timestamp('First assignment of the lead')),
    leadExternalId: Nullable(Type.String()),
    leadPlatform: Nullable(Type.String()),
    isLocked: Type.Boolean(),
    pool: Type.Object(
      {
        inPool: Type.Boolean({ description: 'In the public pool (公海)' }),
        moves: Type.Integer({ description: 'Times moved to the pool' }),
        lastMovedAt: Nullable(Timestamp('Last move to the pool')),
        lastMoveKind: Nullable(Type.Union([Type.Literal('system'), Type.Literal('manual')])),
        reason: Nullable(Type.String()),
        poolId: Nullable(Id('The pool the customer is in or returns to when recycled; null: the default pool')),
      },
      { description: 'Public pool state' },
    ),
    lastFollowAt: Nullable(Timestamp('Latest follow-up')),
    lastFollowSummary: Nullable(Type.String({ description: 'Plain text of the latest follow-up, shortened' })),
    lastFollowUserId: UserRef,
    noContactDays: Nullable(Type.Integer({ description: 'Whole days since the latest follow-up, in the tenant\'s time zone' })),
    nextFollowAt: Nullable(Timestamp('Earliest pending contact plan')),
    lastDealAt: Nullable(Timestamp('Latest deal')),
    lastDealAmount: Nullable(Type.String({ description: 'Decimal amount of the latest deal' })),
    opportunityCount: Type.Integer(),
    createdVia: Type.String({ description: 'manual, import, api or web_form' }),
    tags: Type.Array(Type.Object({ id: Id(), name: Type.String(), color: Nullable(Type.String()) })),
    customFields: Type.Record(Type.String(), Type.Unknown()),
    customFieldNames: CustomFieldNames,
    isFavourite: Type.Boolean({ description: 'The caller has marked this customer as a favourite (收藏)' }),
    favouriteMarkerId: Nullable(Id('The caller\'s favourite_marker item on this customer (收藏标识)')),
    createdBy: UserRef,
    updatedBy: UserRef,
    deletedAt: Nullable(Timestamp('Deletion time; null unless deleted')),
    version: Type.Integer(),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A customer (客户)' },
);

const Bool = Type.Optional(Type.Boolean());
const When = (description: string) => Type.Optional(Type.String({ format: 'date-time', description }));

export const CustomerListQuery = Type.Object(
  {
    ...PageQuery,
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Name fragment (e.g. 张三), full pinyin (zhangsan) or pinyin initials (zs)' })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'A whole phone number, or its last 4+ digits' })),
    ownerId: Type.Optional(Id()),
    departmentId: Type.Optional(Id("Owner's department")),
    typeId: Type.Optional(Id()),
    sourceId: Type.Optional(Id()),
    gradeId: Type.Optional(Id()),
    lifecycleId: Type.Optional(Id()),
    tagId: Type.Optional(Id()),
    inPool: Bool,
    lastFollowBefore: When('Latest follow-up before this time'),
    lastFollowAfter: When('Latest follow-up at or after this time'),
    nextFollowBefore: When('Next follow-up before this time'),
    nextFollowAfter: When('Next follow-up at or after this time'),
    customField: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z]+_[0-9]{6,19}:.*$' }), { maxItems: 10, description: 'Custom field equality, `key:value` (repeatable)' }),
    ),
    deleted: Type.Optional(Type.Boolean({ description: 'List deleted customers instead (needs customers:delete)' })),
    sort: Type.Optional(Type.Union([Type.Literal('updatedAt'), Type.Literal('createdAt'), Type.Literal('lastFollowAt'), Type.Literal('nextFollowAt')], { default: 'updatedAt' })),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' })),
    withTotal: Type.Optional(Type.Boolean({ description: 'Also count all matches (costs a second query)' })),
  },
  { additionalProperties: false },
);

/** A customer list query as the customers service takes it: dates parsed, custom fields split. */
export function customerFilter(query: Static<typeof CustomerListQuery>): CustomerFilter {
  const { customField, lastFollowBefore, lastFollowAfter, nextFollowBefore, nextFollowAfter, ...rest } = query;
  const date = (value: string | undefined) => (value ? new Date(value) : undefined);
  return {
    ...rest,
    lastFollowBefore: date(lastFollowBefore),
    lastFollowAfter: date(lastFollowAfter),
    nextFollowBefore: date(nextFollowBefore),
    nextFollowAfter: date(nextFollowAfter),
    customFields: customField ? Object.fromEntries(customField.map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)])) : undefined,
  };
}

export const DuplicatesQuery = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    excludeId: Type.Optional(Id('Leave this customer out (the one being edited)')),
  },
  { additionalProperties: false },
);

export const DuplicateSchema = Type.Object({ id: Id(), name: Type.String(), phones: Type.Array(Type.String()), ownerId: Nullable(Id()), inPool: Type.Boolean() });

/** Whole days between two instants' calendar dates in the tenant's zone. */
export function daysSince(ctx: Zoned, from: Date | null, now: Date): number | null {
  if (!from) return null;
  const day = (d: Date) => {
    const [y, m, dd] = time(ctx, d).slice(0, 10).split('-').map(Number);
    return Date.UTC(y!, m! - 1, dd!);
  };
  return Math.max(0, Math.round((day(now) - day(from)) / 86_400_000));
}

export function renderCustomer(ctx: Zoned, c: CustomerView, now: Date): Static<typeof CustomerSchema> {
  return {
    id: c.id,
    name: c.name,
    namePinyin: c.name_pinyin,
    nameInitials: c.name_initials,
    kindId: c.kind_id,
    typeId: c.type_id,
    sourceId: c.source_id,
    gradeId: c.grade_id,
    lifecycleId: c.lifecycle_id,
    lastLifecycleId: c.last_lifecycle_id,
    category: c.category,
    phone: c.phone,
    phones: c.phones,
    email: c.email,
    address: c.address,
    regionCode: c.region_code,
    regionName: c.region_name,
    note: c.note,
    ownerId: c.owner_id,
    ownerDepartmentId: c.owner_department_id,
    lastOwnerId: c.last_owner_id,
    serviceOwnerId: c.service_owner_id,
    serviceDepartmentId: c.service_department_id,
    productLineId: c.product_line_id,
    assignedAt: maybeTime(ctx, c.assigned_at),
    isWon: c.is_won,
    isLead: c.is_lead,
    leadClaimerId: c.lead_claimer_id,
    firstAssignedAt: maybeTime(ctx, c.first_assigned_at),
    leadExternalId: c.lead_external_id,
    leadPlatform: c.lead_platform,
    isLocked: c.is_locked,
    pool: { inPool: c.in_pool, moves: c.pool_moves, lastMovedAt: maybeTime(ctx, c.pool_moved_at), lastMoveKind: c.pool_move_kind, reason: c.pool_reason, poolId: c.pool_id },
    lastFollowAt: maybeTime(ctx, c.last_follow_at),
    lastFollowSummary: c.last_follow_summary,
    lastFollowUserId: c.last_follow_user_id,
    noContactDays: daysSince(ctx, c.last_follow_at, now),
    nextFollowAt: maybeTime(ctx, c.next_follow_at),
    lastDealAt: maybeTime(ctx, c.last_deal_at),
    lastDealAmount: c.last_deal_amount,
    opportunityCount: c.opportunity_count,
    createdVia: c.created_via,
    tags: c.tags,
    customFields: c.custom_fields as Record<string, unknown>,
    customFieldNames: c.custom_field_names,
    isFavourite: c.favourite !== null,
    favouriteMarkerId: c.favourite?.marker_id ?? null,
    createdBy: c.created_by,
    updatedBy: c.updated_by,
    deletedAt: maybeTime(ctx, c.deleted_at),
    version: c.version,
    createdAt: time(ctx, c.created_at),
    updatedAt: time(ctx, c.updated_at),
  };
}
