import { invalidField } from '../shared/errors.ts';
import { zonedParts } from '../shared/time.ts';
import { SMS_VALUE_COUNT, type SmsSchedule } from './sms.types.ts';

const PLACEHOLDER = /\{value([1-6])\}/g;

/**
 * Substitutes {value1} … {value6}. A placeholder whose value is missing is refused rather than
 * sent as is: a customer must never receive "{value2}". Other braces are left alone.
 */
export function renderSms(text: string, values: readonly (string | null | undefined)[] = []): string {
  return text.replace(PLACEHOLDER, (_match, n: string) => {
    const value = values[Number(n) - 1];
    if (value === undefined || value === null) {
      throw invalidField(`value${n}`, `the text uses {value${n}}; give it a value`, 'sms_value_missing');
    }
    return value;
  });
}

/** Values as stored: value1 … value6, missing ones as empty strings. */
export function storedValues(values: readonly (string | null | undefined)[] = []): string[] {
  if (values.length > SMS_VALUE_COUNT) throw invalidField('values', `at most ${SMS_VALUE_COUNT} values (value1 … value6)`);
  return values.map((v) => v ?? '');
}

/** The instant at which a wall-clock time (as UTC fields) happens in a time zone. */
function fromWallClock(wallMs: number, timeZone: string): Date {
  let t = wallMs;
  // Two rounds settle the offset, also next to a daylight-saving change.
  for (let i = 0; i < 2; i++) t = wallMs - zonedParts(new Date(t), timeZone).offsetMinutes * 60_000;
  return new Date(t);
}

/**
 * The n-th sending (n ≥ 1) of a recurring message whose first sending is `first`, in the
 * tenant's time zone: same wall-clock time; monthly and yearly keep the day of month, falling
 * back to the month's last day (31 Jan → 28 Feb → 31 Mar).
 */
export function occurrence(schedule: SmsSchedule, first: Date, n: number, timeZone: string): Date {
  const p = zonedParts(first, timeZone);
  const [y, m, d] = [Number(p.year), Number(p.month) - 1, Number(p.day)];
  const time = ((Number(p.hour) * 60 + Number(p.minute)) * 60 + Number(p.second)) * 1000 + first.getUTCMilliseconds();
  const day = (year: number, month: number, dayOfMonth: number) => {
    const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    return Date.UTC(year, month, Math.min(dayOfMonth, last));
  };
  let wall: number;
  switch (schedule) {
    case 'daily':
      wall = Date.UTC(y, m, d + n);
      break;
    case 'weekly':
      wall = Date.UTC(y, m, d + 7 * n);
      break;
    case 'monthly':
      wall = day(y, m + n, d);
      break;
    case 'yearly':
      wall = day(y + n, m, d);
      break;
    default:
      throw new Error(`schedule ${schedule} does not recur`);
  }
  return fromWallClock(wall + time, timeZone);
}

/**
 * The first sending strictly after `after`, or null for a message that does not recur. Sendings
 * missed while no job ran are skipped, not sent in a burst.
 */
export function nextOccurrence(schedule: SmsSchedule, first: Date, after: Date, timeZone: string): Date | null {
  if (schedule === 'immediate' || schedule === 'once') return null;
  // Longest possible periods, so the estimate never overshoots the first sending after `after`.
  const step = { daily: 1, weekly: 7, monthly: 31, yearly: 366 }[schedule] * 86_400_000;
  let n = Math.max(1, Math.floor((after.getTime() - first.getTime()) / step) - 1);
  let at = occurrence(schedule, first, n, timeZone);
  while (at <= after) at = occurrence(schedule, first, ++n, timeZone);
  return at;
}
