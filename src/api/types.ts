import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../core/services.ts';
import type { Clock } from '../core/shared/clock.ts';
import type { RequestContext } from '../core/shared/context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every route that is not `config.public`. */
    ctx: RequestContext;
  }
  interface FastifyContextConfig {
    /** The route answers without a bearer token. */
    public?: boolean;
    /** The answer carries a secret shown only once (a new token), so it is never stored for an Idempotency-Key replay. */
    issuesSecret?: boolean;
  }
}

export interface ApiOptions {
  services: Services;
  clock: Clock;
}

export type RoutePlugin = FastifyPluginAsyncTypebox<ApiOptions>;
