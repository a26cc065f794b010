import { parseLocalDateTime } from './datetime.ts';
import { invalidParameter, missingParameter } from './errors.ts';

const INT32_MAX = 2_147_483_647;

/**
 * Strict reading of an object that arrived as JSON text in one parameter (`json`, `customer`,
 * `man`). Property names match case-insensitively, as .NET's JSON deserializers match them;
 * a property outside the object's documented field set is refused, naming it. Errors name
 * `param.Property`.
 */
export class JsonFields {
  private readonly byName = new Map<string, { key: string; value: unknown }>();

  constructor(
    readonly param: string,
    object: Record<string, unknown>,
    /** Every documented property, in its PascalCase spelling (read-only ones included). */
    known: readonly string[],
    private readonly timeZone: string,
  ) {
    const canonical = new Map(known.map((k) => [k.toLowerCase(), k]));
    for (const [key, value] of Object.entries(object)) {
      const name = canonical.get(key.toLowerCase());
      if (!name) throw invalidParameter(`${param}.${key}`, `不是 ${param} 对象的属性`);
      if (this.byName.has(name)) throw invalidParameter(`${param}.${key}`, '重复的属性');
      this.byName.set(name, { key, value });
    }
  }

  private field(name: string) {
    return `${this.param}.${name}`;
  }

  /** Whether the property was sent (null counts: it clears). */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  private raw(name: string): unknown {
    return this.byName.get(name)?.value;
  }

  /** Text: undefined when absent, null when null or blank. */
  string(name: string, max = 5000): string | null | undefined {
    if (!this.has(name)) return undefined;
    const value = this.raw(name);
    if (value === null) return null;
    if (typeof value !== 'string' && typeof value !== 'number') throw invalidParameter(this.field(name), '必须是字符串');
    const text = String(value).trim();
    if (text.length > max) throw invalidParameter(this.field(name), `长度不能超过 ${max} 个字符`);
    return text === '' ? null : text;
  }

  requiredString(name: string, max = 5000): string {
    const value = this.string(name, max);
    if (value === undefined || value === null) throw missingParameter(this.field(name));
    return value;
  }

  /** An Int32, given as a JSON number or as digits in a string. */
  int32(name: string): number | null | undefined {
    if (!this.has(name)) return undefined;
    const value = this.raw(name);
    if (value === null) return null;
    const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
    if (text === '') return null;
    if (!/^-?\d{1,10}$/.test(text) || Math.abs(Number(text)) > INT32_MAX) throw invalidParameter(this.field(name), '必须是 Int32 整数');
    return Number(text);
  }

  /** A reference by id or dictionary code: 0 and null mean none. */
  ref(name: string): string | null | undefined {
    const value = this.int32(name);
    if (value === undefined) return undefined;
    if (value !== null && value < 0) throw invalidParameter(this.field(name), '不能为负数');
    return value ? String(value) : null;
  }

  /** true/false, or the codes 1/0 (also as text). */
  flag(name: string): boolean | undefined {
    if (!this.has(name)) return undefined;
    const value = this.raw(name);
    if (value === true || value === 1 || value === '1' || value === 'true') return true;
    if (value === false || value === 0 || value === '0' || value === 'false') return false;
    throw invalidParameter(this.field(name), '必须是 true/false 或 1/0');
  }

  dateTime(name: string): Date | null | undefined {
    const text = this.string(name, 40);
    if (text === undefined || text === null) return text;
    const value = parseLocalDateTime(text, this.timeZone);
    if (!value) throw invalidParameter(this.field(name), '必须是时间, 如 2013-05-05 10:25:30');
    return value;
  }

  /** A calendar date `YYYY-MM-DD` (a time of day, if sent, is dropped). */
  date(name: string): string | null | undefined {
    const text = this.string(name, 40);
    if (text === undefined || text === null) return text;
    const match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$/.exec(text);
    const value = match ? parseLocalDateTime(`${match[1]}-${match[2]}-${match[3]}`, 'UTC') : undefined;
    if (!match || !value) throw invalidParameter(this.field(name), '必须是日期, 如 2013-05-05');
    return value.toISOString().slice(0, 10);
  }
}

export { INT32_MAX };
