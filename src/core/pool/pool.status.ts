import type { Customer } from '../../db/schema.ts';
import { zonedParts } from '../shared/time.ts';
import type { PoolRules } from './pool.types.ts';

const DAY = 86_400_000;

/** The tenant-local calendar date of an instant, as a UTC-midnight day number. */
export function localDay(at: Date, timeZone: string): number {
  const p = zonedParts(at, timeZone);
  return Date.UTC(+p.year, +p.month - 1, +p.day) / DAY;
}

export const isoDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

/** The instant the tenant's current day began: where daily limits start counting. */
export function startOfLocalDay(at: Date, timeZone: string): Date {
  const p = zonedParts(at, timeZone);
  return new Date(Date.UTC(+p.year, +p.month - 1, +p.day) - p.offsetMinutes * 60_000);
}

type StatusFields = Pick<
  Customer,
  'in_pool' | 'owner_id' | 'deleted_at' | 'is_locked' | 'is_won' | 'grade_id' | 'last_follow_at' | 'last_deal_at' | 'assigned_at' | 'created_at'
>;

/**
 * The local date a customer is due to be recycled, by the same arithmetic as the recycle job's
 * SQL (pool.repository.ts): the later of the last follow-up and the assignment, plus the days.
 */
export function recycleDay(customer: StatusFields, rules: PoolRules, timeZone: string, openOpportunities = false): number | null {
  if (customer.in_pool || !customer.owner_id || customer.deleted_at) return null;
  if ((rules.exemptLocked && customer.is_locked) || (rules.exemptWon && customer.is_won) || (rules.exemptOpenOpportunities && openOpportunities)) return null;
  const assigned = customer.assigned_at ?? customer.created_at;
  const later = (a: Date | null, b: Date) => (a && a > b ? a : b);
  const followDays = (customer.grade_id ? rules.gradeDays[customer.grade_id] : undefined) ?? rules.recycleNoFollowDays;
  const due: number[] = [];
  if (followDays) due.push(localDay(later(customer.last_follow_at, assigned), timeZone) + followDays);
  if (rules.recycleNoDealDays) due.push(localDay(later(customer.last_deal_at, assigned), timeZone) + rules.recycleNoDealDays);
  return due.length ? Math.min(...due) : null;
}

/** Days left before recycling and whether the notice period has begun. */
export function poolStatus(customer: StatusFields, rules: PoolRules, now: Date, timeZone: string, openOpportunities = false) {
  const due = recycleDay(customer, rules, timeZone, openOpportunities);
  if (due === null) return { daysLeft: null, comingFree: false, recycleOn: null };
  const daysLeft = Math.max(0, due - localDay(now, timeZone));
  return { daysLeft, comingFree: daysLeft <= rules.noticeDays, recycleOn: isoDay(due) };
}
