import type { FastifyError } from 'fastify';
import { type DomainError, isDomainError } from '../../core/shared/errors.ts';

/** Seed 001's failure envelope. */
export interface Failure {
  status: 1;
  msg: string;
}

export interface FailureReply {
  httpStatus: number;
  body: Failure;
}

/** Core input names → the names this wire format uses for them (README, "Field names"). */
const WIRE_FIELDS: Record<string, string> = {
  customerId: 'customers_id',
  contactIds: 'customers_id',
  participantIds: 'follower_id',
  participantId: 'follower_id',
  followedAt: 'record_time',
  eventCode: 'event',
  eventId: 'event',
  content: 'gain',
  attachments: 'event_attach',
  note: 'event_note',
  cost: 'cost',
  costNote: 'cost_note',
  visitReportId: 'protent_id',
  authorId: 'director_id',
  userId: 'director_id',
  offset: 'page',
  limit: 'count',
};

/** Not-found codes of the core → the wire field that carried the missing id. */
const MISSING_FIELDS: Record<string, string> = {
  follow_up_not_found: 'follow_id',
  visit_report_not_found: 'protent_id',
  customer_not_found: 'customers_id',
  contact_not_found: 'customers_id',
};

const KIND_MESSAGES: Record<DomainError['kind'], string> = {
  invalid: '参数不正确',
  not_found: '记录不存在',
  conflict: '操作冲突',
  forbidden: '没有权限',
  unauthenticated: '未登录或登录已失效',
  precondition_failed: '记录已被他人修改，请刷新后重试',
  rate_limited: '请求过于频繁，请稍后再试',
};

const CODE_MESSAGES: Record<string, string> = {
  reference_not_found: '引用的记录不存在',
  contact_of_other_customer: '联系人不属于同一个客户',
  contacts_of_several_customers: '联系人不属于同一个客户',
};

/** `contactIds[2]` → `customers_id[2]`; `attachments[0].url` → `event_attach`. */
export function wireField(field: string): string {
  const head = /^[A-Za-z_]+/.exec(field)?.[0] ?? field;
  const wire = WIRE_FIELDS[head];
  if (!wire) return field;
  if (head === 'attachments') return wire;
  return wire + field.slice(head.length);
}

export const failure = (msg: string, httpStatus = 200): FailureReply => ({ httpStatus, body: { status: 1, msg } });

/**
 * Every error the dialect can meet, as its envelope. Business failures (bad input, missing or
 * foreign ids, conflicts, permissions) answer HTTP 200 with `status: 1`, as the seed's clients
 * read `status`; only transport-level failures carry another HTTP status (README, "Status codes").
 */
export function toFailure(error: unknown): FailureReply {
  if (isDomainError(error)) return domainFailure(error);
  const e = (error ?? {}) as FastifyError;
  switch (e.statusCode) {
    case 413:
      return failure('请求体过大', 413);
    case 415:
      return failure(`不支持的 Content-Type：请使用 application/json 或 application/x-www-form-urlencoded`, 415);
    case 400:
      if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return failure('请求体为空：JSON 请求需要一个对象');
      return failure(`请求体无法解析：${e.message}`);
  }
  if (e.statusCode && e.statusCode < 500) return failure(e.message, e.statusCode);
  return failure('服务器内部错误', 500);
}

export function domainFailure(error: DomainError): FailureReply {
  const zh = CODE_MESSAGES[error.code] ?? KIND_MESSAGES[error.kind];
  if (error.kind === 'unauthenticated') return failure(`${zh}（${error.message}）`, 401);
  const issue = error.details.fields?.[0];
  if (issue) return failure(`${wireField(issue.field)}: ${zh}（${issue.message}）`);
  const field = MISSING_FIELDS[error.code];
  return failure(field ? `${field}: ${zh}（${error.message}）` : `${zh}（${error.message}）`);
}
