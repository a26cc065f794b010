import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { RequestContext } from '../../core/shared/context.ts';
import type { DialectOptions } from '../index.ts';
import { authenticateDialect } from '../shared/auth.ts';
import { failure, toFailure } from './errors.ts';
import { parseForm } from '../shared/form.ts';
import { parseJsonKeepingNumbers } from '../shared/json.ts';
import { sendFailure } from './reply.ts';
import { recordRoutes } from './routes.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller of a seed 001 route, set by its authentication hook. */
    recordCtx: RequestContext;
  }
}

/**
 * Seed 001, visit records: GET and POST /api/record/follow. Its own body parsers (JSON keeping
 * number text, url-encoded forms), token lookup (Bearer, a `token` header or query parameter),
 * error envelope `{status: 1, msg}` and not-found answer, all scoped to /api/record.
 */
export const apiRecord: FastifyPluginAsync<DialectOptions> = async (app, { services, clock }) => {
  await app.register(
    async (scope: FastifyInstance) => {
      scope.removeAllContentTypeParsers();
      const parser = (parse: (text: string) => unknown) => (_request: unknown, body: string | Buffer, done: (error: Error | null, value?: unknown) => void) => {
        try {
          done(null, parse(body as string));
        } catch (error) {
          done(Object.assign(error as Error, { statusCode: 400 }), undefined);
        }
      };
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, parser((text) => parseJsonKeepingNumbers(text, 'all')));
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, parser((text) => parseForm(text, { brackets: true })));
      scope.decorateRequest('recordCtx', null as never);
      // Routing first (an unknown route is a 404 with or without a token), then the token,
      // before the body is read: a caller without a valid token gets nothing parsed.
      scope.addHook('onRequest', async (request) => {
        if (!request.routeOptions.url || request.routeOptions.config.public) return;
        request.recordCtx = await authenticateDialect(services, request, 'api-record', { bearer: true, header: true, query: true }, clock);
      });
      scope.setErrorHandler((error, request, reply) => {
        const f = toFailure(error);
        if (f.httpStatus >= 500) request.log.error({ err: error }, 'unhandled error');
        return sendFailure(reply, f);
      });
      scope.setNotFoundHandler((request, reply) => sendFailure(reply, failure(`接口不存在：${request.method} ${request.url.split('?')[0]}`, 404)));
      await scope.register(recordRoutes, { services, clock });
    },
    { prefix: '/api/record' },
  );
};
