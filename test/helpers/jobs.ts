import type { Id } from '../../src/db/schema.ts';
import type { JobHandler, RunningJob } from '../../src/jobs/types.ts';
import type { Harness } from './harness.ts';

/** Runs a job handler directly, as the runner would, without a job row behind it. */
export function runJob(h: Harness, handler: JobHandler, job: { tenantId: Id | null; kind: string; payload?: Record<string, unknown>; attempt?: number; id?: Id }) {
  const running: RunningJob = { id: job.id ?? '0', tenantId: job.tenantId, kind: job.kind, payload: job.payload ?? {}, attempt: job.attempt ?? 1, runAt: h.clock.now() };
  return handler(running, { db: h.database.db, services: h.services, clock: h.clock });
}
