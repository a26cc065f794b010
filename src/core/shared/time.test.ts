import { describe, expect, it } from 'vitest';
import { isoInZone, localDateTime, parseLocalDateTime, zonedParts } from './time.ts';

/** What Intl says, field by field: the reference the cached offsets must always agree with. */
const formats = new Map<string, Intl.DateTimeFormat>();
function reference(date: Date, timeZone: string) {
  // One formatter per zone: building one per call made this file take half a minute on a busy machine.
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]));
  const wall = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
  return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second, offsetMinutes: Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60_000) };
}

// Shanghai (no DST), New York and London (DST at 02:00 / 01:00), Lord Howe (a 30-minute DST
// change), Kathmandu (+05:45), Chatham (+12:45 / +13:45).
const ZONES = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC'];

describe('zonedParts', () => {
  it('agrees with Intl on every second around DST changes', () => {
    const edges = [
      ['America/New_York', '2026-03-08T07:00:00Z'],
      ['America/New_York', '2026-11-01T06:00:00Z'],
      ['Europe/London', '2026-03-29T01:00:00Z'],
      ['Europe/London', '2026-10-25T01:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
      ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
      ['Pacific/Chatham', '2026-04-04T14:00:00Z'],
    ] as const;
    for (const [zone, at] of edges) {
      const change = Date.parse(at);
      expect(reference(new Date(change - 1000), zone).offsetMinutes, `${zone} changes at ${at}`).not.toBe(reference(new Date(change), zone).offsetMinutes);
      for (let t = change - 3_600_000; t <= change + 3_600_000; t += 997) {
        expect(zonedParts(new Date(t), zone), `${zone} ${new Date(t).toISOString()}`).toEqual(reference(new Date(t), zone));
      }
    }
  });

  it('agrees with Intl at random instants from 1900 to 2100, first read and cached', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const from = Date.UTC(1900, 0, 1);
    const to = Date.UTC(2100, 0, 1);
    for (let i = 0; i < 3000; i++) {
      const date = new Date(from + Math.floor(next() * (to - from)));
      const zone = ZONES[i % ZONES.length]!;
      const expected = reference(date, zone);
      expect(zonedParts(date, zone), `${zone} ${date.toISOString()}`).toEqual(expected);
      expect(zonedParts(date, zone)).toEqual(expected);
    }
  });

  it('formats and parses local times through it', () => {
    const date = new Date('2026-03-31T13:49:35.557Z');
    expect(isoInZone(date, 'Asia/Shanghai')).toBe('2026-03-31T21:49:35.557+08:00');
    expect(isoInZone(date, 'Asia/Kathmandu')).toBe('2026-03-31T19:34:35.557+05:45');
    expect(localDateTime(date, 'America/New_York')).toBe('2026-03-31 09:49:35');
    expect(parseLocalDateTime('2026-03-31 21:49:35', 'Asia/Shanghai')?.toISOString()).toBe('2026-03-31T13:49:35.000Z');
    // 02:30 does not exist in New York on 2026-03-08 (clocks go from 02:00 to 03:00): it is read
    // with the new offset, which is 01:30 in the old one.
    expect(parseLocalDateTime('2026-03-08 02:30', 'America/New_York')?.toISOString()).toBe('2026-03-08T06:30:00.000Z');
    expect(() => zonedParts(date, 'Mars/Olympus')).toThrow(RangeError);
  });
});
