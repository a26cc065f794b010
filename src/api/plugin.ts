import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isDomainError } from '../core/shared/errors.ts';
import { registerIdempotency } from './idempotency.ts';
import { domainProblem, problem, type Problem, validationProblem } from './problems.ts';
import { authRoutes } from './routes/auth.ts';
import { contactRoutes } from './routes/contacts.ts';
import { customFieldRoutes } from './routes/custom-fields.ts';
import { customerRoutes } from './routes/customers.ts';
import { fileRoutes } from './routes/files.ts';
import { followUpRoutes } from './routes/follow-ups.ts';
import { opportunityRoutes } from './routes/opportunities.ts';
import { contactPlanRoutes } from './routes/contact-plans.ts';
import { poolRoutes } from './routes/pools.ts';
import { auditRoutes, dictionaryRoutes, tokenRoutes } from './routes/access.ts';
import { departmentRoutes, roleRoutes, userRoutes } from './routes/people.ts';
import { favouriteRoutes, shareRoutes, tagRoutes } from './routes/tags.ts';
import { visitReportRoutes } from './routes/visit-reports.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { tenantRoutes } from './routes/tenant.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { callRoutes, numberLockRoutes } from './routes/calls.ts';
import { contractRoutes } from './routes/contracts.ts';
import { ecommerceRoutes, siteKeyRoutes, timelineRoutes } from './routes/ecommerce.ts';
import { smsRoutes } from './routes/sms.ts';
import { Problem as ProblemSchema } from './schemas/common.ts';
import type { ApiOptions } from './types.ts';

/** The native REST API under /api/v1: its auth, its error envelope, its routes. */
export const nativeApi: FastifyPluginAsyncTypebox<ApiOptions> = async (app, options) => {
  const { services, clock } = options;
  app.addSchema(ProblemSchema);
  app.decorateRequest('ctx', null as never);
  // Fastify parses text/plain by default; here a text body would reach validation as a string
  // and come back 422 "must be object". The API speaks JSON only: anything else is a 415.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public || !request.routeOptions.url) return;
    const token = bearerToken(request);
    request.ctx = await services.auth.authenticate(token, { api: 'native', requestId: request.id, clock });
  });
  registerIdempotency(app, services);

  app.setErrorHandler((error: FastifyError, request, reply) => sendProblem(request, reply, toProblem(error, request)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, problem('not-found', `No route ${request.method} ${request.url.split('?')[0]}`, { code: 'route_not_found' })),
  );

  for (const routes of [authRoutes, userRoutes, departmentRoutes, roleRoutes, tokenRoutes, dictionaryRoutes, auditRoutes, customerRoutes, contactRoutes, tagRoutes, shareRoutes, favouriteRoutes, customFieldRoutes, opportunityRoutes, contactPlanRoutes, fileRoutes, followUpRoutes, visitReportRoutes, poolRoutes, notificationRoutes, tenantRoutes, webhookRoutes, contractRoutes, callRoutes, numberLockRoutes, smsRoutes, siteKeyRoutes, ecommerceRoutes, timelineRoutes]) {
    await app.register(routes, { services, clock });
  }
};

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) {
    throw Object.assign(new Error(header ? 'The Authorization header must be "Bearer <token>"' : 'Send an Authorization: Bearer <token> header'), {
      statusCode: 401,
      code: header ? 'malformed_authorization' : 'missing_token',
    });
  }
  return match[1]!;
}

function toProblem(error: FastifyError, request: FastifyRequest): Problem & { retryAfter?: number } {
  if (isDomainError(error)) {
    const retryAfter = error.details.retryAfterSeconds;
    return { ...domainProblem(error), ...(retryAfter ? { retryAfter } : {}) };
  }
  if (error.validation) return validationProblem(error);
  switch (error.statusCode) {
    case 401:
      return problem('unauthenticated', error.message, { code: error.code });
    case 413:
      return problem('payload-too-large', `The request body is larger than the limit of ${request.routeOptions.bodyLimit ?? 0} bytes`);
    case 415:
      return problem('unsupported-media-type', error.message);
    case 400:
      return problem('malformed-request', error.message, { code: error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'empty_json_body' : 'malformed_json' });
  }
  if (error.statusCode && error.statusCode < 500) return problem('malformed-request', error.message, { status: error.statusCode });
  request.log.error({ err: error }, 'unhandled error');
  return problem('internal-error', 'An unexpected error occurred; the request id identifies it in the server logs');
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, p: Problem & { retryAfter?: number }) {
  const { retryAfter, ...body } = p;
  if (retryAfter) reply.header('retry-after', String(retryAfter));
  if (body.status === 401) reply.header('www-authenticate', 'Bearer realm="genjin"');
  return reply
    .code(body.status)
    .type('application/problem+json')
    .send({ ...body, instance: request.url.split('?')[0], requestId: request.id });
}
