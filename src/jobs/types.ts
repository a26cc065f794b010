import type { Kysely } from 'kysely';
import type { Services } from '../core/services.ts';
import type { Clock } from '../core/shared/clock.ts';
import type { DB, Id } from '../db/schema.ts';

/** A claimed job, as its handler sees it. */
export interface RunningJob {
  id: Id;
  tenantId: Id | null;
  kind: string;
  payload: Record<string, unknown>;
  /** 1 on the first run. */
  attempt: number;
  runAt: Date;
}

export interface JobContext {
  db: Kysely<DB>;
  services: Services;
  clock: Clock;
}

/**
 * Runs one job. Throwing makes the job retry with backoff, and after its last attempt it is
 * marked dead. Handlers must be safe to run again: a worker may die after the work is done
 * but before the job is marked done.
 */
export type JobHandler = (job: RunningJob, context: JobContext) => Promise<void>;
