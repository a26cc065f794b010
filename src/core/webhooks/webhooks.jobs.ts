import { sql } from 'kysely';
import type { Id } from '../../db/schema.ts';
import type { JobHandler } from '../../jobs/types.ts';
import { enqueueJob } from '../jobs/enqueue.ts';
import { inTransaction } from '../shared/rows.ts';
import { attemptDelivery, findDelivery } from './delivery.ts';

export const DISPATCH_BATCH = 100;
/** A run stops after this many batches and leaves the rest to the next run, so it stays short. */
const MAX_BATCHES = 50;
/** Attempts per delivery (the runner's backoff spaces them out over about two hours). */
export const DELIVERY_ATTEMPTS = 8;

/**
 * `webhook.dispatch`: turns undispatched outbox events (of the job's tenant, or of all tenants for
 * a job without one) into one delivery per matching active subscription, each with its
 * `webhook.deliver` job, and marks the events dispatched: one transaction per batch, events taken
 * in id order with SKIP LOCKED so two dispatchers share the work instead of doubling it. Running
 * it again finds nothing left; a crash mid-batch rolls the whole batch back.
 */
export const webhookDispatchJob: JobHandler = async (job, { db, clock }) => {
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const handled = await inTransaction(db, async (trx) => {
      let pending = trx.selectFrom('outbox_event').select(['tenant_id', 'id']).where('dispatched_at', 'is', null);
      if (job.tenantId !== null) pending = pending.where('tenant_id', '=', job.tenantId);
      const events = await pending.orderBy('id').limit(DISPATCH_BATCH).forUpdate().skipLocked().execute();
      if (events.length === 0) return 0;
      const ids = events.map((e) => e.id);
      const now = clock.now();
      // A subscription matches an event by its exact type, by `<prefix>.*`, or by `*`.
      const deliveries = await sql<{ tenant_id: Id; id: Id }>`
        INSERT INTO webhook_delivery (tenant_id, webhook_id, event_id, event_type, created_at, next_attempt_at)
        SELECT e.tenant_id, w.id, e.id, e.type, ${now}, ${now}
          FROM outbox_event e
          JOIN webhook w ON w.tenant_id = e.tenant_id AND w.is_active
           AND (e.type = ANY (w.events) OR '*' = ANY (w.events) OR split_part(e.type, '.', 1) || '.*' = ANY (w.events))
         WHERE e.id = ANY (${ids}::bigint[])
         ORDER BY e.id, w.id
            ON CONFLICT (tenant_id, webhook_id, event_id) DO NOTHING
        RETURNING tenant_id, id`.execute(trx);
      for (const delivery of deliveries.rows) {
        await enqueueJob(trx, clock, {
          tenantId: delivery.tenant_id,
          kind: 'webhook.deliver',
          payload: { deliveryId: delivery.id },
          maxAttempts: DELIVERY_ATTEMPTS,
          dedupeKey: `delivery:${delivery.id}`,
        });
      }
      await trx.updateTable('outbox_event').set({ dispatched_at: now }).where('id', 'in', ids).where('dispatched_at', 'is', null).execute();
      return events.length;
    });
    if (handled < DISPATCH_BATCH) return;
  }
};

/**
 * `webhook.deliver` (payload `{ deliveryId }`): one attempt at one delivery. A 2xx marks it
 * succeeded; anything else is recorded and thrown, so the runner retries with backoff, and the
 * last attempt marks it dead. A delivery already succeeded or dead, or whose subscription was
 * deleted, is left alone, so running the job again is harmless.
 */
export const webhookDeliverJob: JobHandler = async (job, { db, clock }) => {
  const deliveryId = String(job.payload.deliveryId ?? '');
  if (!/^\d+$/.test(deliveryId)) throw new Error(`webhook.deliver needs a deliveryId, got ${JSON.stringify(job.payload.deliveryId)}`);
  const found = await findDelivery(db, job.tenantId, deliveryId);
  if (!found || found.delivery.status === 'succeeded' || found.delivery.status === 'dead') return;
  if (!found.webhook.is_active) {
    await db
      .updateTable('webhook_delivery')
      .set({ status: 'dead', error: 'the webhook was deactivated before this delivery succeeded', next_attempt_at: null })
      .where('tenant_id', '=', found.delivery.tenant_id)
      .where('id', '=', deliveryId)
      .execute();
    return;
  }
  const jobRow = await db.selectFrom('job').select('max_attempts').where('id', '=', job.id).executeTakeFirst();
  const lastAttempt = job.attempt >= (jobRow?.max_attempts ?? DELIVERY_ATTEMPTS);
  const outcome = await attemptDelivery(db, clock, found.webhook, found.delivery, lastAttempt);
  if (!outcome.ok) throw new Error(`webhook delivery ${deliveryId} failed: ${outcome.delivery.error}`);
};
