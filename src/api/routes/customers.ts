import { Type } from 'typebox';
import { expectedVersion, withEtag } from '../http.ts';
import { errorResponses, IdParams, IfMatchHeaders, Page } from '../schemas/common.ts';
import {
  CreateCustomerBody,
  customerFilter,
  CustomerListQuery,
  CustomerSchema,
  DuplicateSchema,
  DuplicatesQuery,
  renderCustomer,
  UpdateCustomerBody,
} from '../schemas/customers.ts';
import type { RoutePlugin } from '../types.ts';

export const customerRoutes: RoutePlugin = async (app, { services, clock }) => {
  const tags = ['customers'];
  const render = (request: { ctx: Parameters<typeof renderCustomer>[0] }, c: Parameters<typeof renderCustomer>[1]) =>
    renderCustomer(request.ctx, c, clock.now());

  app.get(
    '/customers',
    {
      schema: {
        tags,
        summary: 'List and search customers visible to the caller',
        description: 'Keyset-paginated; sorts put customers without a value for the sort field last.',
        querystring: CustomerListQuery,
        response: { 200: Type.Intersect([Page(CustomerSchema, 'customers'), Type.Object({ total: Type.Optional(Type.Integer()) })]), ...errorResponses },
      },
    },
    async (request) => {
      const page = await services.customers.list(request.ctx, customerFilter(request.query));
      return { items: page.items.map((c) => render(request, c)), nextCursor: page.nextCursor, ...(page.total !== undefined ? { total: page.total } : {}) };
    },
  );

  app.get(
    '/customers/duplicates',
    { schema: { tags, summary: 'Customers of the tenant with the same name (case-insensitive) or a shared phone', querystring: DuplicatesQuery, response: { 200: Type.Object({ items: Type.Array(DuplicateSchema) }), ...errorResponses } } },
    async (request) => ({
      items: (await services.customers.duplicates(request.ctx, request.query)).map((d) => ({ id: d.id, name: d.name, phones: d.phones, ownerId: d.owner_id, inPool: d.in_pool })),
    }),
  );

  app.post('/customers', { schema: { tags, summary: 'Create a customer', body: CreateCustomerBody, response: { 201: CustomerSchema, ...errorResponses } } }, async (request, reply) => {
    const customer = await services.customers.create(request.ctx, request.body);
    reply.code(201).header('location', `${request.url}/${customer.id}`);
    return withEtag(reply, render(request, customer));
  });

  app.get('/customers/:id', { schema: { tags, summary: 'Get a customer', params: IdParams, response: { 200: CustomerSchema, ...errorResponses } } }, async (request, reply) =>
    withEtag(reply, render(request, await services.customers.get(request.ctx, request.params.id))),
  );

  app.patch(
    '/customers/:id',
    { schema: { tags, summary: 'Change a customer', params: IdParams, headers: IfMatchHeaders, body: UpdateCustomerBody, response: { 200: CustomerSchema, ...errorResponses } } },
    async (request, reply) => withEtag(reply, render(request, await services.customers.update(request.ctx, request.params.id, request.body, expectedVersion(request)))),
  );

  app.delete('/customers/:id', { schema: { tags, summary: 'Delete a customer (restorable; needs customers:delete)', params: IdParams, headers: IfMatchHeaders, response: { 204: Type.Null(), ...errorResponses } } }, async (request, reply) => {
    await services.customers.delete(request.ctx, request.params.id, expectedVersion(request));
    return reply.code(204).send(null);
  });

  app.post('/customers/:id/restore', { schema: { tags, summary: 'Restore a deleted customer (needs customers:delete)', params: IdParams, response: { 200: CustomerSchema, ...errorResponses } } }, async (request, reply) =>
    withEtag(reply, render(request, await services.customers.restore(request.ctx, request.params.id))),
  );
};
