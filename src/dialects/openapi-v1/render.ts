import type { FollowUpSheet, PersonRef } from '../../core/follow-ups/follow-up-details.service.ts';
import { displayName, NAMED_KINDS } from '../../core/custom-fields/values.ts';
import type { Customer, CustomField, FollowUp, Id, Opportunity } from '../../db/schema.ts';
import { rawNumber } from '../shared/json.ts';

/**
 * Core rows → the seed's wire shapes. Ids print as exact JSON numbers (`_id`, `cle_id`, …) with a
 * string copy in `id`; times are unix seconds; a missing id is 0 and a missing name "".
 */

type Wire = Record<string, unknown>;

const num = (id: Id | null | undefined) => (id ? rawNumber(id) : 0);
const unix = (at: Date | null | undefined) => (at ? Math.floor(at.getTime() / 1000) : 0);

/** "<job number> <name>", the seed's way of naming a user (坐席工号+空格+坐席名称). */
export const personName = (p: PersonRef | undefined) => (p ? (p.jobNumber ? `${p.jobNumber} ${p.name}` : p.name) : '');

function item(sheet: FollowUpSheet, id: Id | null) {
  const ref = id ? sheet.dictionary.get(id) : undefined;
  return { code: ref?.code ?? 0, name: ref?.name ?? '' };
}

/** `<prefix>_user_id`-style triples: the user's name, and their department's id and name. */
function person(sheet: FollowUpSheet, id: Id | null, prefix: string, withId = false): Wire {
  const p = id ? sheet.people.get(id) : undefined;
  return {
    ...(withId ? { [`${prefix}_user_id`]: num(id) } : {}),
    [`${prefix}_user_name`]: personName(p),
    [`${prefix}_department_id`]: num(p?.department?.id),
    [`${prefix}_department_name`]: p?.department?.name ?? '',
  };
}

function role(sheet: FollowUpSheet, id: Id | null): Wire {
  const p = id ? sheet.people.get(id) : undefined;
  return { create_role_id: num(p?.role?.id), create_role_name: p?.role?.name ?? '' };
}

/** The follow-up's last writer: who changed it last, else who wrote it. */
const updater = (f: FollowUp) => f.updated_by ?? f.created_by ?? f.user_id;

/** The fields of a follow-up both the list rows and the detail carry. */
export function renderRecord(sheet: FollowUpSheet, f: FollowUp, customerIdAs: 'number' | 'string'): Wire {
  const type = item(sheet, f.type_id);
  const customer = sheet.customers.get(f.customer_id);
  return {
    _id: rawNumber(f.id),
    opty_id: num(f.opportunity_id),
    record_type: type.code,
    cle_id: customerIdAs === 'number' ? rawNumber(f.customer_id) : f.customer_id,
    record_content: f.content,
    create_user_id: rawNumber(f.user_id),
    create_time: unix(f.created_at),
    record_type_name: type.name,
    ...role(sheet, f.user_id),
    vcc_id: rawNumber(f.tenant_id),
    create_user_name: personName(sheet.people.get(f.user_id)),
    create_department_id: num(sheet.people.get(f.user_id)?.department?.id),
    create_department_name: sheet.people.get(f.user_id)?.department?.name ?? '',
    ...person(sheet, updater(f), 'update'),
    cle_name: customer?.name ?? '',
    update_time: unix(f.updated_at),
    update_user_id: rawNumber(updater(f)),
    record_content_name: f.content_text,
    id: f.id,
  };
}

/** A list row: the record with its customer (`client`) and opportunity in full. */
export function renderRow(sheet: FollowUpSheet, f: FollowUp): Wire {
  const { record_type_name: recordTypeName, ...record } = renderRecord(sheet, f, 'string');
  const customer = sheet.customers.get(f.customer_id);
  const opportunity = f.opportunity_id ? sheet.opportunities.get(f.opportunity_id) : undefined;
  // The seed's key order: the record's own fields, client, opportunity, then the names.
  const head = ['_id', 'opty_id', 'record_type', 'cle_id', 'record_content', 'create_user_id', 'create_time'];
  const out: Wire = Object.fromEntries(head.map((k) => [k, record[k]]));
  out.client = customer ? renderClient(sheet, customer) : {};
  out.opportunity = opportunity && customer ? renderOpportunity(sheet, opportunity, customer) : {};
  out.record_type_name = recordTypeName;
  for (const [k, v] of Object.entries(record)) if (!head.includes(k)) out[k] = v;
  return out;
}

const CREATED_VIA = { manual: [0, '手动创建'], import: [1, '导入'], api: [2, '接口创建'], web_form: [3, '表单创建'] } as const;

function customValue(field: CustomField, value: unknown): Wire {
  const empty = value === undefined || value === null;
  let wire: unknown;
  switch (field.kind) {
    case 'select':
    case 'radio':
      wire = empty || value === '' ? 0 : /^\d{1,19}$/.test(String(value)) ? rawNumber(String(value)) : String(value);
      break;
    case 'number':
      wire = empty ? 0 : value;
      break;
    case 'datetime':
      wire = empty ? 0 : unix(new Date(String(value)));
      break;
    case 'checkbox':
    case 'datasource':
    case 'cascade':
    case 'city':
    case 'attachment':
      wire = Array.isArray(value) ? value : [];
      break;
    default:
      wire = empty ? '' : value;
  }
  const out: Wire = { [field.key]: wire };
  if (NAMED_KINDS.has(field.kind)) out[`${field.key}_name`] = empty ? '' : displayName(field, value);
  return out;
}

/** The embedded customer: every field of the seed's `client`, custom fields included. */
export function renderClient(sheet: FollowUpSheet, c: Customer): Wire {
  const source = item(sheet, c.source_id);
  const type = item(sheet, c.type_id);
  const grade = item(sheet, c.grade_id);
  const [createType, createTypeName] = CREATED_VIA[c.created_via];
  const values = (c.custom_fields ?? {}) as Record<string, unknown>;
  const custom: Wire = {};
  for (const field of sheet.customerFields) {
    if (field.is_active || values[field.key] !== undefined) Object.assign(custom, customValue(field, values[field.key]));
  }
  const department = (id: Id | null) => (id ? sheet.departments.get(id) : undefined);
  const creator = c.created_by ? sheet.people.get(c.created_by) : undefined;
  return {
    _id: rawNumber(c.id),
    cle_name: c.name,
    cle_phone: c.phone ?? c.phones[0] ?? '',
    cle_source: source.code,
    cle_source_name: source.name,
    cle_type: type.code,
    cle_type_name: type.name,
    cle_grade: grade.code,
    cle_grade_name: grade.name,
    sale_charge_user_id: num(c.owner_id),
    service_charge_user_id: num(c.service_owner_id),
    is_win_order: c.is_won ? 1 : 2,
    is_win_order_name: c.is_won ? '是' : '否',
    last_assign_time: unix(c.assigned_at),
    last_recycle_time: unix(c.pool_moved_at),
    transfer_public_reason_id: 0,
    create_type: createType,
    import_task_id: 0,
    create_user_id: num(c.created_by),
    create_time: unix(c.created_at),
    update_user_id: num(c.updated_by),
    update_time: unix(c.updated_at),
    last_contact_user_id: num(c.last_follow_user_id),
    last_contact_time: unix(c.last_follow_at),
    ...custom,
    original_id: 0,
    cle_pinyin: c.name_pinyin,
    sale_charge_user_name: personName(c.owner_id ? sheet.people.get(c.owner_id) : undefined),
    sale_charge_department_id: num(c.owner_department_id),
    sale_charge_department_name: department(c.owner_department_id)?.name ?? '',
    service_charge_user_name: personName(c.service_owner_id ? sheet.people.get(c.service_owner_id) : undefined),
    service_charge_department_id: num(c.service_department_id),
    service_charge_department_name: department(c.service_department_id)?.name ?? '',
    ...person(sheet, c.last_follow_user_id, 'last_contact'),
    create_type_name: createTypeName,
    transfer_public_reason_name: c.pool_reason ?? '',
    opportunity_num: c.opportunity_count,
    import_task_name: '',
    im_third_id: '',
    create_role_id: num(creator?.role?.id),
    create_role_name: creator?.role?.name ?? '',
    switch_times: c.pool_moves,
    vcc_id: rawNumber(c.tenant_id),
    ...person(sheet, c.created_by, 'create'),
    ...person(sheet, c.updated_by, 'update'),
    id: c.id,
    no_contact_days: sheet.daysWithoutContact.get(c.id) ?? 0,
  };
}

/** The embedded opportunity: every field of the seed's `opportunity`. */
export function renderOpportunity(sheet: FollowUpSheet, o: Opportunity, c: Customer): Wire {
  const type = item(sheet, o.type_id);
  const source = item(sheet, o.source_id);
  const stage = item(sheet, o.stage_id);
  const reason = item(sheet, o.lose_reason_id);
  return {
    _id: rawNumber(o.id),
    opty_name: o.name,
    cle_id: rawNumber(o.customer_id),
    opty_type: type.code,
    opty_type_name: type.name,
    opty_source: source.code,
    opty_source_name: source.name,
    opty_stage: stage.code,
    lose_order_reason: reason.code,
    lose_order_remark: o.lose_remark ?? '',
    sale_charge_user_id: num(o.owner_id),
    create_user_id: num(o.created_by),
    create_time: unix(o.created_at),
    update_user_id: num(o.updated_by),
    update_time: unix(o.updated_at),
    last_contact_user_id: num(o.last_contact_user_id),
    last_contact_time: unix(o.last_contact_at),
    cle_name: c.name,
    cle_phone: c.phone ?? c.phones[0] ?? '',
    opty_stage_name: stage.name,
    lose_order_reason_name: reason.name,
    ...person(sheet, o.owner_id, 'sale_charge'),
    ...person(sheet, o.last_contact_user_id, 'last_contact'),
    vcc_id: rawNumber(o.tenant_id),
    ...person(sheet, o.created_by, 'create'),
    ...person(sheet, o.updated_by, 'update'),
    id: o.id,
  };
}

export function renderCreated(id: Id) {
  return { id, _id: rawNumber(id) };
}

export function renderRecordTypes(items: { code: number; name: string }[]) {
  return items.map((i) => ({ id: i.code, dic_name: i.name }));
}

