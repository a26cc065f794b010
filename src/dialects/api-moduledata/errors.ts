import type { FastifyError } from 'fastify';
import { type DomainError, type DomainErrorKind, invalidField, isDomainError } from '../../core/shared/errors.ts';

/** The seed's envelope for a failure: `code` repeats the HTTP status. */
export interface ErrorEnvelope {
  code: 400 | 401 | 403 | 404 | 409 | 500;
  data: null;
  message: string;
}

/** The code the plugin's JSON parser gives a body it cannot parse. */
export const INVALID_JSON = 'MODULEDATA_INVALID_JSON';

const STATUS: Record<DomainErrorKind, ErrorEnvelope['code']> = {
  invalid: 400,
  not_found: 404,
  forbidden: 403,
  unauthenticated: 401,
  conflict: 409,
  precondition_failed: 409,
  rate_limited: 409,
};

const PREFIX: Record<ErrorEnvelope['code'], string> = {
  400: '参数错误',
  401: '未登录或登录已失效',
  403: '无权操作',
  404: '数据不存在',
  409: '数据冲突',
  500: '服务器内部错误',
};

/** Field names of the core (native spelling) as this wire format spells them. */
const WIRE_FIELDS: Record<string, string> = {
  ownerId: 'own_id',
  sourceId: 'source',
  productLineId: 'default-product-id',
  lifecycleId: 'life_cycle_id',
};

export function wireField(field: string): string {
  if (field.startsWith('customFields.')) return field.slice('customFields.'.length);
  if (/^phones\[\d+\]$/.test(field)) return 'phone';
  return WIRE_FIELDS[field] ?? field;
}

function domainMessage(error: DomainError): string {
  const issue = error.details.fields?.[0];
  return issue ? `${wireField(issue.field)}: ${issue.message}` : error.message;
}

/** An ajv validation failure as the field it concerns. */
function validationError(error: FastifyError): DomainError {
  const first = error.validation?.[0];
  const params = (first?.params ?? {}) as { missingProperty?: string; additionalProperty?: string };
  if (params.missingProperty) return invalidField(params.missingProperty, '必填');
  if (params.additionalProperty) return invalidField(params.additionalProperty, '不是该模块的字段');
  const field = (first?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || 'body';
  return invalidField(field, field === 'body' ? '请求体必须是 JSON 对象' : '类型不正确');
}

/**
 * Any error as the seed's envelope, with the same HTTP status. Unknown errors get a generic
 * message; the caller logs them.
 */
export function toEnvelope(error: unknown): ErrorEnvelope {
  if (isDomainError(error)) {
    const code = STATUS[error.kind];
    return { code, data: null, message: `${PREFIX[code]}: ${domainMessage(error)}` };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return toEnvelope(validationError(fastifyError));
  const status = fastifyError.statusCode;
  if (status === 415) return { code: 400, data: null, message: `${PREFIX[400]}: body: 请求体必须是 application/json` };
  if (status === 413) return { code: 400, data: null, message: `${PREFIX[400]}: body: 请求体过大` };
  if (fastifyError.code === INVALID_JSON) return { code: 400, data: null, message: `${PREFIX[400]}: body: 请求体不是合法的 JSON (${fastifyError.message})` };
  if (status && status >= 400 && status < 500) return { code: 400, data: null, message: `${PREFIX[400]}: ${fastifyError.message}` };
  return { code: 500, data: null, message: PREFIX[500] };
}
