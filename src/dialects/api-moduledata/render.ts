import type { CustomerInput, CustomerView } from '../../core/customers/customers.service.ts';
import { OPTION_KINDS } from '../../core/custom-fields/values.ts';
import { invalidField } from '../../core/shared/errors.ts';
import { requireId } from '../../core/shared/ids.ts';
import { localDateTime } from '../../core/shared/time.ts';
import type { CustomField, CustomFieldOption, DictionaryItem, Id } from '../../db/schema.ts';
import type { User } from '../../core/users/users.service.ts';
import { CUSTOM_FIELD_KEY } from './schemas.ts';

/** The seed's customer module id, and Genjin's own id for the same module. */
export const CUSTOMER_MODULE_IDS: readonly string[] = ['347772778973233152', '1'];

const STANDARD_KEYS = new Set(['mid', 'id', 'name', 'own_id', 'phone', 'source', 'note']);
const customKey = new RegExp(CUSTOM_FIELD_KEY);

/** An id from the wire (digits or a safe integer) as exact decimal text. */
export function wireId(value: unknown, field: string): Id {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value <= 0) throw invalidField(field, 'must be a positive 64-bit integer id');
    return String(value);
  }
  return requireId(value, field);
}

/** Empty string and null mean "none" for references. */
const optionalRef = (value: unknown, field: string): Id | null | undefined =>
  value === undefined ? undefined : value === null || value === '' ? null : wireId(value, field);

export function requireCustomerModule(mid: unknown): void {
  const id = wireId(mid, 'mid');
  if (!CUSTOMER_MODULE_IDS.includes(id)) throw invalidField('mid', `module ${id} does not exist or cannot be written here (customer module: ${CUSTOMER_MODULE_IDS.join(' or ')})`);
}

/**
 * A custom field value as the core expects it. Browser forms send "" for an empty picker and
 * option ids as strings or numbers; option ids become strings, emptiness of non-text kinds null.
 */
function customValue(definition: CustomField | undefined, value: unknown): unknown {
  if (!definition) return value;
  const kind = definition.kind;
  const text = kind === 'input' || kind === 'textarea' || kind === 'telephone' || kind === 'email';
  if (text) return value;
  if (value === '') return null;
  if (!OPTION_KINDS.has(kind)) return value;
  const asId = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v);
  if (kind === 'select' || kind === 'radio') {
    if (Array.isArray(value)) return value.length === 0 ? null : value.length === 1 ? asId(value[0]) : value;
    return asId(value);
  }
  return Array.isArray(value) ? value.map(asId) : value;
}

/** The wire body as a core customer input. `ownerFallback` is used when own_id is absent. */
export function toCustomerInput(body: Record<string, unknown>, definitions: readonly CustomField[], ownerFallback: Id | null | undefined): CustomerInput {
  const input: CustomerInput = {};
  if (body.name !== undefined) input.name = body.name as string;
  const owner = optionalRef(body.own_id, 'own_id');
  // The seed: an unnamed owner (absent or empty) is the calling user.
  input.ownerId = owner ?? ownerFallback;
  if (body.phone !== undefined) {
    const phone = body.phone === null ? '' : String(body.phone).trim();
    input.phones = phone ? [phone] : [];
  }
  if (body.source !== undefined) input.sourceId = optionalRef(body.source, 'source');
  if (body.note !== undefined) input.note = body.note as string | null;
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const custom: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (STANDARD_KEYS.has(key)) continue;
    if (!customKey.test(key)) throw invalidField(key, 'is not a field of this module');
    custom[key] = customValue(byKey.get(key), value);
  }
  if (Object.keys(custom).length > 0) input.customFields = custom;
  return input;
}

/** A user as the seed shows one: `{id, name, avatar_url}`, or `[]` for nobody (PHP's empty array). */
export type WireUser = { id: string; name: string; avatar_url: string } | [];

export const wireUser = (user: User | undefined): WireUser => (user ? { id: user.id, name: user.name, avatar_url: user.avatar_url ?? '' } : []);

/** A dictionary item expanded as the seed's `source`; `group_id` is the dictionary it belongs to. */
export const wireItem = (item: DictionaryItem | undefined) =>
  item
    ? { id: item.id, name: item.name, group_id: item.dictionary, is_active: item.is_active, color: item.color ?? '', sort_num: item.sort, is_default: item.is_default ? 1 : 0 }
    : [];

/** Custom field values by key, every field of the module present; option kinds as `{id, name}` lists. */
export function wireCustomFields(definitions: readonly CustomField[], values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of definitions) {
    const value = values[d.key];
    if (!d.is_active && value === undefined) continue;
    if (OPTION_KINDS.has(d.kind)) {
      const names = new Map((d.options as unknown as CustomFieldOption[]).map((o) => [o.id, o.name]));
      const ids = value === undefined || value === null ? [] : Array.isArray(value) ? (value as string[]) : [value as string];
      out[d.key] = ids.map((id) => ({ id, name: names.get(id) ?? id }));
    } else if (d.kind === 'city' || d.kind === 'attachment') out[d.key] = value ?? [];
    else if (d.kind === 'number' || d.kind === 'datetime') out[d.key] = value ?? null;
    else out[d.key] = value ?? '';
  }
  return out;
}

/** Everything the item shows beyond the customer row, gathered from the core services. */
export interface ItemContext {
  timezone: string;
  productLineId: Id;
  definitions: readonly CustomField[];
  users: ReadonlyMap<Id, User>;
  source: DictionaryItem | undefined;
  lifecycle: DictionaryItem | undefined;
  pool: { daysLeft: number | null; comingFree: boolean };
  sharedWith: Id[];
  canEdit: boolean;
  canDelete: boolean;
}

const MOVE_KINDS = { system: 1, manual: 2 } as const;

/** The customer as the seed's `item`: every field of its sample answer and field table. */
export function renderItem(c: CustomerView, x: ItemContext) {
  const at = (date: Date | null) => (date ? localDateTime(date, x.timezone) : null);
  const user = (id: Id | null) => wireUser(id ? x.users.get(id) : undefined);
  const team = x.sharedWith.length ? x.sharedWith.map((id) => user(id)) : false;
  const firstAssignSeconds = c.first_assigned_at ? Math.max(0, Math.round((c.first_assigned_at.getTime() - c.created_at.getTime()) / 1000)) : null;
  const ocpc = c.lead_ocpc_data as { value?: unknown; display?: unknown } | null;
  const position = c.in_pool ? 'seas' : c.is_lead ? 'clue' : 'client';
  return {
    id: c.id,
    title: c.name,
    name: c.name,
    product_line_id: x.productLineId,
    source: wireItem(x.source),
    note: c.note ?? '',
    phone: c.phone ?? '',
    ...wireCustomFields(x.definitions, c.custom_fields as Record<string, unknown>),
    own_id: user(c.owner_id),
    last_own_id: user(c.last_owner_id),
    assign_at: at(c.assigned_at),
    created_id: user(c.created_by),
    updated_id: user(c.updated_by),
    deleted_id: user(c.deleted_by),
    created_at: at(c.created_at),
    updated_at: at(c.updated_at),
    deleted_at: at(c.deleted_at),
    is_public: c.in_pool ? 1 : 0,
    last_seas_at: at(c.pool_moved_at),
    move_seas_times: c.pool_moves > 0 ? c.pool_moves : null,
    move_seas_type: c.pool_move_kind ? MOVE_KINDS[c.pool_move_kind] : null,
    _coming_free: x.pool.comingFree,
    _left_days: x.pool.daysLeft ?? 0,
    client_position: position,
    clientListAndSeas: null,
    last_follow_log: c.last_follow_summary,
    last_follow_at: at(c.last_follow_at),
    next_follow_at: at(c.next_follow_at),
    last_deal_at: at(c.last_deal_at),
    last_deal_money: c.last_deal_amount,
    life_cycle_id: wireItem(x.lifecycle),
    last_life_cycle_id: c.last_lifecycle_id,
    is_clue: c.is_lead ? 1 : 0,
    clue_is_assign: c.is_lead && c.first_assigned_at !== null,
    clue_user: user(c.lead_claimer_id),
    first_assign_diff: at(c.first_assigned_at),
    first_assign_time: firstAssignSeconds,
    clue_id_unique: c.lead_external_id,
    clue_is_black: c.lead_blacklisted ? 1 : 0,
    clue_ocpc_data: { value: ocpc?.value ?? (ocpc && ocpc.display === undefined ? ocpc : []), display: typeof ocpc?.display === 'string' ? ocpc.display : '' },
    api_setting_id: null,
    api_platform: c.lead_platform,
    is_lock: c.is_locked ? 1 : null,
    tags: c.tags.map((t) => ({ id: t.id, name: t.name, color: t.color ?? '' })),
    is_favorite: c.favourite !== null,
    _team_info: team,
    teaminfo: team,
    _can_edit: x.canEdit,
    canedit: x.canEdit,
    _can_del: x.canDelete,
    candelete: x.canDelete,
    _flow: false,
    _flow_node_name: null,
    _flow_status: null,
  };
}
