import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { authenticateDialect } from '../shared/auth.ts';
import type { DialectOptions } from '../index.ts';
import { INVALID_JSON, toEnvelope } from './errors.ts';
import { parseJsonKeepingNumbers } from '../shared/json.ts';
import { ModuleData } from './module-data.ts';
import { moduleDataRoutes } from './routes.ts';

/**
 * Seed 002, the low-code module data API: POST /api/moduleData/update (and /add). Its own JSON
 * parser (int64 ids stay exact), token lookup (Bearer or a `token` header), error envelope
 * `{code, data: null, message}` and not-found answer, all scoped to /api/moduleData.
 */
export const apiModuleData: FastifyPluginAsync<DialectOptions> = async (app, { services, clock }) => {
  await app.register(
    async (scope: FastifyInstance) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
        try {
          done(null, parseJsonKeepingNumbers(body as string, 'unsafe-integers'));
        } catch (error) {
          done(Object.assign(new Error((error as Error).message), { statusCode: 400, code: INVALID_JSON }), undefined);
        }
      });
      scope.decorateRequest('moduleDataCtx', null as never);
      scope.addHook('onRequest', async (request) => {
        request.moduleDataCtx = await authenticateDialect(services, request, 'api-moduledata', { bearer: true, header: true }, clock);
      });
      scope.setErrorHandler((error, request, reply) => {
        const envelope = toEnvelope(error);
        if (envelope.code === 500) request.log.error({ err: error }, 'unhandled error');
        return reply.code(envelope.code).send(envelope);
      });
      scope.setNotFoundHandler((request, reply) =>
        reply.code(404).send({ code: 404, data: null, message: `数据不存在: 没有接口 ${request.method} ${request.url.split('?')[0]}` }),
      );
      await scope.register(moduleDataRoutes, { moduleData: new ModuleData(services) });
    },
    { prefix: '/api/moduleData' },
  );
};
