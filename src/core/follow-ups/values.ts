import type { FollowUp, Id } from '../../db/schema.ts';
import { invalidField } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import type { FollowUpChanges } from './follow-ups.types.ts';

const MAX_LINKS = 100;
const COST = /^\d{1,16}(?:\.\d{1,2})?$/;

/** Ids of a list field, checked and without repeats. */
export function uniqueIds(ids: Id[], field: string): Id[] {
  if (ids.length > MAX_LINKS) throw invalidField(field, `must have at most ${MAX_LINKS} items`);
  return [...new Set(ids.map((id, i) => requireId(id, `${field}[${i}]`)))];
}

export function sameSet(a: Id[], b: Id[]) {
  return a.length === b.length && a.every((id) => b.includes(id));
}

/** Both coordinates or neither, each within its range; checked against the stored pair on update. */
export function coordinates(input: FollowUpChanges, current: FollowUp | null): Record<string, unknown> {
  if (input.latitude === undefined && input.longitude === undefined) return {};
  const latitude = input.latitude !== undefined ? input.latitude : current?.latitude != null ? Number(current.latitude) : null;
  const longitude = input.longitude !== undefined ? input.longitude : current?.longitude != null ? Number(current.longitude) : null;
  if ((latitude === null) !== (longitude === null)) {
    const missing = latitude === null ? 'latitude' : 'longitude';
    throw invalidField(missing, 'give both latitude and longitude, or neither');
  }
  if (latitude !== null && (!Number.isFinite(latitude) || latitude < -90 || latitude > 90)) throw invalidField('latitude', 'must be between -90 and 90');
  if (longitude !== null && (!Number.isFinite(longitude) || longitude < -180 || longitude > 180)) throw invalidField('longitude', 'must be between -180 and 180');
  return {
    latitude: latitude === null ? null : latitude.toFixed(6),
    longitude: longitude === null ? null : longitude.toFixed(6),
  };
}

/** A cost as numeric text: at least 0, at most two decimals. */
export function cost(value: string | null): string | null {
  if (value === null) return null;
  const text = String(value).trim();
  if (text.startsWith('-')) throw invalidField('cost', 'must be at least 0');
  if (!COST.test(text)) throw invalidField('cost', 'must be a decimal amount with at most 2 decimals, e.g. 128.50');
  return text;
}
