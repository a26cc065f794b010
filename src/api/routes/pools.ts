import { Type } from 'typebox';
import { expectedVersion, withEtag } from '../http.ts';
import { errorResponses, IdParams, IfMatchHeaders, Page } from '../schemas/common.ts';
import { CustomerListQuery, CustomerSchema, customerFilter, renderCustomer } from '../schemas/customers.ts';
import {
  AssignBody,
  CreatePoolBody,
  MoveResultSchema,
  OwnershipMoveSchema,
  PoolRulesBody,
  PoolRulesSchema,
  PoolSchema,
  PoolStatusSchema,
  ReleaseBody,
  renderMove,
  renderMoveResult,
  renderPool,
  renderRules,
  renderStatus,
  UpdatePoolBody,
} from '../schemas/pools.ts';
import type { RoutePlugin } from '../types.ts';

export const poolRoutes: RoutePlugin = async (app, { services, clock }) => {
  const tags = ['pools'];

  app.get('/pools', { schema: { tags, summary: 'List the public pools (needs pool:access or pool:manage)', response: { 200: Type.Object({ items: Type.Array(PoolSchema) }), ...errorResponses } } }, async (request) => ({
    items: (await services.pools.list(request.ctx)).map((p) => renderPool(request.ctx, p)),
  }));

  app.post('/pools', { schema: { tags, summary: 'Create a pool (needs pool:manage); it starts with every rule off', body: CreatePoolBody, response: { 201: PoolSchema, ...errorResponses } } }, async (request, reply) => {
    const pool = await services.pools.create(request.ctx, request.body);
    reply.code(201).header('location', `${request.url}/${pool.id}`);
    return withEtag(reply, renderPool(request.ctx, pool));
  });

  app.get('/pools/:id', { schema: { tags, summary: 'Get a pool', params: IdParams, response: { 200: PoolSchema, ...errorResponses } } }, async (request, reply) =>
    withEtag(reply, renderPool(request.ctx, await services.pools.get(request.ctx, request.params.id))),
  );

  app.patch(
    '/pools/:id',
    { schema: { tags, summary: 'Change a pool (needs pool:manage)', params: IdParams, headers: IfMatchHeaders, body: UpdatePoolBody, response: { 200: PoolSchema, ...errorResponses } } },
    async (request, reply) => withEtag(reply, renderPool(request.ctx, await services.pools.update(request.ctx, request.params.id, request.body, expectedVersion(request)))),
  );

  app.get('/pools/:id/rules', { schema: { tags, summary: "A pool's recycling and claiming rules", params: IdParams, response: { 200: PoolRulesSchema, ...errorResponses } } }, async (request, reply) =>
    withEtag(reply, renderRules(request.ctx, await services.pools.rules(request.ctx, request.params.id))),
  );

  app.put(
    '/pools/:id/rules',
    { schema: { tags, summary: "Replace a pool's rules (needs pool:manage or being its admin)", params: IdParams, headers: IfMatchHeaders, body: PoolRulesBody, response: { 200: PoolRulesSchema, ...errorResponses } } },
    async (request, reply) => withEtag(reply, renderRules(request.ctx, await services.pools.replaceRules(request.ctx, request.params.id, request.body, expectedVersion(request)))),
  );

  app.get(
    '/pools/:id/customers',
    {
      schema: {
        tags,
        summary: 'Customers in a pool, with the filters of the customer list',
        params: IdParams,
        querystring: CustomerListQuery,
        response: { 200: Type.Intersect([Page(CustomerSchema, 'customers'), Type.Object({ total: Type.Optional(Type.Integer()) })]), ...errorResponses },
      },
    },
    async (request) => {
      const page = await services.pools.poolCustomers(request.ctx, request.params.id, customerFilter(request.query));
      const now = clock.now();
      return { items: page.items.map((c) => renderCustomer(request.ctx, c, now)), nextCursor: page.nextCursor, ...(page.total !== undefined ? { total: page.total } : {}) };
    },
  );

  const moveTags = ['pools', 'customers'];

  app.post(
    '/customers/:id/release',
    { schema: { tags: moveTags, summary: 'Release a customer to its pool (the owner, or pool:manage)', params: IdParams, body: ReleaseBody, response: { 200: MoveResultSchema, ...errorResponses } } },
    async (request) => renderMoveResult('release', await services.poolMoves.release(request.ctx, request.params.id, request.body.reason)),
  );

  app.post(
    '/customers/:id/claim',
    {
      schema: {
        tags: moveTags,
        summary: 'Claim a pool customer for yourself (pool:access and pool membership)',
        description: 'Refused with a code naming the rule: pool_cap_reached, pool_daily_limit, pool_cooldown (403), pool_protected, pool_already_claimed (409).',
        params: IdParams,
        response: { 200: MoveResultSchema, ...errorResponses },
      },
    },
    async (request) => renderMoveResult('claim', await services.poolMoves.claim(request.ctx, request.params.id)),
  );

  app.post(
    '/customers/:id/assign',
    { schema: { tags: moveTags, summary: 'Give a pool customer to a user (pool:manage or pool admin); pool limits do not apply', params: IdParams, body: AssignBody, response: { 200: MoveResultSchema, ...errorResponses } } },
    async (request) => renderMoveResult('assign', await services.poolMoves.assign(request.ctx, request.params.id, request.body.userId)),
  );

  app.get(
    '/customers/:id/ownership-history',
    { schema: { tags: moveTags, summary: "A customer's moves between owners and pools, newest first", params: IdParams, response: { 200: Type.Object({ items: Type.Array(OwnershipMoveSchema) }), ...errorResponses } } },
    async (request) => ({ items: (await services.pools.history(request.ctx, request.params.id)).map((m) => renderMove(request.ctx, m)) }),
  );

  app.get(
    '/customers/:id/pool-status',
    { schema: { tags: moveTags, summary: 'Days left before the customer is recycled, and whether the notice period has begun', params: IdParams, response: { 200: PoolStatusSchema, ...errorResponses } } },
    async (request) => renderStatus(await services.pools.status(request.ctx, request.params.id)),
  );
};
