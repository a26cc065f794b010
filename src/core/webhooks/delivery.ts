import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { DB, Id, Webhook, WebhookDelivery, WebhookDeliveryStatus } from '../../db/schema.ts';
import type { Clock } from '../shared/clock.ts';
import { loadSettings } from '../tenants/tenant-settings.ts';
import { post, signature } from './sender.ts';
import { resolveTarget } from './targets.ts';

/** What a receiver gets: the same bytes on every attempt, so the signature is stable too. */
export interface WebhookBody {
  /** The event id (the same for every subscription and attempt: receivers deduplicate by it). */
  id: string;
  type: string;
  occurredAt: string;
  tenant: { id: string; slug: string };
  data: Record<string, unknown>;
}

export interface AttemptOutcome {
  ok: boolean;
  delivery: WebhookDelivery;
}

/** Loads the body of a delivery from its event (or, for a ping, from the delivery itself). */
export async function deliveryBody(db: Kysely<DB>, delivery: WebhookDelivery): Promise<WebhookBody> {
  const tenant = await db.selectFrom('tenant').select(['id', 'slug']).where('id', '=', delivery.tenant_id).executeTakeFirstOrThrow();
  if (delivery.event_id === null) {
    return { id: `ping-${delivery.id}`, type: delivery.event_type, occurredAt: delivery.created_at.toISOString(), tenant, data: { webhookId: delivery.webhook_id } };
  }
  const event = await db
    .selectFrom('outbox_event')
    .select(['id', 'type', 'occurred_at', 'data'])
    .where('tenant_id', '=', delivery.tenant_id)
    .where('id', '=', delivery.event_id)
    .executeTakeFirstOrThrow();
  return { id: event.id, type: event.type, occurredAt: event.occurred_at.toISOString(), tenant, data: event.data };
}

/**
 * Makes one attempt and records it on the delivery row: status, answer (first 1 KB), error,
 * duration. `lastAttempt` turns a failure into `dead`.
 */
export async function attemptDelivery(db: Kysely<DB>, clock: Clock, webhook: Webhook, delivery: WebhookDelivery, lastAttempt: boolean): Promise<AttemptOutcome> {
  const body = JSON.stringify(await deliveryBody(db, delivery));
  const settings = await loadSettings(db, delivery.tenant_id);
  const started = performance.now();
  let responseStatus: number | null = null;
  let responseBody: string | null = null;
  let error: string | null = null;
  try {
    // Checked again now, on what DNS answers now: the address may have changed since subscribing.
    const target = await resolveTarget(webhook.url, settings.allowPrivateWebhookTargets);
    const response = await post(target, body, {
      'content-type': 'application/json',
      'x-genjin-event': delivery.event_type,
      'x-genjin-delivery': delivery.id,
      'x-genjin-signature': signature(webhook.secret, body),
    });
    responseStatus = response.status;
    responseBody = response.body;
    if (response.status < 200 || response.status > 299) error = `the receiver answered ${response.status}`;
  } catch (cause) {
    error = cause instanceof Error ? `${cause.name === 'TargetError' ? 'refused target: the URL ' : ''}${cause.message}` : String(cause);
  }
  const ok = error === null;
  const status: WebhookDeliveryStatus = ok ? 'succeeded' : lastAttempt ? 'dead' : 'failed';
  const now = clock.now();
  const row = await db
    .updateTable('webhook_delivery')
    .set((eb) => ({
      status,
      attempts: eb('attempts', '+', 1),
      response_status: responseStatus,
      response_body: responseBody,
      error,
      duration_ms: Math.round(performance.now() - started),
      delivered_at: ok ? now : null,
      next_attempt_at: null,
    }))
    .where('tenant_id', '=', delivery.tenant_id)
    .where('id', '=', delivery.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ok, delivery: row };
}

export async function findDelivery(db: Kysely<DB>, tenantId: Id | null, id: Id) {
  let query = db.selectFrom('webhook_delivery').selectAll().where('id', '=', id);
  if (tenantId !== null) query = query.where('tenant_id', '=', tenantId);
  const delivery = await query.executeTakeFirst();
  if (!delivery) return null;
  const webhook = await db.selectFrom('webhook').selectAll().where('tenant_id', '=', delivery.tenant_id).where('id', '=', delivery.webhook_id).executeTakeFirstOrThrow();
  return { delivery, webhook };
}
