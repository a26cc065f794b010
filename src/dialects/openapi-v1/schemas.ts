import type { FollowUpDetailsQuery } from '../../core/follow-ups/follow-up-details.service.ts';
import { MAX_DETAIL_PAGE } from '../../core/follow-ups/follow-up-details.service.ts';
import { normalisePhone } from '../../core/customers/search.ts';
import { invalidField } from '../../core/shared/errors.ts';
import { isId } from '../../core/shared/ids.ts';
import { parseLocalDateTime } from '../../core/shared/time.ts';

/**
 * The seed's request shapes, checked by hand: an id may be a number or a string of digits (the
 * exact JSON parser turns big ones into strings), which one schema type cannot say, and the seed's URL template sends every query
 * parameter, empty ones included. Each refusal names the wire field.
 */

export const DEFAULT_PAGE_SIZE = 10;
export const PAGE_SIZE_CAP = MAX_DETAIL_PAGE;
export const MAX_DELETE_IDS = 100;
const MAX_CONTENT = 100_000;
const MAX_FILTER = 100;

type Body = Record<string, unknown>;

const refuse = (field: string, message: string): never => {
  throw invalidField(field, message);
};

/**
 * An id as the seed sends it: a JSON number (the plugin's parser hands one beyond 2^53 over as its
 * exact digits),
 * or a string of digits (the seed's advice for tools that round int64).
 */
export function wireId(value: unknown, field: string): string {
  let text: string | null = null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) text = String(value);
  else if (typeof value === 'string') text = value.trim();
  if (text === null || !isId(text)) return refuse(field, '必须是正整数 ID（数字或数字字符串）');
  return text;
}

export function requireObject(body: unknown): Body {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return refuse('body', '请求体必须是 JSON 对象');
  return body as Body;
}

export interface CreateRecord {
  customerId: string;
  opportunityId: string | undefined;
  recordType: number;
  content: string;
}

const absent = (v: unknown) => v === undefined || v === null || v === '';

export function parseCreate(raw: unknown): CreateRecord {
  const body = requireObject(raw);
  if (absent(body.cle_id)) refuse('cle_id', '必填');
  if (absent(body.record_type)) refuse('record_type', '必填');
  if (body.record_content === undefined || body.record_content === null) refuse('record_content', '必填');
  const recordType = typeof body.record_type === 'string' ? Number(body.record_type.trim()) : body.record_type;
  if (typeof recordType !== 'number' || !Number.isSafeInteger(recordType) || recordType < 1) refuse('record_type', '必须是跟进记录类型 ID（正整数），见 recordTypes 接口');
  if (typeof body.record_content !== 'string') refuse('record_content', '必须是字符串');
  const content = body.record_content as string;
  if (!content.trim()) refuse('record_content', '不能为空');
  if (content.length > MAX_CONTENT) refuse('record_content', `不能超过 ${MAX_CONTENT} 个字符`);
  return {
    customerId: wireId(body.cle_id, 'cle_id'),
    opportunityId: absent(body.opty_id) || body.opty_id === 0 || body.opty_id === '0' ? undefined : wireId(body.opty_id, 'opty_id'),
    recordType: recordType as number,
    content,
  };
}

export function parseDelete(raw: unknown): string[] {
  const body = requireObject(raw);
  if (!Array.isArray(body.ids)) return refuse('ids', '必须是跟进记录 ID 数组');
  const ids = body.ids as unknown[];
  if (ids.length === 0) refuse('ids', '不能为空');
  if (ids.length > MAX_DELETE_IDS) refuse('ids', `一次最多删除 ${MAX_DELETE_IDS} 条`);
  return ids.map((id, i) => wireId(id, `ids[${i}]`));
}

/** One query parameter as text; empty means absent (the seed's URL template sends them all). */
function param(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return refuse(name, '只能传一个值');
  const text = value.trim();
  if (text === '') return undefined;
  if (text.length > MAX_FILTER && name !== 'cursor') refuse(name, `不能超过 ${MAX_FILTER} 个字符`);
  return text;
}

function positiveInt(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) return refuse(name, '必须是正整数');
  return Number(text);
}

/**
 * `create_time`: 2019-01-01 or 2019/01/01, optionally with a time (12:30 or 12:30:45), read in
 * the tenant's time zone; or unix seconds, the unit the list answers in.
 */
export function parseCreateTime(text: string, timeZone: string): Date {
  if (/^\d{9,11}$/.test(text)) return new Date(Number(text) * 1000);
  const at = parseLocalDateTime(text.replace(/\//g, '-'), timeZone);
  if (!at) return refuse('create_time', '时间格式应为 2019-01-01、2019/01/01（可带时间，如 2019-01-01 08:30:00）或 unix 秒');
  return at;
}

const SORTS = { create_time: 'createdAt', update_time: 'updatedAt' } as const;

export function parseListQuery(raw: unknown, timeZone: string): FollowUpDetailsQuery {
  const query = (raw ?? {}) as Record<string, unknown>;
  const sortText = param(query, 'sort') ?? 'create_time';
  if (!Object.hasOwn(SORTS, sortText)) refuse('sort', '只能是 create_time 或 update_time');
  const order = (param(query, 'order') ?? 'desc').toLowerCase();
  if (order !== 'asc' && order !== 'desc') refuse('order', '只能是 asc 或 desc');
  const limit = Math.min(positiveInt(param(query, 'page_size'), 'page_size') ?? DEFAULT_PAGE_SIZE, PAGE_SIZE_CAP);
  const page = positiveInt(param(query, 'page'), 'page');
  const cursor = param(query, 'cursor');
  const customerIdDigits = param(query, 'cle_id');
  if (customerIdDigits !== undefined && !/^\d+$/.test(customerIdDigits)) refuse('cle_id', '只能包含数字');
  const phone = param(query, 'cle_phone');
  const phoneDigits = phone === undefined ? undefined : normalisePhone(phone);
  if (phoneDigits === '') refuse('cle_phone', '必须是电话号码');
  const createTime = param(query, 'create_time');
  return {
    cursor,
    offset: cursor === undefined && page !== undefined ? (page - 1) * limit : undefined,
    limit,
    sort: SORTS[sortText as keyof typeof SORTS],
    order: order as 'asc' | 'desc',
    customerName: param(query, 'cle_name'),
    customerIdDigits,
    customerPhone: phoneDigits,
    createdFrom: createTime === undefined ? undefined : parseCreateTime(createTime, timeZone),
    text: param(query, 'record_content_name'),
  };
}
