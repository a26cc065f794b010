import type { Executor } from '../../db/database.ts';
import type { Id } from '../../db/schema.ts';
import type { EventSource } from '../events/outbox.ts';

export interface NewNotification {
  userId: Id;
  /** e.g. contact_plan.due, pool.recycle_notice */
  kind: string;
  title: string;
  body?: string | null;
  entity?: string | null;
  entityId?: Id | null;
  /** Identifies the event: the same key never notifies twice (e.g. `plan:42:2026-11-21T10:00Z`). */
  dedupeKey: string;
}

/** Creates notifications, skipping any whose dedupe key was already used. Returns how many were new. */
export async function notify(executor: Executor, source: EventSource, notifications: readonly NewNotification[]): Promise<number> {
  if (notifications.length === 0) return 0;
  const now = source.clock.now();
  const rows = await executor
    .insertInto('notification')
    .values(
      notifications.map((n) => ({
        tenant_id: source.tenant.id,
        user_id: n.userId,
        kind: n.kind,
        title: n.title,
        body: n.body ?? null,
        entity: n.entity ?? null,
        entity_id: n.entityId ?? null,
        dedupe_key: n.dedupeKey,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['tenant_id', 'dedupe_key']).doNothing())
    .returning('id')
    .execute();
  return rows.length;
}
