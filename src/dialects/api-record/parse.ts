import type { Id } from '../../db/schema.ts';
import { invalidField } from '../../core/shared/errors.ts';
import { isId } from '../../core/shared/ids.ts';
import { parseLocalDateTime } from '../../core/shared/time.ts';
import { parseJsonKeepingNumbers } from '../shared/json.ts';
import { DEFAULT_COUNT, MAX_COUNT, MAX_PAGE } from './schemas.ts';

/**
 * Reading seed 001's parameters. Query strings and form bodies are text; JSON bodies arrive
 * with numbers as their own text (json.ts); so every value here is a string, a list, or null.
 * Errors name the wire field, in Chinese, as the seed's `msg` does.
 */

type Raw = unknown;
type Fields = Record<string, Raw>;

const bad = (field: string, message: string) => invalidField(field, message);

function scalar(fields: Fields, field: string): string | null | undefined {
  if (!Object.hasOwn(fields, field)) return undefined;
  const value = fields[field];
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  throw bad(field, '只能是一个值，不能是数组或对象');
}

function id(fields: Fields, field: string): Id | undefined {
  const value = scalar(fields, field)?.trim();
  if (value === undefined || value === null || value === '') return undefined;
  if (!isId(value)) throw bad(field, '必须是正整数 id');
  return value;
}

function positiveInt(fields: Fields, field: string, fallback: number): number {
  const value = scalar(fields, field)?.trim();
  if (value === undefined || value === null || value === '') return fallback;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw bad(field, '必须是正整数');
  return Number(value);
}

const TIME_HINT = '格式应为 YYYY-MM-DD HH:mm:ss（或 YYYY-MM-DD）';

function localTime(fields: Fields, field: string, timeZone: string, end: boolean): Date | undefined {
  const value = scalar(fields, field)?.trim();
  if (value === undefined || value === null || value === '') return undefined;
  const at = parseLocalDateTime(value, timeZone);
  if (!at) throw bad(field, TIME_HINT);
  if (!end) return at;
  // end_time includes the whole unit it names: a day, a minute, or a second.
  if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(value)) return new Date(parseLocalDateTime(`${value} 23:59:59`, timeZone)!.getTime() + 1000);
  return new Date(at.getTime() + (/:\d{2}:\d{2}$/.test(value) ? 1000 : 60_000));
}

export interface ListRequest {
  reportId: Id | undefined;
  customerId: Id | undefined;
  directorId: Id | undefined;
  followerId: Id | undefined;
  /** At or after. */
  from: Date | undefined;
  /** Before. */
  to: Date | undefined;
  page: number;
  count: number;
}

const WEEK = 7 * 24 * 3600 * 1000;

/**
 * GET parameters. Without protent_id the window defaults to the last week up to now; with it,
 * only an explicit start_time/end_time narrows the report's follow-ups (README, "Time window").
 */
export function parseListQuery(query: Fields, timeZone: string, now: Date): ListRequest {
  const reportId = id(query, 'protent_id');
  let from = localTime(query, 'start_time', timeZone, false);
  let to = localTime(query, 'end_time', timeZone, true);
  if (from && to && from >= to) throw bad('start_time', '不能晚于 end_time');
  // A defaulted bound that crosses the given one just leaves the window empty.
  if (!reportId) {
    from ??= new Date(now.getTime() - WEEK);
    to ??= new Date(now.getTime() + 1);
  }
  const page = positiveInt(query, 'page', 1);
  if (page > MAX_PAGE) throw bad('page', `不能大于 ${MAX_PAGE}`);
  return {
    reportId,
    customerId: id(query, 'organization_id'),
    directorId: id(query, 'director_id'),
    followerId: id(query, 'follower_id'),
    from,
    to,
    page,
    count: Math.min(positiveInt(query, 'count', DEFAULT_COUNT), MAX_COUNT),
  };
}

/** An id list: a JSON array, form fields (`a[]=1&a[]=2`, `a=1&a=2`), `a=[1,2]` or `a=1,2`. */
function idList(fields: Fields, field: string): Id[] | undefined {
  if (!Object.hasOwn(fields, field)) return undefined;
  let value = fields[field];
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('[')) {
      try {
        value = parseJsonKeepingNumbers(text, 'all');
      } catch {
        throw bad(field, '不是合法的 JSON 数组');
      }
    } else {
      value = text === '' ? [] : text.split(',').map((part) => part.trim());
    }
  }
  if (!Array.isArray(value)) throw bad(field, '必须是 id 的数组，例如 [1,2,3]');
  if (value.length > 100) throw bad(field, '最多 100 个');
  return value.map((item, i) => {
    const text = typeof item === 'string' ? item.trim() : undefined;
    if (text === undefined || !isId(text)) throw bad(`${field}[${i}]`, '必须是正整数 id');
    return text;
  });
}

/** What a POST writes, in core terms; `undefined` leaves a field as it is (on update). */
export interface WriteRequest {
  mode: 'create' | 'update';
  /** protent_id on create, follow_id on update. */
  id: Id;
  contactIds: Id[] | undefined;
  participantIds: Id[] | undefined;
  followedAt: Date | undefined;
  /** A visit-event code; null clears the event. */
  eventCode: number | null | undefined;
  content: string | undefined;
  /** An attachment URL; null removes the follow-up's attachments. */
  attachUrl: string | null | undefined;
  note: string | null | undefined;
  cost: string | null | undefined;
  costNote: string | null | undefined;
}

const optionalText = (fields: Fields, field: string): string | null | undefined => {
  const value = scalar(fields, field);
  return value === undefined ? undefined : value === null || value.trim() === '' ? null : value;
};

/** POST parameters. Unknown fields (and `organization_id`, which the seed marks 不启用) are ignored. */
export function parseWriteBody(body: unknown, timeZone: string): WriteRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('body', '请求体必须是 JSON 对象或表单');
  const fields = body as Fields;
  const reportId = id(fields, 'protent_id');
  const followUpId = id(fields, 'follow_id');
  if (reportId && followUpId) throw bad('protent_id', '创建时传 protent_id，修改时传 follow_id，不能同时传');
  if (!reportId && !followUpId) throw bad('protent_id', '创建时必须传 protent_id（修改时传 follow_id）');
  const mode = reportId ? 'create' : 'update';
  const contactIds = idList(fields, 'customers_id');
  if (mode === 'create' && !contactIds?.length) throw bad('customers_id', '创建时必须传，至少一个联系人 id');

  const eventRaw = scalar(fields, 'event');
  const eventText = eventRaw === null ? null : eventRaw?.trim();
  let eventCode: number | null | undefined;
  if (eventText === null || eventText === '') eventCode = null;
  else if (eventText !== undefined) {
    if (!/^\d{1,4}$/.test(eventText) || Number(eventText) < 1) throw bad('event', '必须是事件编号：1 接入、2 走访拜访、3 电话拜访、4 签约、5 售后');
    eventCode = Number(eventText);
  }
  const recordTime = scalar(fields, 'record_time')?.trim();
  const cost = optionalText(fields, 'cost');
  const gain = scalar(fields, 'gain');
  const attach = optionalText(fields, 'event_attach');
  return {
    mode,
    id: (reportId ?? followUpId)!,
    contactIds,
    participantIds: idList(fields, 'follower_id'),
    followedAt: recordTime ? localTime(fields, 'record_time', timeZone, false) : undefined,
    eventCode,
    content: gain === undefined ? undefined : (gain ?? ''),
    attachUrl: typeof attach === 'string' ? attach.trim() : attach,
    note: optionalText(fields, 'event_note'),
    cost: cost === undefined || cost === null ? cost : cost.trim(),
    costNote: optionalText(fields, 'cost_note'),
  };
}
