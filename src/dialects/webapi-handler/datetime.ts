import { localDateTime, parseLocalDateTime, zonedParts } from '../../core/shared/time.ts';

export { parseLocalDateTime };

/** `YYYY-MM-DD HH:mm:ss` in the zone, or null. */
export function formatLocalDateTime(value: Date | null | undefined, timeZone: string): string | null {
  return value ? localDateTime(value, timeZone) : null;
}

/** Midnight that starts the day after `now`'s day in the zone. */
export function startOfNextDay(now: Date, timeZone: string): Date {
  const p = zonedParts(now, timeZone);
  const next = new Date(Date.UTC(+p.year, +p.month - 1, +p.day + 1));
  return parseLocalDateTime(`${next.getUTCFullYear()}-${next.getUTCMonth() + 1}-${next.getUTCDate()}`, timeZone)!;
}
