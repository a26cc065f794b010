import type { FastifyError } from 'fastify';
import type { DomainError, DomainErrorKind, FieldIssue } from '../core/shared/errors.ts';

/**
 * The native API's catalogue of problem types (RFC 9457). `type` URIs are stable; each one is
 * also served as a short description at the same path.
 */
export const PROBLEM_TYPES = {
  'malformed-request': { status: 400, title: 'Malformed request', description: 'The body is not valid JSON, or the request is malformed in another way.' },
  unauthenticated: { status: 401, title: 'Authentication required', description: 'No valid bearer token (missing, unknown, expired or revoked), or wrong login credentials.' },
  forbidden: { status: 403, title: 'Forbidden', description: "The caller's role does not grant what this needs." },
  'not-found': { status: 404, title: 'Not found', description: "The resource does not exist, or belongs to another tenant, or lies outside the caller's data scope." },
  conflict: { status: 409, title: 'Conflict', description: 'The request conflicts with the current state: a taken unique value, a resource still in use, a concurrent request.' },
  'precondition-failed': { status: 412, title: 'Precondition failed', description: 'If-Match did not match the current version: someone changed the resource since you read it.' },
  'payload-too-large': { status: 413, title: 'Payload too large', description: 'The request body is over the configured size limit.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', description: 'Send JSON with Content-Type: application/json; uploads take multipart/form-data with a file of an accepted kind.' },
  'validation-failed': { status: 422, title: 'Validation failed', description: 'One or more fields are missing, of the wrong type, unknown or not acceptable; `errors` names each.' },
  'too-many-requests': { status: 429, title: 'Too many requests', description: 'Slow down; Retry-After says when to try again.' },
  'internal-error': { status: 500, title: 'Internal error', description: 'Something failed on the server. The request id identifies it in the logs.' },
  unavailable: { status: 503, title: 'Service unavailable', description: 'The server is starting, shutting down or cannot reach its database.' },
} as const;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Machine-readable reason, finer than `type` (e.g. `login_taken`, `token_revoked`). */
  code: string;
  instance?: string;
  requestId?: string;
  errors?: FieldIssue[];
}

export const problemUri = (type: ProblemType) => `/problems/${type}`;

export function problem(type: ProblemType, detail: string, extra: Partial<Problem> = {}): Problem {
  const { status, title } = PROBLEM_TYPES[type];
  return { type: problemUri(type), title, status, detail, code: type.replace(/-/g, '_'), ...extra };
}

const KIND_TO_TYPE: Record<DomainErrorKind, ProblemType> = {
  invalid: 'validation-failed',
  not_found: 'not-found',
  conflict: 'conflict',
  forbidden: 'forbidden',
  unauthenticated: 'unauthenticated',
  precondition_failed: 'precondition-failed',
  rate_limited: 'too-many-requests',
};

/** Invalid input that HTTP has a more precise status for. */
const CODE_TO_TYPE: Partial<Record<string, ProblemType>> = {
  file_too_large: 'payload-too-large',
  unsupported_file_type: 'unsupported-media-type',
};

/** The one mapping from domain errors to the native API's envelope. */
export function domainProblem(error: DomainError): Problem {
  return problem(CODE_TO_TYPE[error.code] ?? KIND_TO_TYPE[error.kind], error.message, {
    code: error.code,
    ...(error.details.fields ? { errors: error.details.fields } : {}),
  });
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const WHERE: Record<string, string> = { body: '', querystring: 'query parameter ', params: 'path parameter ', headers: 'header ' };

/** Ajv's findings as field-level issues: `customer.phones[0]`, `limit`, … */
export function validationProblem(error: FastifyError): Problem {
  const context = (error as { validationContext?: string }).validationContext ?? 'body';
  const all = (error.validation as AjvError[] | undefined ?? []).map((v) => {
    const path = v.instancePath
      .split('/')
      .slice(1)
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
    let message = v.message ?? 'is not valid';
    if (v.keyword === 'required') path.push(String(v.params.missingProperty));
    if (v.keyword === 'additionalProperties') {
      path.push(String(v.params.additionalProperty));
      message = 'is not a known field';
    }
    if (v.keyword === 'required') message = 'is required';
    const field = path.reduce((acc, segment) => (/^\d+$/.test(segment) ? `${acc}[${segment}]` : acc ? `${acc}.${segment}` : segment), '');
    return { field: field || (context === 'body' ? '(body)' : `(${context})`), message };
  });
  // One entry per field: a nullable field that fails reports each branch of its anyOf (the
  // format, "must be null", "must match a schema in anyOf"); the first says what is wrong.
  const seen = new Set<string>();
  const issues = all.filter((issue) => !seen.has(issue.field) && seen.add(issue.field));
  const first = issues[0];
  const detail = first
    ? `${WHERE[context] ?? ''}${first.field} ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`
    : 'The request is not valid';
  return problem('validation-failed', detail, { errors: issues });
}
