/**
 * The one error type the domain throws. Each API surface maps `kind` to its own envelope in a
 * single pure function; `code` is stable and machine-readable; `message` is for people.
 */
export type DomainErrorKind =
  | 'invalid'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'unauthenticated'
  | 'precondition_failed'
  | 'rate_limited';

export interface FieldIssue {
  /** Dotted path of the offending input field, in the API's own spelling where it renames. */
  field: string;
  message: string;
}

export interface DomainErrorDetails {
  fields?: FieldIssue[];
  retryAfterSeconds?: number;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

export const notFound = (entity: string, id: string) =>
  new DomainError('not_found', `${entity}_not_found`, `${entity.replace(/_/g, ' ')} ${id} does not exist`);

export const invalidField = (field: string, message: string, code = 'invalid_field') =>
  new DomainError('invalid', code, `${field}: ${message}`, { fields: [{ field, message }] });

export const forbidden = (message: string, code = 'forbidden') => new DomainError('forbidden', code, message);

export const unauthenticated = (code: string, message: string) => new DomainError('unauthenticated', code, message);

export const conflict = (code: string, message: string, field?: string) =>
  new DomainError('conflict', code, message, field ? { fields: [{ field, message }] } : {});

export const staleVersion = (entity: string, id: string) =>
  new DomainError(
    'precondition_failed',
    'stale_version',
    `${entity.replace(/_/g, ' ')} ${id} was changed by someone else since you read it; reload and retry`,
  );
