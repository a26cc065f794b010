import type { ContactPlanView } from '../../core/contact-plans/contact-plans.types.ts';
import type { ContactView } from '../../core/contacts/contacts.service.ts';
import type { CustomerView } from '../../core/customers/customers.service.ts';
import type { FollowUpView } from '../../core/follow-ups/follow-ups.types.ts';
import type { DictionaryItem, Id } from '../../db/schema.ts';
import type { DictionaryCodes } from './codes.ts';
import { formatLocalDateTime } from './datetime.ts';

/**
 * Genjin rows as the PascalCase objects of seed 004 (field sets in README.md). Ids are Int32 on
 * this wire and written as JSON numbers (exact: Genjin ids stay far below 2^53); 0 means none.
 */
export const int = (id: Id | null | undefined): number => (id ? Number(id) : 0);

const GENDER_CODES = { unknown: 0, male: 1, female: 2 } as const;
export const GENDERS_BY_CODE = ['unknown', 'male', 'female'] as const;
const PLAN_STATES = { pending: 0, done: 1, cancelled: 2 } as const;

export function baseType(item: DictionaryItem, parent: string) {
  return { ID: item.code, Name: item.name, ParID: parent, Sort: item.sort, IsDefault: item.is_default, Color: item.color };
}

export function customerType(item: DictionaryItem, parentCode: number) {
  return { ID: item.code, Name: item.name, ParentID: parentCode, Sort: item.sort, IsDefault: item.is_default };
}

export function custKind(item: DictionaryItem) {
  return { ID: item.code, CustKindName: item.name, IsDefault: item.is_default, Sort: item.sort };
}

/** Every property of Customer, in order; Save/Update accept these names (read-only ones are ignored). */
export const CUSTOMER_FIELDS = [
  'ID', 'Name', 'CustKind', 'CustKindName', 'TypeID', 'TypeName', 'SourceID', 'SourceName', 'GradeID', 'GradeName',
  'LifeCycleID', 'LifeCycleName', 'Category', 'Tel', 'Phones', 'Email', 'Address', 'RegionCode', 'RegionName', 'Remark',
  'OwnerID', 'DepartmentID', 'ServiceOwnerID', 'IsPublic', 'IsLocked', 'IsWon', 'IsLead', 'IdentityID', 'IsCollected',
  'LastContactTime', 'LastContactSummary', 'NextContactTime', 'LastDealTime', 'LastDealAmount', 'AddUserID', 'AddTime',
  'UpdateTime', 'Version',
] as const;

const CUSTOMER_DICTIONARIES = ['customer_kind', 'customer_type', 'customer_source', 'customer_grade', 'lifecycle_stage', 'favourite_marker'] as const;

export async function customer(row: CustomerView, codes: DictionaryCodes, tz: string) {
  await codes.preload(CUSTOMER_DICTIONARIES);
  const [kind, type, source, grade, lifecycle] = await Promise.all([
    codes.ref('customer_kind', row.kind_id),
    codes.ref('customer_type', row.type_id),
    codes.ref('customer_source', row.source_id),
    codes.ref('customer_grade', row.grade_id),
    codes.ref('lifecycle_stage', row.lifecycle_id),
  ]);
  const marker = row.favourite ? await codes.ref('favourite_marker', row.favourite.marker_id) : { code: 0 };
  const time = (value: Date | null) => formatLocalDateTime(value, tz);
  return {
    ID: int(row.id),
    Name: row.name,
    CustKind: kind.code,
    CustKindName: kind.name,
    TypeID: type.code,
    TypeName: type.name,
    SourceID: source.code,
    SourceName: source.name,
    GradeID: grade.code,
    GradeName: grade.name,
    LifeCycleID: lifecycle.code,
    LifeCycleName: lifecycle.name,
    Category: row.category,
    Tel: row.phone,
    Phones: row.phones.join(','),
    Email: row.email,
    Address: row.address,
    RegionCode: row.region_code,
    RegionName: row.region_name,
    Remark: row.note,
    OwnerID: int(row.owner_id),
    DepartmentID: int(row.owner_department_id),
    ServiceOwnerID: int(row.service_owner_id),
    IsPublic: row.in_pool,
    IsLocked: row.is_locked,
    IsWon: row.is_won,
    IsLead: row.is_lead,
    IdentityID: marker.code,
    IsCollected: row.favourite !== null,
    LastContactTime: time(row.last_follow_at),
    LastContactSummary: row.last_follow_summary,
    NextContactTime: time(row.next_follow_at),
    LastDealTime: time(row.last_deal_at),
    LastDealAmount: row.last_deal_amount === null ? null : String(row.last_deal_amount),
    AddUserID: int(row.created_by),
    AddTime: time(row.created_at),
    UpdateTime: time(row.updated_at),
    Version: row.version,
  };
}

/** Every property of CustomerLinkMan, in order. */
export const LINK_MAN_FIELDS = [
  'ID', 'CustID', 'Name', 'Sex', 'Position', 'Department', 'Mobile', 'Tel', 'Email', 'WeChat', 'Birthday', 'Address',
  'Remark', 'IsMain', 'AddTime', 'UpdateTime', 'Version',
] as const;

export function customerLinkMan(row: ContactView, tz: string) {
  return {
    ID: int(row.id),
    CustID: int(row.customer_id),
    Name: row.name,
    Sex: GENDER_CODES[row.gender],
    Position: row.position,
    Department: row.department,
    Mobile: row.mobile,
    Tel: row.phone,
    Email: row.email,
    WeChat: row.wechat,
    Birthday: row.birthday,
    Address: row.address,
    Remark: row.note,
    IsMain: row.is_main,
    AddTime: formatLocalDateTime(row.created_at, tz),
    UpdateTime: formatLocalDateTime(row.updated_at, tz),
    Version: row.version,
  };
}

/** The short form LinkMan/GetList answers. */
export function linkMan(row: ContactView) {
  return { ID: int(row.id), CustID: int(row.customer_id), Name: row.name, Sex: GENDER_CODES[row.gender], Mobile: row.mobile, Tel: row.phone, IsMain: row.is_main };
}

export function contactHistory(row: FollowUpView, tz: string) {
  return {
    ID: int(row.id),
    CustID: int(row.customer_id),
    CustName: row.customer_name,
    TypeID: row.purpose?.code ?? 0,
    TypeName: row.purpose?.name ?? null,
    RouteID: row.route?.code ?? 0,
    RouteName: row.route?.name ?? null,
    LinkManID: int(row.contact_ids[0]),
    Title: row.title,
    Content: row.content,
    ContactTime: formatLocalDateTime(row.followed_at, tz),
    UserID: int(row.user_id),
    UserName: row.user_name,
    AddTime: formatLocalDateTime(row.created_at, tz),
    UpdateTime: formatLocalDateTime(row.updated_at, tz),
  };
}

export async function contactPlan(row: ContactPlanView, codes: DictionaryCodes, tz: string) {
  await codes.preload(['contact_purpose', 'contact_route']);
  const [purpose, route] = await Promise.all([codes.ref('contact_purpose', row.purpose_id), codes.ref('contact_route', row.route_id)]);
  return {
    ID: int(row.id),
    CustID: int(row.customer_id),
    CustName: row.customer_name,
    LinkManID: int(row.contact_id),
    LinkManName: row.contact_name,
    TypeID: purpose.code,
    TypeName: purpose.name,
    RouteID: route.code,
    RouteName: route.name,
    Title: row.title,
    Content: row.content,
    PlanTime: formatLocalDateTime(row.planned_at, tz),
    State: PLAN_STATES[row.status],
    UserID: int(row.owner_id),
    HistoryID: int(row.source_follow_up_id),
    DoneHistoryID: int(row.fulfilled_follow_up_id),
    DoneTime: formatLocalDateTime(row.done_at, tz),
    AddTime: formatLocalDateTime(row.created_at, tz),
    UpdateTime: formatLocalDateTime(row.updated_at, tz),
  };
}
