import { namePinyin } from '../customers/search.ts';
import {
  BRAND_CHARS,
  BRAND_WORDS,
  BUILDINGS,
  CITIES,
  type City,
  COMPANY_SUFFIXES,
  DAYS,
  EMAIL_DOMAINS,
  FOLLOW_UP_CLOSINGS,
  FOLLOW_UP_PHRASES,
  FOLLOW_UP_TITLES,
  GIVEN_FEMALE,
  GIVEN_MALE,
  type Industry,
  INDUSTRIES,
  type PhraseKind,
  PRODUCTS,
  STREETS,
  SURNAMES,
} from './pools.ts';
import type { Random } from './random.ts';

/** Small builders of realistic Chinese values, each drawing from the stream it is given. */

export interface Person {
  name: string;
  surname: string;
  gender: 'male' | 'female';
}

export function person(r: Random): Person {
  const surname = r.weighted(SURNAMES);
  const gender = r.chance(0.55) ? 'male' : 'female';
  const pool = gender === 'male' ? GIVEN_MALE : GIVEN_FEMALE;
  const given = r.chance(0.7) ? r.pick(pool) + r.pick(pool) : r.pick(pool);
  return { name: surname + given, surname, gender };
}

/** How a salesperson refers to a contact in notes: 王总, 李经理, or the full name. */
export function salutation(r: Random, p: Person, position?: string): string {
  if (position?.includes('总')) return `${p.surname}总`;
  if (position?.includes('经理') && r.chance(0.6)) return `${p.surname}经理`;
  return r.chance(0.3) ? `${p.surname}${p.gender === 'male' ? '先生' : '女士'}` : p.name;
}

const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '153', '155', '156', '157', '158', '159', '180', '181', '182', '183', '185', '186', '187', '188', '189'];

export function mobile(r: Random): string {
  return r.pick(MOBILE_PREFIXES) + r.digits(8);
}

/** A landline as people write it: area code, dash, 8 digits (7 after a 4-digit area code now and then). */
export function landline(r: Random, city: City): string {
  const length = city.areaCode.length === 4 && r.chance(0.2) ? 7 : 8;
  return `${city.areaCode}-${String(r.between(2, 8))}${r.digits(length - 1)}`;
}

export function pickCity(r: Random): City {
  return r.weighted(CITIES);
}

export interface Company {
  name: string;
  city: City;
  industry: Industry;
  brand: string;
}

export function company(r: Random): Company {
  const city = pickCity(r);
  const brand = r.chance(0.1) ? r.pick(BRAND_WORDS) : r.pick(BRAND_CHARS) + r.pick(BRAND_CHARS);
  const industry = r.pick(INDUSTRIES);
  const suffix = r.weighted(COMPANY_SUFFIXES);
  const name = r.chance(0.12) ? `${brand}（${city.name}）${industry.word}${suffix}` : `${city.name}${brand}${industry.word}${suffix}`;
  return { name, city, industry, brand };
}

export function street(r: Random, city: City): string {
  const building = r.chance(0.7) ? `${r.pick(BUILDINGS)}${r.between(1, 30)}${String(r.between(1, 20)).padStart(2, '0')}室` : '';
  return `${city.province === `${city.name}市` ? '' : city.province}${city.name}市${r.pick(city.districts)}${r.pick(STREETS)}${r.between(1, 999)}号${building}`;
}

export function email(r: Random, name: string): string {
  const { full } = namePinyin(name);
  return `${full}${r.chance(0.5) ? r.between(1, 999) : ''}@${r.pick(EMAIL_DOMAINS)}`;
}

const templates = new Map<string, string[]>();

/** Fills `{c}` (the contact), `{p}` (a product), `{n}` (an amount), `{k}` (a count) and `{d}` (a day). */
function fill(template: string, r: Random, contact: string | null): string {
  let pieces = templates.get(template);
  if (!pieces) templates.set(template, (pieces = template.split(/(\{[cpnkd]\})/)));
  let out = '';
  for (const piece of pieces) {
    switch (piece) {
      case '{c}':
        out += contact ?? '客户';
        break;
      case '{p}':
        out += r.pick(PRODUCTS);
        break;
      case '{n}':
        out += `${r.between(5, 500)},000`;
        break;
      case '{k}':
        out += String(r.between(2, 12));
        break;
      case '{d}':
        out += r.pick(DAYS);
        break;
      default:
        out += piece;
    }
  }
  return out;
}

/**
 * A follow-up note of the given kind: one or two phrases and a closing, as plain text or as
 * the simple HTML a rich-text editor produces.
 */
export function followUpText(r: Random, kind: PhraseKind, contact: string | null): { parts: string[]; title: string | null } {
  const phrases = FOLLOW_UP_PHRASES[kind];
  const first = r.int(phrases.length);
  const parts = [fill(phrases[first]!, r, contact)];
  if (phrases.length > 1 && r.chance(0.3)) parts.push(fill(phrases[(first + 1 + r.int(phrases.length - 1)) % phrases.length]!, r, contact));
  const closing = fill(r.pick(FOLLOW_UP_CLOSINGS), r, contact);
  if (closing) parts.push(closing);
  return { parts, title: r.chance(0.4) ? r.pick(FOLLOW_UP_TITLES[kind]) : null };
}

/**
 * The parts as stored content, in one of the shapes a rich-text editor produces (plain, paragraphs,
 * or paragraphs with bold and a line break), with the plain text the follow-up service derives
 * from it (follow-ups/plain-text.ts: block ends become line breaks) built alongside.
 */
export function asContent(r: Random, parts: string[]): { html: string; text: string } {
  const style = r.next();
  if (style < 0.5) return { html: parts.join(''), text: parts.join('') };
  const text = parts.join('\n');
  if (style < 0.85) return { html: parts.map((p) => `<p>${p}</p>`).join(''), text };
  const [first, ...rest] = parts;
  return { html: `<p><strong>${first}</strong></p><p>${rest.join('<br>')}</p>`, text };
}

export function jitter(r: Random, value: number, spread: number): number {
  return Math.round((value + (r.next() - 0.5) * 2 * spread) * 1e6) / 1e6;
}
