import { invalidParameter, missingParameter, WebApiError } from './errors.ts';
import { parseLocalDateTime } from './datetime.ts';

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const MAX_TEXT = 100_000;

export type RawParams = Record<string, unknown>;

/**
 * The parameters of one call, read by name as the seed types them. Query string and form body are
 * one bag: a name given in both takes the query string's value (ASP.NET's Request[name] order).
 * Every reader names the parameter in the error it throws.
 */
export class Params {
  constructor(
    private readonly values: RawParams,
    readonly timeZone: string,
  ) {}

  /** The text of a parameter; blank counts as absent. */
  private text(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) throw invalidParameter(name, '只能给出一次');
    const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
    if (text === undefined) throw invalidParameter(name, '必须是文本或数字');
    return text.trim() === '' ? undefined : text;
  }

  has(name: string): boolean {
    return this.text(name) !== undefined;
  }

  string(name: string, options: { max?: number } = {}): string {
    const value = this.optionalString(name, options);
    if (value === undefined) throw missingParameter(name);
    return value;
  }

  optionalString(name: string, options: { max?: number } = {}): string | undefined {
    const value = this.text(name);
    const max = options.max ?? MAX_TEXT;
    if (value !== undefined && value.length > max) throw invalidParameter(name, `长度不能超过 ${max} 个字符`);
    return value;
  }

  int32(name: string, options: { min?: number; max?: number } = {}): number {
    const value = this.optionalInt32(name, options);
    if (value === undefined) throw missingParameter(name);
    return value;
  }

  optionalInt32(name: string, options: { min?: number; max?: number } = {}): number | undefined {
    const text = this.text(name)?.trim();
    if (text === undefined) return undefined;
    if (!/^[+-]?\d{1,10}$/.test(text)) throw invalidParameter(name, '必须是 Int32 整数');
    const value = Number(text);
    if (value < INT32_MIN || value > INT32_MAX) throw invalidParameter(name, '超出 Int32 范围');
    const min = options.min ?? INT32_MIN;
    const max = options.max ?? INT32_MAX;
    if (value < min || value > max) throw invalidParameter(name, `必须在 ${min} 到 ${max} 之间`);
    return value;
  }

  /**
   * A record id (Int32 on this wire), as Genjin's id text. Ids are positive: 0 or a negative
   * number names no record, so it answers not-found like any missing id.
   */
  id(name: string, entity: string): string {
    const value = this.int32(name);
    if (value <= 0) throw new WebApiError('not_found', `记录不存在: ${entity} ${value}`, name);
    return String(value);
  }

  /** An optional reference where 0 (the original's "none") means no record. */
  optionalId(name: string): string | null {
    const value = this.optionalInt32(name, { min: 0 });
    return value ? String(value) : null;
  }

  /** A required reference where 0 means none. */
  idOrNone(name: string): string | null {
    const value = this.int32(name, { min: 0 });
    return value ? String(value) : null;
  }

  /** One of the documented integer codes. */
  code<T extends number>(name: string, codes: readonly T[]): T {
    const value = this.int32(name);
    if (!codes.includes(value as T)) throw invalidParameter(name, `必须是 ${codes.join('、')} 之一`);
    return value as T;
  }

  dateTime(name: string): Date {
    const value = this.optionalDateTime(name);
    if (value === undefined) throw missingParameter(name);
    return value;
  }

  optionalDateTime(name: string): Date | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    const value = parseLocalDateTime(text, this.timeZone);
    if (!value) throw invalidParameter(name, '必须是时间, 如 2013-05-05 10:25:30');
    return value;
  }

  /** A comma-separated list of ids (`111,222`), deduplicated, in the order given. */
  idList(name: string, options: { max?: number } = {}): string[] {
    const text = this.string(name);
    const parts = text.split(/[,，]/).map((p) => p.trim()).filter((p) => p !== '');
    if (parts.length === 0) throw missingParameter(name);
    const max = options.max ?? 500;
    if (parts.length > max) throw invalidParameter(name, `最多 ${max} 个 id`);
    for (const part of parts) {
      if (!/^\d{1,10}$/.test(part) || Number(part) > INT32_MAX || Number(part) === 0) throw invalidParameter(name, `"${part}" 不是有效的 Int32 id`);
    }
    return [...new Set(parts.map((p) => String(Number(p))))];
  }

  /** A JSON object sent as text in one parameter (`json`, `customer`, `man`). */
  jsonObject(name: string): Record<string, unknown> {
    // A JSON request body may carry the object itself rather than its text.
    const raw = this.values[name];
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>;
    const text = this.string(name, { max: 1_000_000 });
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw invalidParameter(name, `不是合法的 JSON (${(error as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(name, '必须是 JSON 对象');
    return value as Record<string, unknown>;
  }
}

/** Merges query string and form: query first, as ASP.NET's Request[name] reads them. */
export function mergeParams(query: unknown, body: unknown): RawParams {
  // No prototype: a parameter named __proto__ is just a parameter.
  const out: RawParams = Object.create(null) as RawParams;
  const add = (source: unknown) => {
    if (!source || typeof source !== 'object' || Array.isArray(source)) return;
    for (const [key, value] of Object.entries(source as RawParams)) if (!(key in out)) out[key] = value;
  };
  add(query);
  add(body);
  return out;
}
