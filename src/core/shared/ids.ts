import { invalidField } from './errors.ts';

const INT64_MAX = 9_223_372_036_854_775_807n;

/** True for a positive int64 written in decimal digits: the only id shape Genjin accepts. */
export function isId(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[1-9]\d{0,18}$/.test(value)) return false;
  return BigInt(value) <= INT64_MAX;
}

/** Checks an id that came from input, naming the field when it is not one. */
export function requireId(value: unknown, field: string): string {
  if (isId(value)) return value;
  throw invalidField(field, 'must be a positive 64-bit integer id written as a string of digits');
}

/**
 * Distinct ids in numeric order: the order in which every writer locks rows of one table, so
 * two transactions never wait on each other crosswise.
 */
export const lockOrder = (ids: readonly string[]) =>
  [...new Set(ids)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
