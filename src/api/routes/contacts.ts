import { Type } from 'typebox';
import { expectedVersion, withEtag } from '../http.ts';
import { errorResponses, IdParams, IfMatchHeaders, Page } from '../schemas/common.ts';
import {
  ContactListQuery,
  ContactSchema,
  CreateContactBody,
  CreateCustomerContactBody,
  CustomerContactListQuery,
  renderContact,
  UpdateContactBody,
} from '../schemas/contacts.ts';
import type { RoutePlugin } from '../types.ts';

const ContactPage = Type.Intersect([Page(ContactSchema, 'contacts'), Type.Object({ total: Type.Optional(Type.Integer()) })]);

export const contactRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['contacts'];

  app.get(
    '/contacts',
    { schema: { tags, summary: 'List contacts of the customers visible to the caller', description: 'Newest first; with customerId, the main contact first.', querystring: ContactListQuery, response: { 200: ContactPage, ...errorResponses } } },
    async (request) => {
      const page = await services.contacts.list(request.ctx, request.query);
      return { items: page.items.map((c) => renderContact(request.ctx, c)), nextCursor: page.nextCursor, ...(page.total !== undefined ? { total: page.total } : {}) };
    },
  );

  app.get(
    '/customers/:id/contacts',
    { schema: { tags, summary: "A customer's contacts, main contact first", params: IdParams, querystring: CustomerContactListQuery, response: { 200: ContactPage, ...errorResponses } } },
    async (request) => {
      const page = await services.contacts.list(request.ctx, { ...request.query, customerId: request.params.id });
      return { items: page.items.map((c) => renderContact(request.ctx, c)), nextCursor: page.nextCursor, ...(page.total !== undefined ? { total: page.total } : {}) };
    },
  );

  app.post('/contacts', { schema: { tags, summary: 'Add a contact to a customer', body: CreateContactBody, response: { 201: ContactSchema, ...errorResponses } } }, async (request, reply) => {
    const { customerId, ...input } = request.body;
    const contact = await services.contacts.create(request.ctx, customerId, input);
    reply.code(201).header('location', `/api/v1/contacts/${contact.id}`);
    return withEtag(reply, renderContact(request.ctx, contact));
  });

  app.post(
    '/customers/:id/contacts',
    { schema: { tags, summary: 'Add a contact to this customer', params: IdParams, body: CreateCustomerContactBody, response: { 201: ContactSchema, ...errorResponses } } },
    async (request, reply) => {
      const contact = await services.contacts.create(request.ctx, request.params.id, request.body);
      reply.code(201).header('location', `/api/v1/contacts/${contact.id}`);
      return withEtag(reply, renderContact(request.ctx, contact));
    },
  );

  app.get('/contacts/:id', { schema: { tags, summary: 'Get a contact', params: IdParams, response: { 200: ContactSchema, ...errorResponses } } }, async (request, reply) =>
    withEtag(reply, renderContact(request.ctx, await services.contacts.get(request.ctx, request.params.id))),
  );

  app.patch(
    '/contacts/:id',
    { schema: { tags, summary: 'Change a contact; isMain: true makes it the main contact, false clears the flag', params: IdParams, headers: IfMatchHeaders, body: UpdateContactBody, response: { 200: ContactSchema, ...errorResponses } } },
    async (request, reply) => withEtag(reply, renderContact(request.ctx, await services.contacts.update(request.ctx, request.params.id, request.body, expectedVersion(request)))),
  );

  app.delete('/contacts/:id', { schema: { tags, summary: 'Delete a contact', params: IdParams, headers: IfMatchHeaders, response: { 204: Type.Null(), ...errorResponses } } }, async (request, reply) => {
    await services.contacts.delete(request.ctx, request.params.id, expectedVersion(request));
    return reply.code(204).send(null);
  });
};
