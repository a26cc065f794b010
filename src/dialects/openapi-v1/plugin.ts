import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { authenticateDialect } from '../shared/auth.ts';
import type { DialectOptions } from '../index.ts';
import { toWireError } from './errors.ts';
import { parseJsonKeepingNumbers, stringifyWithRawNumbers } from '../shared/json.ts';
import { followUpRecordRoutes } from './routes.ts';

/**
 * Seed 003, the e-crm OpenAPI v1 follow-up records (`/openapi/v1/followupRecord…`): Bearer auth,
 * JSON bodies parsed with int64 ids kept exact, `{code, message, data}` for answers and errors.
 */
export const openApiV1: FastifyPluginAsync<DialectOptions> = async (app, options) => {
  await app.register(async (api: FastifyInstance) => {
    api.decorateRequest('openApiV1Ctx', null as never);
    api.removeAllContentTypeParsers();
    api.addContentTypeParser(['application/json', 'text/json'], { parseAs: 'string' }, (_request, body, done) => {
      if (typeof body !== 'string' || body.trim() === '') return done(null, undefined);
      try {
        done(null, parseJsonKeepingNumbers(body, 'unsafe-integers'));
      } catch (error) {
        done(error as Error, undefined);
      }
    });

    api.addHook('onRequest', async (request) => {
      if (!request.routeOptions.url) return;
      request.openApiV1Ctx = await authenticateDialect(options.services, request, 'openapi-v1', { bearer: true }, options.clock);
    });

    api.setErrorHandler((error, request, reply) => {
      const wire = toWireError(error);
      if (wire.status === 500) request.log.error({ err: error }, 'unhandled error');
      return reply.code(wire.status).type('application/json; charset=utf-8').send(stringifyWithRawNumbers({ code: wire.status, message: wire.message, data: null }));
    });
    api.setNotFoundHandler((request, reply) =>
      reply
        .code(404)
        .type('application/json; charset=utf-8')
        .send(stringifyWithRawNumbers({ code: 404, message: `接口不存在: ${request.method} ${request.url.split('?')[0]}`, data: null })),
    );

    await api.register(followUpRecordRoutes, options);
  }, { prefix: '/openapi/v1' });
};
