import { describe, expect, it } from 'vitest';
import { parseForm } from '../../../src/dialects/shared/form.ts';
import { parseLocalDateTime } from '../../../src/core/shared/time.ts';

/** The pieces of seed 001's wire format that need no server (its JSON is ../shared/json.test.ts). */
describe('seed 001 forms and local times', () => {
  it('reads form bodies: bracketed names and repeated names become lists', () => {
    expect(parseForm('a%5B%5D=1&a%5B%5D=2&b=1&b=2&c[0]=x&d=%E4%BD%A0%E5%A5%BD&e=', { brackets: true })).toEqual({ a: ['1', '2'], b: ['1', '2'], c: ['x'], d: '你好', e: '' });
    expect(Object.getPrototypeOf(parseForm('__proto__=1', { brackets: true }))).toBeNull();
    // Without brackets (seed 004) a bracketed name is just a name; repeats still make a list.
    expect(parseForm('a[]=1&b=1&b=2', { brackets: false })).toEqual({ 'a[]': '1', b: ['1', '2'] });
  });

  it('parses local wall-clock times in a zone, refusing dates that do not exist', () => {
    expect(parseLocalDateTime('2022-03-17 17:16:39', 'Asia/Shanghai')?.toISOString()).toBe('2022-03-17T09:16:39.000Z');
    expect(parseLocalDateTime('2022-03-17', 'Asia/Shanghai')?.toISOString()).toBe('2022-03-16T16:00:00.000Z');
    expect(parseLocalDateTime('2026-07-01 12:00:00', 'America/New_York')?.toISOString()).toBe('2026-07-01T16:00:00.000Z');
    expect(parseLocalDateTime('2026-01-01 12:00:00', 'America/New_York')?.toISOString()).toBe('2026-01-01T17:00:00.000Z');
    for (const bad of ['2023-02-29 00:00:00', '2022-13-01', '2022-03-17 24:00:00', '17/03/2022', '']) expect(parseLocalDateTime(bad, 'Asia/Shanghai'), bad).toBeNull();
  });
});
