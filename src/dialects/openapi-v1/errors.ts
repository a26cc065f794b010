import type { FastifyError } from 'fastify';
import { type DomainError, isDomainError } from '../../core/shared/errors.ts';

/**
 * Every failure of this API as the seed's envelope: `{code, message, data: null}` with `code`
 * equal to the HTTP status. The seed knows 200 only; errors use 400, 401, 403 and 404, and a
 * message (Chinese, like the seed) that names the wire field.
 */
export interface WireError {
  status: 400 | 401 | 403 | 404 | 500;
  message: string;
}

/** Core field names → this API's. */
const FIELDS: Record<string, string> = {
  customerId: 'cle_id',
  opportunityId: 'opty_id',
  typeCode: 'record_type',
  content: 'record_content',
  id: 'record_id',
};

const STATUS = { invalid: 400, not_found: 404, forbidden: 403, unauthenticated: 401, conflict: 400, precondition_failed: 400, rate_limited: 400 } as const;

const UNAUTHENTICATED: Record<string, string> = {
  missing_token: '缺少 Bearer token（Authorization: Bearer <token>）',
  invalid_token: 'token 无效',
  token_revoked: 'token 已被吊销',
  token_expired: 'token 已过期',
  user_disabled: 'token 所属账号已停用',
};

const idIn = (text: string) => /\d+/.exec(text)?.[0] ?? '';

function domainMessage(error: DomainError): string {
  const issues = error.details.fields ?? [];
  const first = issues[0];
  const field = first ? (FIELDS[first.field] ?? first.field) : undefined;
  switch (error.code) {
    case 'follow_up_not_found':
      if (first?.field.startsWith('ids[')) return `ids: 以下跟进记录不存在或无权访问: ${[...new Set(issues.map((i) => idIn(i.message)))].join(', ')}`;
      return `record_id: 跟进记录 ${idIn(error.message)} 不存在`;
    case 'customer_not_found':
      return `${field ?? 'cle_id'}: 客户 ${idIn(error.message)} 不存在`;
    case 'opportunity_of_other_customer':
      return `${field}: 商机 ${idIn(first!.message)} 不属于该客户`;
    case 'reference_not_found':
      if (field === 'opty_id') return `opty_id: 商机 ${idIn(first!.message)} 不存在`;
      if (field === 'record_type') return `record_type: 跟进记录类型 ${idIn(first!.message)} 不存在，见 recordTypes 接口`;
      break;
    case 'invalid_cursor':
      return 'cursor: 不是本接口返回的游标';
    case 'cursor_sort_mismatch':
      return 'cursor: 与本次请求的 sort/order 不一致，换排序时请从第一页开始';
    case 'offset_too_deep':
      return 'page: 超出可按页码访问的范围（前 10000 条），更深的数据请用 cursor 翻页';
  }
  if (first) return `${field}: ${first.message}`;
  return error.message;
}

export function toWireError(error: unknown): WireError {
  if (isDomainError(error)) {
    if (error.kind === 'unauthenticated') return { status: 401, message: `Authorization: ${UNAUTHENTICATED[error.code] ?? 'token 无效'}` };
    return { status: STATUS[error.kind], message: domainMessage(error) };
  }
  if (error instanceof SyntaxError || (error as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return { status: 400, message: `body: 不是合法的 JSON（${(error as Error).message}）` };
  }
  const fastify = error as FastifyError;
  switch (fastify.statusCode) {
    case 400:
      return { status: 400, message: fastify.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'body: 请求体为空' : `body: ${fastify.message}` };
    case 413:
      return { status: 400, message: 'body: 请求体过大' };
    case 415:
      return { status: 400, message: 'Content-Type: 请求体必须是 application/json' };
  }
  if (fastify.statusCode && fastify.statusCode < 500) return { status: 400, message: fastify.message };
  return { status: 500, message: '服务器内部错误，请凭 x-request-id 联系管理员' };
}
