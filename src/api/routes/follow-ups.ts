import { Type } from 'typebox';
import { expectedVersion, withEtag } from '../http.ts';
import { errorResponses, IdParams, IfMatchHeaders } from '../schemas/common.ts';
import {
  CreateCustomerFollowUpBody,
  CreateFollowUpBody,
  CustomerFollowUpListQuery,
  FollowUpListQuery,
  FollowUpPage,
  FollowUpSchema,
  followUpFilter,
  followUpInput,
  renderFollowUp,
  UpdateFollowUpBody,
} from '../schemas/follow-ups.ts';
import type { RoutePlugin } from '../types.ts';

export const followUpRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['follow-ups'];
  const location = (id: string) => `/api/v1/follow-ups/${id}`;

  app.get(
    '/follow-ups',
    {
      schema: {
        tags,
        summary: 'List follow-ups of the customers visible to the caller',
        description: 'Newest first by default; keyset-paginated, so pages stay stable while follow-ups are written.',
        querystring: FollowUpListQuery,
        response: { 200: FollowUpPage, ...errorResponses },
      },
    },
    async (request) => {
      const page = await services.followUps.list(request.ctx, followUpFilter(request.query));
      return { items: page.items.map((f) => renderFollowUp(request.ctx, f)), nextCursor: page.nextCursor, ...(page.total !== undefined ? { total: page.total } : {}) };
    },
  );

  app.post(
    '/follow-ups',
    {
      schema: {
        tags,
        summary: 'Write a follow-up',
        description: "Updates the customer's last follow-up (time, summary, user) and the opportunity's last contact in the same transaction.",
        body: CreateFollowUpBody,
        response: { 201: FollowUpSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const followUp = await services.followUps.create(request.ctx, followUpInput(request.body));
      reply.code(201).header('location', location(followUp.id));
      return withEtag(reply, renderFollowUp(request.ctx, followUp));
    },
  );

  app.get(
    '/customers/:id/follow-ups',
    { schema: { tags, summary: "A customer's follow-ups", params: IdParams, querystring: CustomerFollowUpListQuery, response: { 200: FollowUpPage, ...errorResponses } } },
    async (request) => {
      const page = await services.followUps.listOfCustomer(request.ctx, request.params.id, followUpFilter(request.query));
      return { items: page.items.map((f) => renderFollowUp(request.ctx, f)), nextCursor: page.nextCursor, ...(page.total !== undefined ? { total: page.total } : {}) };
    },
  );

  app.post(
    '/customers/:id/follow-ups',
    { schema: { tags, summary: 'Write a follow-up of the customer', params: IdParams, body: CreateCustomerFollowUpBody, response: { 201: FollowUpSchema, ...errorResponses } } },
    async (request, reply) => {
      const followUp = await services.followUps.create(request.ctx, { ...followUpInput(request.body), customerId: request.params.id });
      reply.code(201).header('location', location(followUp.id));
      return withEtag(reply, renderFollowUp(request.ctx, followUp));
    },
  );

  app.get('/follow-ups/:id', { schema: { tags, summary: 'Get a follow-up', params: IdParams, response: { 200: FollowUpSchema, ...errorResponses } } }, async (request, reply) =>
    withEtag(reply, renderFollowUp(request.ctx, await services.followUps.get(request.ctx, request.params.id))),
  );

  app.patch(
    '/follow-ups/:id',
    {
      schema: {
        tags,
        summary: 'Change a follow-up',
        description: "Fields left out stay as they are. Changing the latest follow-up of a customer recomputes the customer's last follow-up.",
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateFollowUpBody,
        response: { 200: FollowUpSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      withEtag(reply, renderFollowUp(request.ctx, await services.followUps.update(request.ctx, request.params.id, followUpInput(request.body), expectedVersion(request)))),
  );

  app.delete(
    '/follow-ups/:id',
    { schema: { tags, summary: "Delete a follow-up (recomputes the customer's last follow-up)", params: IdParams, headers: IfMatchHeaders, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await services.followUps.delete(request.ctx, request.params.id, expectedVersion(request));
      return reply.code(204).send(null);
    },
  );
};
