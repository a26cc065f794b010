import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../core/services.ts';
import { DomainError } from '../core/shared/errors.ts';

const KEY_STATE = Symbol('idempotency-key');

type Tracked = FastifyRequest & { [KEY_STATE]?: string };

/** Headers worth replaying with a stored response. */
const REPLAYED_HEADERS = ['location', 'etag', 'content-type'];

/**
 * Idempotency-Key on POST: a retried create with the same key and body gets the first answer
 * again, marked `Idempotent-Replayed: true`, and writes nothing. Only successful answers are
 * kept, so a request that failed may be corrected and retried under the same key.
 */
export function registerIdempotency(app: FastifyInstance, services: Services) {
  app.addHook('preHandler', async (request: Tracked, reply) => {
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || typeof key !== 'string' || !request.ctx) return;
    if (request.routeOptions.config.issuesSecret) {
      // Replaying the answer would mean keeping the plaintext secret, which Genjin never stores.
      throw new DomainError('invalid', 'idempotency_key_not_accepted', 'Idempotency-Key is not accepted here: the answer carries a secret that is shown only once', {
        fields: [{ field: 'Idempotency-Key', message: 'is not accepted on a request whose answer carries a one-time secret' }],
      });
    }
    const hash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const start = await services.idempotency.begin(request.ctx, key, hash);
    if (start.kind === 'replay') {
      return reply.code(start.statusCode).headers(start.headers).header('idempotent-replayed', 'true').send(start.body);
    }
    request[KEY_STATE] = key;
  });

  app.addHook('onSend', async (request: Tracked, reply, payload) => {
    const key = request[KEY_STATE];
    if (!key) return payload;
    request[KEY_STATE] = undefined;
    if (reply.statusCode < 300 && typeof payload === 'string') {
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      await services.idempotency.complete(request.ctx, key, reply.statusCode, payload, headers);
    } else {
      await services.idempotency.abandon(request.ctx, key);
    }
    return payload;
  });
}
