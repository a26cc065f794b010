const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** A zone's offset from UTC in ms at a whole-second instant, read through Intl (slow: ~5 µs). */
function measuredOffset(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!) - instant;
}

/**
 * Offsets change a few times a year at most, so they are cached per zone and six-hour window: a
 * window whose first and last second have the same offset has it throughout (no zone changes its
 * offset twice within six hours). A window with a change in it is read second by second.
 */
const WINDOW = 6 * 3_600_000;
const offsets = new Map<string, number>();

function offsetAt(instant: number, timeZone: string): number {
  const window = Math.floor(instant / WINDOW);
  const key = `${timeZone} ${window}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const first = measuredOffset(window * WINDOW, timeZone);
    offset = first === measuredOffset((window + 1) * WINDOW - 1000, timeZone) ? first : Number.NaN;
    if (offsets.size >= 50_000) offsets.clear();
    offsets.set(key, offset);
  }
  return Number.isNaN(offset) ? measuredOffset(instant, timeZone) : offset;
}

const two = (n: number) => String(n).padStart(2, '0');

/** Wall-clock parts of an instant in a time zone, plus that zone's offset from UTC in minutes. */
export function zonedParts(date: Date, timeZone: string) {
  const instant = Math.floor(date.getTime() / 1000) * 1000;
  const offset = offsetAt(instant, timeZone);
  const wall = new Date(instant + offset);
  return {
    year: String(wall.getUTCFullYear()),
    month: two(wall.getUTCMonth() + 1),
    day: two(wall.getUTCDate()),
    hour: two(wall.getUTCHours()),
    minute: two(wall.getUTCMinutes()),
    second: two(wall.getUTCSeconds()),
    offsetMinutes: Math.round(offset / 60_000),
  };
}

/** ISO 8601 with the zone's offset, e.g. 2026-03-31T21:49:35.557+08:00. */
export function isoInZone(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  const sign = p.offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(p.offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  const ms = String(date.getUTCMilliseconds()).padStart(3, '0');
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}.${ms}${offset}`;
}

/** `YYYY-MM-DD HH:mm:ss` wall-clock time in a zone: the local-time format several seeds use. */
export function localDateTime(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/**
 * The instant of a wall-clock time `YYYY-MM-DD HH:mm:ss` (or `YYYY-MM-DD`, `YYYY-MM-DD HH:mm`)
 * in a zone; null when the text is not such a time or names no real date (2023-02-30).
 */
export function parseLocalDateTime(text: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  // The zone's offset at the guessed instant, then again at the corrected one (DST edges).
  let instant = wall - zonedParts(new Date(wall), timeZone).offsetMinutes * 60_000;
  instant = wall - zonedParts(new Date(instant), timeZone).offsetMinutes * 60_000;
  return new Date(instant);
}
