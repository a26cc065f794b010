import { type DomainError, isDomainError } from '../../core/shared/errors.ts';

/**
 * The error codes of this dialect. The seed points to an error-code page (错误代码说明) that we do
 * not have, so the table is ours; README.md documents it. Codes are stable: never renumber.
 */
export const ERROR_CODES = {
  /** token (or siteKey) missing, unknown, expired or revoked. */
  unauthenticated: { code: 1001, status: 401 },
  /** A required parameter is absent or empty. */
  missing_parameter: { code: 1002, status: 400 },
  /** A parameter has the wrong type, is out of range, or its value is refused. */
  invalid_parameter: { code: 1003, status: 400 },
  /** No such record (or one of another tenant, or outside the caller's data scope), or no such handler. */
  not_found: { code: 1004, status: 404 },
  /** The record's state forbids the change (already audited, number locked by someone else, duplicate…). */
  conflict: { code: 1005, status: 409 },
  /** The caller's role does not allow it. */
  forbidden: { code: 1006, status: 403 },
  /** The request body is larger than the server's limit. */
  body_too_large: { code: 1007, status: 413 },
  /** The body is not a form, or JSON, or cannot be parsed. */
  malformed_request: { code: 1008, status: 400 },
  /** The handler exists but the HTTP method is neither GET nor POST. */
  method_not_allowed: { code: 1009, status: 405 },
  /** Too many requests. */
  rate_limited: { code: 1010, status: 429 },
  /** Anything unexpected; logged with the request id. */
  internal: { code: 1099, status: 500 },
} as const;

export type ErrorKind = keyof typeof ERROR_CODES;

/** An error raised by the dialect itself (parameter parsing, routing), before any service runs. */
export class WebApiError extends Error {
  override readonly name = 'WebApiError';

  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const missingParameter = (name: string) => new WebApiError('missing_parameter', `缺少参数 ${name}`, name);

export const invalidParameter = (name: string, why: string) => new WebApiError('invalid_parameter', `参数 ${name} 无效: ${why}`, name);

/** The wire body of an error: `{"error_code", "error_msg", "error_field"?, "request_id"}`. */
export interface WireError {
  status: number;
  body: { error_code: number; error_msg: string; error_field?: string; request_id: string };
}

/** Native (camelCase) field names as this dialect's parameters spell them; a handler passes its own. */
export type FieldNames = Readonly<Record<string, string>>;

const DOMAIN_KINDS: Record<DomainError['kind'], ErrorKind> = {
  invalid: 'invalid_parameter',
  not_found: 'not_found',
  conflict: 'conflict',
  precondition_failed: 'conflict',
  forbidden: 'forbidden',
  unauthenticated: 'unauthenticated',
  rate_limited: 'rate_limited',
};

const KIND_TEXT: Record<ErrorKind, string> = {
  unauthenticated: '身份验证失败',
  missing_parameter: '缺少参数',
  invalid_parameter: '参数无效',
  not_found: '记录不存在',
  conflict: '操作冲突',
  forbidden: '没有权限',
  body_too_large: '请求体过大',
  malformed_request: '请求格式错误',
  method_not_allowed: '不支持的请求方式',
  rate_limited: '请求过于频繁',
  internal: '服务器内部错误',
};

/** Rewrites a native field path (`customerId`, `next.plannedAt`, `phones[0]`) into the wire name. */
function wireField(field: string, names: FieldNames): string {
  if (names[field]) return names[field];
  const base = field.replace(/\[\d+\]$/, '');
  return names[base] ?? field;
}

/**
 * The one mapping of everything a handler can throw to this dialect's error body. Unknown errors
 * answer a generic message; the caller logs them with the request id.
 */
export function toWireError(error: unknown, requestId: string, names: FieldNames = {}): WireError {
  const make = (kind: ErrorKind, message: string, field?: string): WireError => ({
    status: ERROR_CODES[kind].status,
    body: { error_code: ERROR_CODES[kind].code, error_msg: message, ...(field ? { error_field: field } : {}), request_id: requestId },
  });
  if (error instanceof WebApiError) return make(error.kind, error.message, error.field);
  if (isDomainError(error)) {
    const kind = DOMAIN_KINDS[error.kind];
    const issue = error.details.fields?.[0];
    if (issue) {
      const field = wireField(issue.field, names);
      return make(kind, `${KIND_TEXT[kind]}: ${field}: ${issue.message}`, field);
    }
    return make(kind, `${KIND_TEXT[kind]}: ${error.message}`);
  }
  const status = (error as { statusCode?: number } | null)?.statusCode;
  const code = (error as { code?: string } | null)?.code;
  if (status === 413 || code === 'FST_ERR_CTP_BODY_TOO_LARGE') return make('body_too_large', KIND_TEXT.body_too_large);
  if (status === 415 || code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return make('malformed_request', `${KIND_TEXT.malformed_request}: 请以 GET 查询字符串或 POST application/x-www-form-urlencoded (或 JSON) 发送参数`);
  }
  if (status !== undefined && status >= 400 && status < 500) return make('malformed_request', `${KIND_TEXT.malformed_request}: ${(error as Error).message}`);
  return make('internal', KIND_TEXT.internal);
}
