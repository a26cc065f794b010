import { randomBytes } from 'node:crypto';

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

/**
 * How a RawNumber travels through JSON.stringify: a string that starts with a mark no other string
 * can hold (it is random, made at start-up, and never printed), replaced by the bare digits after.
 */
const MARK = `~raw-${randomBytes(12).toString('hex')}~`;
const MARKED = new RegExp(`"${MARK}(-?\\d+(?:\\.\\d+)?)"`, 'g');

/** A JSON number printed with exactly these digits (an int64 id, a numeric amount). */
export class RawNumber {
  constructor(readonly text: string) {
    if (!/^-?\d+(?:\.\d+)?$/.test(text)) throw new TypeError(`not a plain decimal number: ${text}`);
  }

  toJSON(): string {
    return MARK + this.text;
  }
}

export const rawNumber = (digits: string | number | bigint) => new RawNumber(String(digits));
export const rawNumberOrNull = (digits: string | null) => (digits === null ? null : new RawNumber(digits));

const bigintsMarked = (_key: string, value: unknown) => (typeof value === 'bigint' ? MARK + value.toString() : value);

/**
 * JSON.stringify for plain data, printing RawNumbers (and bigints) as bare digits. The native
 * JSON.stringify does the work: a walk of our own took three times as long for a page of seed
 * 001's reports (242 against 77 µs), a tenth of the server's time per request.
 */
export function stringifyWithRawNumbers(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    // Only a bigint makes plain data unprintable; the replacer is slower, so it is the fallback.
    if (!(error instanceof TypeError)) throw error;
    text = JSON.stringify(value, bigintsMarked);
  }
  return text === undefined ? 'null' : text.replace(MARKED, '$1');
}
