import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { authenticateDialect } from '../shared/auth.ts';
import type { DialectOptions } from '../index.ts';
import { sendAnswer } from './envelope.ts';
import { errorAnswer } from './errors.ts';
import { parseFormBody, parseJsonBody, parseXmlBody } from './parsers.ts';
import { crmRoutes, ROUTES } from './routes.ts';

/**
 * Seed 000: the ASP.NET Web API "CMS" under /api/crm/ (case-insensitive). Its own token lookup,
 * body parsers (JSON, DataContract XML, model-binding forms), InfoResult errors and not-found.
 */
export const apiCrm: FastifyPluginAsync<DialectOptions> = async (app, options) => {
  await app.register(async (crm) => crmPlugin(crm, options), { prefix: '/api/crm' });
};

async function crmPlugin(crm: FastifyInstance, { services, clock }: DialectOptions) {
  crm.decorateRequest('ctx', null as never);
  const bodyLimit = crm.initialConfig.bodyLimit ?? 1024 * 1024;

  for (const type of ['application/json', 'text/plain']) crm.removeContentTypeParser(type);
  crm.addContentTypeParser(['application/json', 'text/json'], { parseAs: 'string' }, (_request, body, done) => parse(done, () => parseJsonBody(body as string)));
  crm.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, (_request, body, done) =>
    parse(done, () => parseXmlBody(body as string, bodyLimit)),
  );
  crm.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => parse(done, () => parseFormBody(body as string)));

  // Routing comes first, as in ASP.NET: an unknown route is a 404 whether or not a token came.
  crm.addHook('onRequest', async (request) => {
    if (!request.routeOptions.url) return;
    request.ctx = await authenticateDialect(services, request, 'api-crm', { bearer: true, header: true, query: true }, clock);
  });

  crm.setErrorHandler((error, request, reply) => {
    const answer = errorAnswer(error, { id: request.id, bodyLimit });
    if (answer.unexpected) request.log.error({ err: error }, 'unhandled error');
    return sendAnswer(request, reply, answer);
  });

  const known = new Set<string>(Object.values(ROUTES).map((path) => `/api/crm${path}`));
  crm.setNotFoundHandler((request: FastifyRequest, reply) => {
    const path = request.url.split('?')[0]!.replace(/\/+$/, '');
    if (known.has(path)) {
      reply.header('allow', 'POST');
      return sendAnswer(request, reply, { status: 405, code: '000001', msg: `请求的资源不支持 http 方法“${request.method}”`, extra: 'method_not_allowed', data: null });
    }
    return sendAnswer(request, reply, { status: 404, code: '000001', msg: `找不到与请求 URI“${request.originalUrl.split("?")[0]}”匹配的 HTTP 资源`, extra: 'route_not_found', data: null });
  });

  crmRoutes(crm, services);
}

function parse(done: (error: Error | null, body?: unknown) => void, read: () => unknown) {
  try {
    done(null, read());
  } catch (error) {
    done(error as Error);
  }
}
