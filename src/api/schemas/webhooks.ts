import { Type, type Static } from 'typebox';
import type { DeliveryView, WebhookView } from '../../core/webhooks/webhooks.service.ts';
import { Id, Nullable, Page, Timestamp } from './common.ts';
import { maybeTime, time, type Zoned } from './render.ts';

const Url = Type.String({ minLength: 1, maxLength: 2000, description: 'http or https URL; private and loopback hosts need the tenant setting allowPrivateWebhookTargets' });
const Events = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  minItems: 1,
  maxItems: 50,
  description: 'Event types (e.g. `customer.created`), `<entity>.*` patterns (e.g. `opportunity.*`), or `*` for every event',
});

export const WebhookSchema = Type.Object(
  {
    id: Id(),
    url: Type.String(),
    events: Type.Array(Type.String(), { description: 'Subscribed event types and patterns' }),
    isActive: Type.Boolean({ description: 'Inactive subscriptions get no new deliveries' }),
    description: Nullable(Type.String()),
    createdBy: Nullable(Id()),
    version: Type.Integer(),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A webhook subscription' },
);

export const CreatedWebhookSchema = Type.Intersect([
  WebhookSchema,
  Type.Object({ secret: Type.String({ description: 'Signing secret (64 hex digits), shown only in this answer; see X-Genjin-Signature' }) }),
]);

export const CreateWebhookBody = Type.Object(
  {
    url: Url,
    events: Events,
    description: Type.Optional(Nullable(Type.String({ maxLength: 500, description: 'What the subscription is for' }))),
    isActive: Type.Optional(Type.Boolean({ description: 'Default true' })),
  },
  { additionalProperties: false },
);

export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    description: Type.Optional(Nullable(Type.String({ maxLength: 500, description: 'What the subscription is for' }))),
    isActive: Type.Optional(Type.Boolean({ description: 'Pause or resume deliveries' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const DeliverySchema = Type.Object(
  {
    id: Id(),
    webhookId: Id(),
    eventId: Nullable(Id('The outbox event delivered; null for a test ping')),
    eventType: Type.String({ description: 'Event type, or `ping`' }),
    status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('dead')], {
      description: 'pending: not tried yet; failed: will be retried; dead: gave up after the last attempt',
    }),
    attempts: Type.Integer(),
    responseStatus: Nullable(Type.Integer({ description: 'HTTP status of the latest answer' })),
    responseBody: Nullable(Type.String({ description: 'First 1 KB of the latest answer' })),
    error: Nullable(Type.String({ description: 'Why the latest attempt failed' })),
    durationMs: Nullable(Type.Integer({ description: 'Duration of the latest attempt' })),
    nextAttemptAt: Nullable(Timestamp('When the next attempt is due, while one is')),
    deliveredAt: Nullable(Timestamp('When a receiver accepted it (2xx)')),
    createdAt: Timestamp('Created'),
  },
  { description: 'One event sent to one subscription, with the latest attempt' },
);

export const DeliveryPage = Page(DeliverySchema, 'deliveries');
export const WebhookPage = Page(WebhookSchema, 'webhooks');

export const renderWebhook = (ctx: Zoned, w: WebhookView): Static<typeof WebhookSchema> => ({
  id: w.id,
  url: w.url,
  events: w.events,
  isActive: w.is_active,
  description: w.description,
  createdBy: w.created_by,
  version: w.version,
  createdAt: time(ctx, w.created_at),
  updatedAt: time(ctx, w.updated_at),
});

export const renderDelivery = (ctx: Zoned, d: DeliveryView): Static<typeof DeliverySchema> => ({
  id: d.id,
  webhookId: d.webhook_id,
  eventId: d.event_id,
  eventType: d.event_type,
  status: d.status,
  attempts: d.attempts,
  responseStatus: d.response_status,
  responseBody: d.response_body,
  error: d.error,
  durationMs: d.duration_ms,
  nextAttemptAt: maybeTime(ctx, d.status === 'pending' ? d.next_attempt_at : d.retry_at),
  deliveredAt: maybeTime(ctx, d.delivered_at),
  createdAt: time(ctx, d.created_at),
});
