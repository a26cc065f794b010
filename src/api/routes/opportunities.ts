import { Type } from 'typebox';
import type { OpportunityView } from '../../core/opportunities/opportunities.types.ts';
import type { Page as PageOf } from '../../core/shared/pagination.ts';
import { expectedVersion, withEtag } from '../http.ts';
import { errorResponses, IdParams, IfMatchHeaders, Page } from '../schemas/common.ts';
import {
  CreateCustomerOpportunityBody,
  CreateOpportunityBody,
  CustomerOpportunityListQuery,
  OpportunityListQuery,
  OpportunitySchema,
  renderOpportunity,
  UpdateOpportunityBody,
} from '../schemas/opportunities.ts';
import type { Zoned } from '../schemas/render.ts';
import type { RoutePlugin } from '../types.ts';

const ListAnswer = Type.Intersect([Page(OpportunitySchema, 'opportunities'), Type.Object({ total: Type.Optional(Type.Integer()) })]);

const renderPage = (ctx: Zoned, page: PageOf<OpportunityView>) => ({
  items: page.items.map((o) => renderOpportunity(ctx, o)),
  nextCursor: page.nextCursor,
  ...(page.total !== undefined ? { total: page.total } : {}),
});

export const opportunityRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['opportunities'];
  const description = 'Visible when their customer is visible to the caller. Newest change first (keyset-paginated).';

  app.get(
    '/opportunities',
    { schema: { tags, summary: 'List opportunities', description, querystring: OpportunityListQuery, response: { 200: ListAnswer, ...errorResponses } } },
    async (request) => renderPage(request.ctx, await services.opportunities.list(request.ctx, request.query)),
  );

  app.get(
    '/customers/:id/opportunities',
    { schema: { tags, summary: "List a customer's opportunities", description, params: IdParams, querystring: CustomerOpportunityListQuery, response: { 200: ListAnswer, ...errorResponses } } },
    async (request) => renderPage(request.ctx, await services.opportunities.list(request.ctx, { ...request.query, customerId: request.params.id })),
  );

  app.post(
    '/opportunities',
    { schema: { tags, summary: 'Create an opportunity', body: CreateOpportunityBody, response: { 201: OpportunitySchema, ...errorResponses } } },
    async (request, reply) => {
      const opportunity = await services.opportunities.create(request.ctx, request.body);
      reply.code(201).header('location', `/api/v1/opportunities/${opportunity.id}`);
      return withEtag(reply, renderOpportunity(request.ctx, opportunity));
    },
  );

  app.post(
    '/customers/:id/opportunities',
    { schema: { tags, summary: 'Create an opportunity of a customer', params: IdParams, body: CreateCustomerOpportunityBody, response: { 201: OpportunitySchema, ...errorResponses } } },
    async (request, reply) => {
      const opportunity = await services.opportunities.create(request.ctx, { ...request.body, customerId: request.params.id });
      reply.code(201).header('location', `/api/v1/opportunities/${opportunity.id}`);
      return withEtag(reply, renderOpportunity(request.ctx, opportunity));
    },
  );

  app.get(
    '/opportunities/:id',
    { schema: { tags, summary: 'Get an opportunity', params: IdParams, response: { 200: OpportunitySchema, ...errorResponses } } },
    async (request, reply) => withEtag(reply, renderOpportunity(request.ctx, await services.opportunities.get(request.ctx, request.params.id))),
  );

  app.patch(
    '/opportunities/:id',
    {
      schema: {
        tags,
        summary: 'Change an opportunity',
        description: 'A new customerId moves it, keeping both customers\' opportunity counts. Leaving status lost clears the lose reason and remark.',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateOpportunityBody,
        response: { 200: OpportunitySchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      withEtag(reply, renderOpportunity(request.ctx, await services.opportunities.update(request.ctx, request.params.id, request.body, expectedVersion(request)))),
  );

  app.delete(
    '/opportunities/:id',
    { schema: { tags, summary: 'Delete an opportunity', description: 'Follow-ups written on it keep their link.', params: IdParams, headers: IfMatchHeaders, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await services.opportunities.delete(request.ctx, request.params.id, expectedVersion(request));
      return reply.code(204).send(null);
    },
  );
};
