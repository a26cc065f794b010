import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../core/shared/clock.ts';
import { conflict, notFound } from '../core/shared/errors.ts';
import type { DB, Id, JobStatus, JobTable } from '../db/schema.ts';

export type JobRow = Selectable<JobTable>;

export const JOB_STATUSES: readonly JobStatus[] = ['pending', 'running', 'done', 'dead'];

export interface JobFilter {
  status?: JobStatus | undefined;
  kind?: string | undefined;
  limit?: number | undefined;
}

/** The most recent jobs first, for `genjin jobs list`. */
export async function listJobs(db: Kysely<DB>, filter: JobFilter = {}): Promise<JobRow[]> {
  let query = db.selectFrom('job').selectAll().orderBy('id', 'desc').limit(filter.limit ?? 50);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  return query.execute();
}

/**
 * Runs a dead or pending job again as soon as a runner polls, with a fresh count of attempts.
 * A running job is left to its runner, and a done one stays done.
 */
export async function retryJob(db: Kysely<DB>, clock: Clock, id: Id): Promise<JobRow> {
  if (!/^\d{1,19}$/.test(id)) throw notFound('job', id);
  const now = clock.now();
  const row = await db
    .updateTable('job')
    .set({ status: 'pending', attempts: 0, run_at: now, locked_until: null, locked_by: null, finished_at: null, updated_at: now })
    .where('id', '=', id)
    .where('status', 'in', ['dead', 'pending'])
    .returningAll()
    .executeTakeFirst();
  if (row) return row;
  const existing = await db.selectFrom('job').select('status').where('id', '=', id).executeTakeFirst();
  if (!existing) throw notFound('job', id);
  throw conflict('job_not_retryable', `job ${id} is ${existing.status}; only dead or pending jobs can be retried`);
}
