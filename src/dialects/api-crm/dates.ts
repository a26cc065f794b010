import { parseLocalDateTime } from '../../core/shared/time.ts';

/**
 * `FollowDate` as seed 000's clients send it: the JSON sample's `2026-03-31 21:49:35` (tenant
 * zone), the XML sample's `2026-03-31T21:49:35.5573666+08:00` (.NET's seven fraction digits),
 * any ISO 8601 with or without offset, and the older `/Date(1711892975557+0800)/` of
 * DataContractJsonSerializer. Fractions beyond milliseconds are cut. Returns:
 * - a Date;
 * - 'unset' for .NET's DateTime.MinValue (`0001-01-01T00:00:00`), what an unset DateTime is sent as;
 * - null when the text is none of these.
 */
export function parseFollowDate(text: string, timeZone: string): Date | 'unset' | null {
  const value = text.trim();
  const legacy = /^\/Date\((-?\d{1,15})([+-]\d{4})?\)\/$/.exec(value);
  if (legacy) return new Date(Number(legacy[1]));
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value);
  if (!m) return null;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone] = m;
  if (year === '0001' && month === '01' && day === '01' && hour === '00' && minute === '00' && second === '00' && !/[1-9]/.test(fraction)) return 'unset';
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  if (zone === undefined) {
    const local = parseLocalDateTime(`${year}-${month}-${day} ${hour}:${minute}:${second}`, timeZone);
    return local && new Date(local.getTime() + ms);
  }
  const wall = Date.UTC(+year!, +month! - 1, +day!, +hour, +minute, +second, ms);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== +year! || check.getUTCMonth() !== +month! - 1 || check.getUTCDate() !== +day! || +hour > 23 || +minute > 59 || +second > 59) return null;
  if (zone.toUpperCase() === 'Z') return check;
  const digits = zone.replace(':', '');
  const offset = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (digits.startsWith('-') ? -1 : 1);
  if (Number(digits.slice(3, 5)) > 59 || Math.abs(offset) > 14 * 60) return null;
  return new Date(wall - offset * 60_000);
}
