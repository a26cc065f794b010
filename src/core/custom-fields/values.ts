import type { CustomField, CustomFieldKind, CustomFieldOption } from '../../db/schema.ts';
import { DomainError, type FieldIssue } from '../shared/errors.ts';

/** Kinds whose value refers to the field's own options, and so have a display name. */
export const OPTION_KINDS: ReadonlySet<CustomFieldKind> = new Set(['select', 'radio', 'checkbox', 'cascade', 'datasource']);
/** Kinds that show a `<key>_name` beside the value in wire formats. */
export const NAMED_KINDS: ReadonlySet<CustomFieldKind> = new Set([...OPTION_KINDS, 'city']);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TELEPHONE = /^[0-9+()\-\s]{3,40}$/;

type Check = (value: unknown, field: CustomField) => string | null;

const isString = (v: unknown): v is string => typeof v === 'string';
const optionIds = (field: CustomField) => new Set((field.options as unknown as CustomFieldOption[]).map((o) => o.id));

const CHECKS: Record<CustomFieldKind, Check> = {
  input: (v) => (isString(v) && v.length <= 500 ? null : 'must be text of at most 500 characters'),
  textarea: (v) => (isString(v) && v.length <= 10_000 ? null : 'must be text of at most 10,000 characters'),
  telephone: (v) => (isString(v) && (v === '' || TELEPHONE.test(v)) ? null : 'must be a telephone number'),
  email: (v) => (isString(v) && (v === '' || EMAIL.test(v)) ? null : 'must be an email address'),
  number: (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'must be a number'),
  datetime: (v) => (isString(v) && !Number.isNaN(Date.parse(v)) ? null : 'must be an ISO 8601 date or date-time'),
  select: (v, f) => (isString(v) && optionIds(f).has(v) ? null : `must be the id of one of its options (${[...optionIds(f)].join(', ')})`),
  radio: (v, f) => (isString(v) && optionIds(f).has(v) ? null : `must be the id of one of its options (${[...optionIds(f)].join(', ')})`),
  checkbox: (v, f) => checkIdList(v, f),
  datasource: (v, f) => checkIdList(v, f),
  cascade: (v, f) => {
    const problem = checkIdList(v, f);
    if (problem) return problem;
    const byId = new Map((f.options as unknown as CustomFieldOption[]).map((o) => [o.id, o]));
    const path = v as string[];
    for (let i = 1; i < path.length; i++) {
      if (byId.get(path[i]!)?.parentId !== path[i - 1]) return `must be a path from a top option down its children (${path[i]} is not under ${path[i - 1]})`;
    }
    if (path.length > 0 && byId.get(path[0]!)?.parentId) return 'must start at a top-level option';
    return null;
  },
  city: (v) => (Array.isArray(v) && v.length <= 4 && v.every((p) => isString(p) && p.length > 0 && p.length <= 50) ? null : 'must be a list of up to 4 region names or codes, province first'),
  attachment: (v) =>
    Array.isArray(v) &&
    v.length <= 20 &&
    v.every((a) => typeof a === 'object' && a !== null && isString((a as { name?: unknown }).name) && (isString((a as { url?: unknown }).url) || isString((a as { fileId?: unknown }).fileId)))
      ? null
      : 'must be a list of {name, url} or {name, fileId}',
};

function checkIdList(v: unknown, f: CustomField): string | null {
  const ids = optionIds(f);
  if (!Array.isArray(v) || !v.every(isString)) return 'must be a list of option ids';
  const unknown = v.filter((id) => !ids.has(id));
  return unknown.length ? `has unknown option(s) ${unknown.join(', ')}` : null;
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Checks a module's custom field values against its definitions. Unknown keys, disabled
 * fields, wrong types and unknown options are refused naming the key; on create, required
 * fields must be present. `null` clears a value. Returns the merged values to store.
 */
export function validateCustomValues(
  definitions: readonly CustomField[],
  input: Record<string, unknown>,
  existing: Record<string, unknown> | null,
  fieldPrefix = '',
): Record<string, unknown> {
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const issues: FieldIssue[] = [];
  const merged: Record<string, unknown> = { ...(existing ?? {}) };
  for (const [key, value] of Object.entries(input)) {
    const field = byKey.get(key);
    const name = `${fieldPrefix}${key}`;
    if (!field) {
      issues.push({ field: name, message: 'is not a custom field of this module' });
      continue;
    }
    // Clearing is always allowed, so a value of a field since disabled can still be removed.
    if (value === null) {
      delete merged[key];
      continue;
    }
    if (!field.is_active) {
      issues.push({ field: name, message: 'is disabled' });
      continue;
    }
    const problem = CHECKS[field.kind](value, field);
    if (problem) issues.push({ field: name, message: problem });
    else merged[key] = value;
  }
  for (const field of definitions) {
    if (field.required && field.is_active && isEmpty(merged[field.key]) && (existing === null || key(input, field.key))) {
      issues.push({ field: `${fieldPrefix}${field.key}`, message: `is required (${field.label})` });
    }
  }
  if (issues.length > 0) {
    const first = issues[0]!;
    throw new DomainError('invalid', 'invalid_custom_field', `${first.field}: ${first.message}`, { fields: issues });
  }
  return merged;
}

const key = (input: Record<string, unknown>, k: string) => Object.hasOwn(input, k);

/** The display name of a value: option names joined with commas (cascade and city with /). */
export function displayName(field: CustomField, value: unknown): string {
  if (isEmpty(value)) return '';
  if (field.kind === 'city') return (value as string[]).join('/');
  if (!OPTION_KINDS.has(field.kind)) return '';
  const names = new Map((field.options as unknown as CustomFieldOption[]).map((o) => [o.id, o.name]));
  const ids = Array.isArray(value) ? (value as string[]) : [value as string];
  return ids.map((id) => names.get(id) ?? id).join(field.kind === 'cascade' ? '/' : ',');
}
