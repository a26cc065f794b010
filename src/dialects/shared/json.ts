/**
 * JSON for the dialects whose ids are int64 and whose amounts are decimals. A JavaScript number
 * is a double: `347772778973233152` parses as …150 and `0.1 + 0.2` money drifts. Node 20's
 * JSON.parse gives a reviver no access to a number's source text, so number literals are quoted
 * before parsing and reach the dialect as the exact digits the client wrote; on the way out,
 * `RawNumber`s are printed as bare digits.
 */

/** Which number literals to keep as their text. */
export type KeepNumbers =
  /** Only integers a double cannot hold exactly (beyond ±2^53); the rest stay numbers. */
  | 'unsafe-integers'
  /** Every number, so that ids and decimal amounts alike arrive as written (`1.10` → "1.10"). */
  | 'all';

const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

/** JSON.parse, with the chosen number literals turned into strings of their own digits. */
export function parseJsonKeepingNumbers(text: string, keep: KeepNumbers): unknown {
  return JSON.parse(quoteNumbers(text, keep));
}

/**
 * The text with the chosen number literals (outside strings) wrapped in quotes. A token that is
 * not a JSON number (`01`) is left as it is for JSON.parse to refuse.
 */
export function quoteNumbers(text: string, keep: KeepNumbers): string {
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i = skipString(text, i);
      continue;
    }
    if (c !== 0x2d /* - */ && (c < 0x30 || c > 0x39)) {
      i++;
      continue;
    }
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (!match) {
      i++;
      continue;
    }
    const literal = match[0];
    const integer = match[1] === undefined && match[2] === undefined;
    const quote = keep === 'all' ? !/^-?0\d/.test(literal) : integer && !Number.isSafeInteger(Number(literal));
    if (quote) {
      out += `${text.slice(copiedUpTo, i)}"${literal}"`;
      copiedUpTo = i + literal.length;
    }
    i += literal.length;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/** Index just past the string starting at `start` (a quote), or the end of malformed text. */
function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  return i;
}

/** A JSON number printed with exactly these digits (an int64 id, a numeric amount). */
export class RawNumber {
  constructor(readonly text: string) {
    if (!/^-?\d+(?:\.\d+)?$/.test(text)) throw new TypeError(`not a plain decimal number: ${text}`);
  }
}

export const rawNumber = (digits: string | number | bigint) => new RawNumber(String(digits));
export const rawNumberOrNull = (digits: string | null) => (digits === null ? null : new RawNumber(digits));

/** JSON.stringify for plain data, printing RawNumbers (and bigints) as bare digits. */
export function stringifyWithRawNumbers(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (typeof value === 'bigint') return value.toString();
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((item) => stringifyWithRawNumbers(item)).join(',')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${stringifyWithRawNumbers(item)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
