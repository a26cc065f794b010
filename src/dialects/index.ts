import type { FastifyInstance } from 'fastify';
import type { Services } from '../core/services.ts';
import type { Clock } from '../core/shared/clock.ts';
import { apiCrm } from './api-crm/plugin.ts';
import { apiModuleData } from './api-moduledata/plugin.ts';
import { apiRecord } from './api-record/plugin.ts';
import { openApiV1 } from './openapi-v1/plugin.ts';
import { webApiHandler } from './webapi-handler/plugin.ts';

export interface DialectOptions {
  services: Services;
  clock: Clock;
}

/**
 * Path prefixes (lower case) of the dialects whose original servers were ASP.NET, where routes
 * match case-insensitively. Their routes are registered in lower case, and `lowerCasePath`
 * folds a request's path (never its query string) before routing.
 */
const CASE_INSENSITIVE_PREFIXES = ['/api/crm/', '/webapi/handler/'];

export function lowerCasePath(url: string): string {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const lower = path.toLowerCase();
  if (!CASE_INSENSITIVE_PREFIXES.some((prefix) => lower.startsWith(prefix))) return url;
  return lower + (queryAt === -1 ? '' : url.slice(queryAt));
}

/**
 * The five compatibility APIs. Each is an encapsulated plugin with its own auth extraction,
 * body parsers and error handler, so its errors always leave in its own envelope.
 */
export async function registerDialects(app: FastifyInstance, options: DialectOptions): Promise<void> {
  for (const dialect of [apiCrm, apiRecord, apiModuleData, openApiV1, webApiHandler]) {
    await app.register(dialect, options);
  }
}
