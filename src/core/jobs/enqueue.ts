import type { Executor } from '../../db/database.ts';
import type { Id } from '../../db/schema.ts';
import type { Clock } from '../shared/clock.ts';

export interface NewJob {
  tenantId: Id | null;
  /** The handler that runs it, e.g. `pool.recycle`, `webhook.deliver`. */
  kind: string;
  payload?: Record<string, unknown>;
  /** Default: now. */
  runAt?: Date;
  maxAttempts?: number;
  /** A job with the same key is enqueued once; later attempts are ignored. */
  dedupeKey?: string;
}

/**
 * Enqueues a job. Called with the transaction of the change that calls for it, the job exists
 * exactly when the change does. Returns the job id, or null when the dedupe key was taken.
 */
export async function enqueueJob(executor: Executor, clock: Clock, job: NewJob): Promise<Id | null> {
  const now = clock.now();
  const row = await executor
    .insertInto('job')
    .values({
      tenant_id: job.tenantId,
      kind: job.kind,
      payload: JSON.stringify(job.payload ?? {}),
      run_at: job.runAt ?? now,
      max_attempts: job.maxAttempts ?? 5,
      dedupe_key: job.dedupeKey ?? null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}
