import { Type } from 'typebox';
import { expectedVersion, withEtag } from '../http.ts';
import { errorResponses, IdParams, IfMatchHeaders, PageQuery } from '../schemas/common.ts';
import {
  CreatedWebhookSchema,
  CreateWebhookBody,
  DeliveryPage,
  DeliverySchema,
  renderDelivery,
  renderWebhook,
  UpdateWebhookBody,
  WebhookPage,
  WebhookSchema,
} from '../schemas/webhooks.ts';
import type { RoutePlugin } from '../types.ts';

const ListQuery = Type.Object(PageQuery, { additionalProperties: false });

export const webhookRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['webhooks'];

  app.get('/webhooks', { schema: { tags, summary: 'List webhook subscriptions (needs tenant:manage)', querystring: ListQuery, response: { 200: WebhookPage, ...errorResponses } } }, async (request) => {
    const page = await services.webhooks.list(request.ctx, request.query);
    return { items: page.items.map((w) => renderWebhook(request.ctx, w)), nextCursor: page.nextCursor };
  });

  app.post(
    '/webhooks',
    {
      schema: { tags, summary: 'Subscribe a URL to events (needs tenant:manage); the answer carries the signing secret, once', body: CreateWebhookBody, response: { 201: CreatedWebhookSchema, ...errorResponses } },
      config: { issuesSecret: true },
    },
    async (request, reply) => {
      const { webhook, secret } = await services.webhooks.create(request.ctx, request.body);
      reply.code(201).header('location', `${request.url}/${webhook.id}`);
      return withEtag(reply, { ...renderWebhook(request.ctx, webhook), secret });
    },
  );

  app.get('/webhooks/:id', { schema: { tags, summary: 'Get a webhook subscription', params: IdParams, response: { 200: WebhookSchema, ...errorResponses } } }, async (request, reply) =>
    withEtag(reply, renderWebhook(request.ctx, await services.webhooks.get(request.ctx, request.params.id))),
  );

  app.patch(
    '/webhooks/:id',
    { schema: { tags, summary: 'Change a webhook subscription', params: IdParams, headers: IfMatchHeaders, body: UpdateWebhookBody, response: { 200: WebhookSchema, ...errorResponses } } },
    async (request, reply) => withEtag(reply, renderWebhook(request.ctx, await services.webhooks.update(request.ctx, request.params.id, request.body, expectedVersion(request)))),
  );

  app.delete('/webhooks/:id', { schema: { tags, summary: 'Delete a webhook subscription and its delivery log', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } }, async (request, reply) => {
    await services.webhooks.delete(request.ctx, request.params.id);
    return reply.code(204).send(null);
  });

  app.get(
    '/webhooks/:id/deliveries',
    { schema: { tags, summary: 'Delivery log of a subscription, newest first', params: IdParams, querystring: ListQuery, response: { 200: DeliveryPage, ...errorResponses } } },
    async (request) => {
      const page = await services.webhooks.deliveries(request.ctx, request.params.id, request.query);
      return { items: page.items.map((d) => renderDelivery(request.ctx, d)), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/webhooks/:id/test',
    { schema: { tags, summary: 'Send a `ping` event now and answer how the receiver took it (not retried)', params: IdParams, response: { 200: DeliverySchema, ...errorResponses } } },
    async (request) => renderDelivery(request.ctx, await services.webhooks.test(request.ctx, request.params.id)),
  );
};
