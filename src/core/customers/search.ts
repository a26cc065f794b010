import { pinyin } from 'pinyin-pro';

/**
 * Customer search without depending on the database's ctype. Each customer stores a token
 * array indexed with GIN:
 *   - every character and every pair of adjacent characters of its lower-cased name, so a
 *     fragment of any length (张, 张三, 三丰科技) is found by containment of its own pairs;
 *   - '#'-prefixed characters and pairs of its pinyin initials (zs for 张三);
 *   - 'p:'-prefixed suffixes (4 digits or more) of each phone, so "the last digits" is a lookup.
 * Full pinyin (zhangsan) is searched with a trigram index on name_pinyin: it is ASCII, which
 * pg_trgm handles the same under every ctype.
 */

export interface SearchFields {
  name_pinyin: string;
  name_initials: string;
  search_tokens: string[];
}

const MIN_PHONE_TAIL = 4;

function grams(text: string, prefix = ''): string[] {
  const chars = Array.from(text);
  const out = new Set<string>();
  chars.forEach((c, i) => {
    if (/\s/.test(c)) return;
    out.add(prefix + c);
    const next = chars[i + 1];
    if (next !== undefined && !/\s/.test(next)) out.add(prefix + c + next);
  });
  return [...out];
}

/** Pinyin of a name without tones or spaces; characters that have none are kept as they are. */
export function namePinyin(name: string): { full: string; initials: string } {
  const lower = name.toLowerCase();
  const full = pinyin(lower, { toneType: 'none', type: 'array', nonZh: 'consecutive' });
  const initials = pinyin(lower, { pattern: 'first', toneType: 'none', type: 'array', nonZh: 'consecutive' });
  const clean = (parts: string[]) => parts.join('').replace(/[^a-z0-9]/g, '');
  return { full: clean(full), initials: clean(initials) };
}

/** Digits only; a leading +86 / 0086 is dropped so numbers compare as people type them. */
export function normalisePhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.replace(/^(?:0086|86)(?=1\d{10}$)/, '');
}

export function searchFields(name: string, phones: readonly string[]): SearchFields {
  const { full, initials } = namePinyin(name);
  const tokens = new Set([...grams(name.toLowerCase()), ...grams(initials, '#')]);
  for (const phone of phones) {
    for (let start = 0; start <= phone.length - MIN_PHONE_TAIL; start++) tokens.add(`p:${phone.slice(start)}`);
  }
  return { name_pinyin: full, name_initials: initials, search_tokens: [...tokens] };
}

/** Tokens a name fragment must all be among (its pairs, or itself when one character). */
export function fragmentTokens(fragment: string, prefix = ''): string[] {
  const chars = Array.from(fragment.toLowerCase().replace(/\s+/g, ''));
  if (chars.length === 0) return [];
  if (chars.length === 1) return [prefix + chars[0]];
  const pairs = new Set<string>();
  for (let i = 0; i < chars.length - 1; i++) pairs.add(prefix + chars[i] + chars[i + 1]);
  return [...pairs];
}

export const phoneTailToken = (digits: string) => (digits.length >= MIN_PHONE_TAIL ? `p:${digits}` : null);
