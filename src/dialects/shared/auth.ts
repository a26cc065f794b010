import type { FastifyRequest } from 'fastify';
import type { Services } from '../../core/services.ts';
import type { Clock } from '../../core/shared/clock.ts';
import type { ApiSurface, RequestContext } from '../../core/shared/context.ts';
import { unauthenticated } from '../../core/shared/errors.ts';

/** Where a dialect looks for the caller's token, in the order its seed system did. */
export interface TokenSources {
  /** `Authorization: Bearer <token>`. */
  bearer?: boolean;
  /** A `token` header. */
  header?: boolean;
  /** A `token` query-string parameter. */
  query?: boolean;
  /** A `token` field of a parsed form or JSON body. */
  body?: boolean;
}

/** The token the caller sent, or undefined when it sent none through the allowed sources. */
export function findToken(request: FastifyRequest, sources: TokenSources): string | undefined {
  if (sources.bearer) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (match) return match[1];
  }
  if (sources.header) {
    const value = request.headers.token;
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  if (sources.query) {
    const value = (request.query as Record<string, unknown> | undefined)?.token;
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  if (sources.body) {
    const body = request.body;
    const value = body && typeof body === 'object' ? (body as Record<string, unknown>).token : undefined;
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
}

/**
 * Authenticates the caller of a dialect route. A missing token is the same `unauthenticated`
 * domain error as a bad one, so each dialect maps both through its own error function.
 */
export async function authenticateDialect(
  services: Services,
  request: FastifyRequest,
  api: ApiSurface,
  sources: TokenSources,
  clock: Clock,
): Promise<RequestContext> {
  const token = findToken(request, sources);
  if (!token) throw unauthenticated('missing_token', 'No token was sent');
  return services.auth.authenticate(token, { api, requestId: request.id, clock });
}
