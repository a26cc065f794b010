import { invalidField } from './errors.ts';

export interface PageRequest {
  cursor?: string | undefined;
  limit?: number | undefined;
  /** Counting costs a second query; lists answer a total only when asked. */
  withTotal?: boolean | undefined;
}

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  nextCursor: string | null;
  total?: number;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export function pageLimit(request: PageRequest): number {
  return Math.min(Math.max(request.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
}

/**
 * Keyset cursors: the sort values of the last row seen, base64url-encoded so clients treat them
 * as opaque. A keyset (not an offset) keeps pages stable while rows are being inserted and
 * costs the same on page 500 as on page 1.
 */
export function encodeCursor(values: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number | null)[] {
  const fail = () => invalidField('cursor', 'is not a cursor issued by this list', 'invalid_cursor');
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw fail();
  }
  if (
    !Array.isArray(values) ||
    values.length !== arity ||
    !values.every((v) => v === null || typeof v === 'string' || typeof v === 'number')
  ) {
    throw fail();
  }
  return values as (string | number | null)[];
}

/** Splits the one extra row fetched to learn whether another page exists. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (last: T) => (string | number | null)[]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}

/**
 * toPage for rows that carry their sort value as `sort_key`, the database's own text of it (so
 * timestamps keep their microseconds): the key goes into the cursor and out of the rows.
 */
export function toKeysetPage<T extends { sort_key: string | null }>(
  rows: T[],
  limit: number,
  idOf: (row: T) => string,
): { items: Omit<T, 'sort_key'>[]; nextCursor: string | null } {
  const last = rows[limit - 1];
  return {
    items: rows.slice(0, limit).map(({ sort_key: _key, ...row }) => row),
    nextCursor: rows.length > limit && last ? encodeCursor([last.sort_key, idOf(last)]) : null,
  };
}
