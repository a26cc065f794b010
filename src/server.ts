import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { nativeApi, sendProblem } from './api/plugin.ts';
import { lowerCasePath, registerDialects } from './dialects/index.ts';
import { problem, PROBLEM_TYPES, type ProblemType } from './api/problems.ts';
import type { Services } from './core/services.ts';
import type { Clock } from './core/shared/clock.ts';
import type { Database } from './db/database.ts';
import { migrationStatus } from './db/migrate.ts';

export interface ServerOptions {
  database: Database;
  services: Services;
  clock: Clock;
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  logger: FastifyServerOptions['logger'];
  version: string;
}

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

/**
 * Bodies are validated strictly: a string where a number belongs is an error, and unknown
 * fields are refused rather than silently dropped. Query strings and headers are text by
 * nature, so they are coerced to the declared types.
 */
function validators() {
  const make = (coerceTypes: boolean | 'array') => {
    const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, removeAdditional: false, strict: false });
    addFormats(ajv);
    return ajv;
  };
  return { body: make(false), other: make('array') };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger,
    bodyLimit: options.bodyLimit,
    // Not `requestIdHeader`: Fastify would then take the header verbatim and skip genReqId,
    // letting any text into the logs. genReqId reads the header itself and checks it.
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    rewriteUrl: (request) => lowerCasePath(request.url ?? '/'),
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const ajv = validators();
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? ajv.body : ajv.other).compile(schema));
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Genjin native API',
        version: options.version,
        description:
          'The native REST API of Genjin, a self-hosted CRM built around the customer follow-up. ' +
          'JSON in camelCase, ids as strings, times in ISO 8601 with the tenant\'s offset, errors as RFC 9457 problem+json.',
      },
      servers: [{ url: '/' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token or a session token from /api/v1/auth/login' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  // The docs page is served from the package's own files: no CDN, works offline.
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      const status = await migrationStatus(options.database);
      if (status.pending.length > 0) return reply.code(503).send({ status: 'migrations pending', pending: status.pending });
      return { status: 'ready', database: options.database.kind };
    } catch (error) {
      return reply.code(503).send({ status: 'database unreachable', error: (error as Error).message });
    }
  });

  app.get<{ Params: { type: string } }>('/problems/:type', { schema: { hide: true } }, async (request, reply) => {
    const entry = PROBLEM_TYPES[request.params.type as ProblemType];
    if (!entry) return sendProblem(request, reply, problem('not-found', `There is no problem type "${request.params.type}"`, { code: 'problem_type_not_found' }));
    return { type: `/problems/${request.params.type}`, ...entry };
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, problem('not-found', `No route ${request.method} ${request.url.split('?')[0]}`, { code: 'route_not_found' })),
  );

  await app.register(nativeApi, { prefix: '/api/v1', services: options.services, clock: options.clock });
  await registerDialects(app, { services: options.services, clock: options.clock });
  return app;
}
