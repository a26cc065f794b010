import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../core/shared/errors.ts';

/** Strong ETag of a versioned resource. */
export const etag = (version: number) => `"${version}"`;

export function withEtag<T extends { version: number }>(reply: FastifyReply, resource: T): T {
  reply.header('etag', etag(resource.version));
  return resource;
}

/**
 * The version an If-Match header asks for (RFC 9110 §13.1.1), or undefined when the header is
 * absent or `*`. An ETag Genjin never issued can match nothing: 412.
 */
export function expectedVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header);
  if (!match) {
    throw new DomainError('precondition_failed', 'etag_mismatch', `If-Match ${header} does not match the current version of this resource`);
  }
  return Number(match[1]);
}
