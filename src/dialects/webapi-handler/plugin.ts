import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../core/shared/context.ts';
import { type DomainError, isDomainError } from '../../core/shared/errors.ts';
import { authenticateDialect, findToken, type TokenSources } from '../shared/auth.ts';
import { parseForm } from '../shared/form.ts';
import type { DialectOptions } from '../index.ts';
import { type FieldNames, invalidParameter, toWireError, WebApiError } from './errors.ts';
import { type HandlerDef, handlerPath } from './handler.ts';
import { mergeParams, Params } from './params.ts';
import { HANDLERS } from './routes/index.ts';
import { toXml } from './xml.ts';

type Format = 'json' | 'xml';

/** The seed sends `token` as a query or form parameter. */
const TOKEN_SOURCES: TokenSources = { query: true, body: true };

/** Field names of the handler a request reached, for errors thrown after routing. */
const requestFields = new WeakMap<FastifyRequest, FieldNames>();

/** The answer format a request asked for; an unreadable `format` falls back to JSON. */
function formatOf(request: FastifyRequest): Format {
  const value = mergeParams(request.query, request.body).format;
  return typeof value === 'string' && value.trim().toLowerCase() === 'xml' ? 'xml' : 'json';
}

function checkedFormat(params: Record<string, unknown>): Format {
  const value = params.format;
  if (value === undefined || value === null || value === '') return 'json';
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (text === 'json' || text === 'xml') return text;
  throw invalidParameter('format', '必须是 json 或 xml');
}

/** An authentication failure, naming the parameter that carried the credential. */
async function naming(field: string, auth: Promise<RequestContext>): Promise<RequestContext> {
  try {
    return await auth;
  } catch (error) {
    if (isDomainError(error) && error.kind === 'unauthenticated') throw new WebApiError('unauthenticated', `身份验证失败: ${error.message}`, field);
    throw error;
  }
}

/** A change the core refused by its rules, which the seed answers with a failure value. */
function isRefusal(error: unknown): error is DomainError {
  return isDomainError(error) && (error.kind === 'conflict' || error.kind === 'precondition_failed');
}

function send(reply: FastifyReply, format: Format, status: number, root: 'value' | 'error', payload: unknown, itemName?: string) {
  reply.code(status);
  if (format === 'xml') return reply.type('application/xml; charset=utf-8').send(toXml(root, payload, itemName));
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(root === 'value' ? { value: payload } : payload));
}

/**
 * Seed 004: `/WebApi/Handler/1.0/CRM/<Module>/<Action>.ashx`, GET or POST, `token` (or `siteKey`)
 * and `format=json|xml`, answers `{"value": …}`. Registered under its own prefix so that its
 * not-found handler and error handler answer in its own error shape.
 */
export const webApiHandler: FastifyPluginAsync<DialectOptions> = async (app, options) => {
  await app.register(
    async (scope) => {
      const { services, clock } = options;
      const known = new Set(HANDLERS.map((def) => handlerPath(def)));

      scope.removeContentTypeParser('text/plain');
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
        done(null, parseForm(body as string, { brackets: false }));
      });

      scope.setErrorHandler((error, request, reply) => {
        const wire = toWireError(error, request.id, requestFields.get(request));
        if (wire.status >= 500) request.log.error({ err: error, requestId: request.id }, 'webapi-handler: unhandled error');
        return send(reply, formatOf(request), wire.status, 'error', wire.body);
      });

      scope.setNotFoundHandler((request, reply) => {
        const path = request.url.split('?')[0]!.replace(/^\/webapi\/handler/, '');
        const error = known.has(path)
          ? new WebApiError('method_not_allowed', `${request.method} 不受支持: 请用 GET 或 POST`)
          : new WebApiError('not_found', `没有这个接口: ${request.url.split('?')[0]}`);
        const wire = toWireError(error, request.id);
        return send(reply, formatOf(request), wire.status, 'error', wire.body);
      });

      const route = (def: HandlerDef) =>
        scope.route({
          method: ['GET', 'POST'],
          url: handlerPath(def),
          handler: async (request, reply) => {
            requestFields.set(request, def.fields ?? {});
            const raw = mergeParams(request.query, request.body);
            const format = checkedFormat(raw);
            let ctx: RequestContext;
            if (def.auth === 'siteKey') {
              const siteKey = new Params(raw, 'UTC').optionalString('siteKey', { max: 200 });
              if (!siteKey) throw new WebApiError('unauthenticated', '身份验证失败: 缺少参数 siteKey', 'siteKey');
              ctx = await naming('siteKey', services.siteKeys.authenticate(siteKey.trim(), { api: 'webapi-handler', requestId: request.id, clock }));
            } else {
              if (!findToken(request, TOKEN_SOURCES)) throw new WebApiError('unauthenticated', '身份验证失败: 缺少参数 token', 'token');
              ctx = await naming('token', authenticateDialect(services, request, 'webapi-handler', TOKEN_SOURCES, clock));
            }
            let value: unknown;
            try {
              value = await def.run({ p: new Params(raw, ctx.tenant.timezone), ctx, services });
            } catch (error) {
              if (def.refusal === undefined || !isRefusal(error)) throw error;
              reply.header('x-genjin-refusal', `${error.code}; ${encodeURIComponent(error.message)}`);
              value = def.refusal;
            }
            return send(reply, format, 200, 'value', value, def.xmlItem);
          },
        });
      for (const def of HANDLERS) route(def);
    },
    { prefix: '/webapi/handler' },
  );
};
