import type { Executor } from '../../db/database.ts';
import type { Id } from '../../db/schema.ts';
import type { RequestContext } from '../shared/context.ts';

/** Every event a webhook can subscribe to. */
export const EVENT_TYPES = [
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'follow_up.created',
  'follow_up.updated',
  'follow_up.deleted',
  'contact_plan.due',
  'pool.released',
  'pool.recycled',
  'pool.claimed',
  'pool.assigned',
  'opportunity.created',
  'opportunity.updated',
  'opportunity.deleted',
  'contract.created',
  'contract.updated',
  'contract.deleted',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface EventSource {
  tenant: { id: Id };
  clock: RequestContext['clock'];
}

/**
 * Records a domain event in the outbox. Call it with the transaction of the change itself:
 * the event then exists exactly when the change does, and delivery happens later, from a job.
 */
export async function emitEvent(executor: Executor, source: EventSource, type: EventType, entityId: Id | null, data: Record<string, unknown>): Promise<void> {
  await executor
    .insertInto('outbox_event')
    .values({ tenant_id: source.tenant.id, type, entity_id: entityId, data: JSON.stringify(data), occurred_at: source.clock.now() })
    .execute();
}
