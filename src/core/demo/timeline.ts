import type { Random } from './random.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
export const DAY = 86_400_000;

/**
 * Times for the demo, in the tenant's wall clock: people follow up in office hours and mostly on
 * weekdays. All values are epoch milliseconds.
 */
export class Timeline {
  constructor(
    readonly now: number,
    /** The tenant's UTC offset in milliseconds (its offset at `now`; DST is ignored). */
    private readonly offset: number,
  ) {}

  /** Local midnight of the day holding `t`, as an instant. */
  dayStart(t: number): number {
    return Math.floor((t + this.offset) / DAY) * DAY - this.offset;
  }

  /** 0 = Sunday … 6 = Saturday, in local time. */
  weekday(t: number): number {
    return (Math.floor((t + this.offset) / DAY) + 4) % 7;
  }

  /**
   * A moment of office hours (08:30–19:00) on a day near `t`, moved off most weekends. It draws
   * the same number of values whatever the day, so the data built after it does not depend on
   * the weekday `now` falls on.
   */
  officeTime(r: Random, t: number, from = 8.5 * 60, to = 19 * 60): number {
    const stayOnWeekend = r.chance(0.15);
    const minute = from + r.int(to - from);
    const second = r.int(60);
    let day = this.dayStart(t);
    const weekday = this.weekday(day);
    if ((weekday === 0 || weekday === 6) && !stayOnWeekend) day -= (weekday === 0 ? 2 : 1) * DAY;
    return day + minute * MINUTE + second * 1000;
  }

  /** An office-hours moment in [start, end], spread evenly over the span. */
  between(r: Random, start: number, end: number): number {
    const at = r.next();
    const nudge = r.next();
    const t = this.officeTime(r, start + at * Math.max(0, end - start));
    if (end <= start) return end;
    const span = Math.min(end - start, HOUR);
    return t < start ? start + Math.floor(nudge * span) : t > end ? end - Math.floor(nudge * span) : t;
  }

  daysAgo(days: number): number {
    return this.now - days * DAY;
  }

  /** YYYY-MM-DD of `t` in local time. */
  date(t: number): string {
    return new Date(t + this.offset).toISOString().slice(0, 10);
  }
}

export const iso = (t: number) => new Date(t).toISOString();
