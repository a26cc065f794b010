import { Cron } from 'croner';
import { sql, type Kysely } from 'kysely';
import { enqueueJob } from '../core/jobs/enqueue.ts';
import type { Clock } from '../core/shared/clock.ts';
import type { Executor } from '../db/database.ts';
import type { DB, Id } from '../db/schema.ts';
import { describeError, silentLogger, type JobLogger } from './log.ts';

export interface ScheduleSpec {
  /** null for a job that belongs to no tenant. */
  tenantId: Id | null;
  /** One schedule per (tenant, kind). */
  kind: string;
  /** Five-field cron expression (minute hour day-of-month month day-of-week). */
  cron: string;
  /** IANA time zone the expression is read in: the tenant's for tenant jobs. */
  timezone: string;
  payload?: Record<string, unknown>;
}

/** The first run of `cron` in `timezone` strictly after `after`. Throws on a bad expression or zone. */
export function nextCronRun(cron: string, timezone: string, after: Date): Date {
  const next = new Cron(cron, { timezone, paused: true }).nextRun(after);
  if (!next) throw new Error(`cron "${cron}" has no run after ${after.toISOString()}`);
  return next;
}

/**
 * Creates or updates the schedule of (tenant, kind). Its next run is recomputed only when the
 * expression or time zone changed, so calling this at every start is harmless; `enabled` is left
 * as an administrator set it.
 */
export async function ensureSchedule(executor: Executor, clock: Clock, spec: ScheduleSpec): Promise<Id> {
  const now = clock.now();
  const nextRunAt = nextCronRun(spec.cron, spec.timezone, now);
  const row = await executor
    .insertInto('job_schedule')
    .values({
      tenant_id: spec.tenantId,
      kind: spec.kind,
      cron: spec.cron,
      timezone: spec.timezone,
      payload: JSON.stringify(spec.payload ?? {}),
      next_run_at: nextRunAt,
      created_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'kind']).doUpdateSet({
        cron: (eb) => eb.ref('excluded.cron'),
        timezone: (eb) => eb.ref('excluded.timezone'),
        payload: (eb) => eb.ref('excluded.payload'),
        next_run_at: sql<Date>`CASE WHEN job_schedule.cron = excluded.cron AND job_schedule.timezone = excluded.timezone
          THEN job_schedule.next_run_at ELSE excluded.next_run_at END`,
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The dedupe key of one scheduled run: two processes ticking at once enqueue it once. */
export const scheduledRunKey = (scheduleId: Id, runAt: Date) => `schedule:${scheduleId}:${runAt.toISOString()}`;

/**
 * Enqueues a job for every enabled schedule that is due and moves each to its next run after
 * now (runs missed while nothing was running collapse into one). Returns how many jobs were
 * enqueued.
 */
export async function tick(db: Kysely<DB>, clock: Clock, options: { limit?: number; log?: JobLogger } = {}): Promise<number> {
  const log = options.log ?? silentLogger;
  const now = clock.now();
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('job_schedule')
      .select(['id', 'tenant_id', 'kind', 'cron', 'timezone', 'payload', 'next_run_at'])
      .where('enabled', '=', true)
      .where('next_run_at', '<=', now)
      .orderBy('next_run_at')
      .orderBy('id')
      .limit(options.limit ?? 100)
      .forUpdate()
      .skipLocked()
      .execute();
    let enqueued = 0;
    for (const schedule of due) {
      let next: Date;
      try {
        next = nextCronRun(schedule.cron, schedule.timezone, now);
      } catch (error) {
        // Only a hand-edited row gets here (ensureSchedule validates); stop it rather than spin.
        log.error({ scheduleId: schedule.id, kind: schedule.kind, err: describeError(error) }, 'job schedule disabled: bad cron or time zone');
        await trx.updateTable('job_schedule').set({ enabled: false }).where('id', '=', schedule.id).execute();
        continue;
      }
      const jobId = await enqueueJob(trx, clock, {
        tenantId: schedule.tenant_id,
        kind: schedule.kind,
        payload: schedule.payload as Record<string, unknown>,
        runAt: schedule.next_run_at,
        dedupeKey: scheduledRunKey(schedule.id, schedule.next_run_at),
      });
      if (jobId !== null) enqueued++;
      await trx.updateTable('job_schedule').set({ next_run_at: next, last_run_at: now }).where('id', '=', schedule.id).execute();
    }
    return enqueued;
  });
}

/** A schedule every tenant gets, read in the tenant's time zone. */
export interface DefaultSchedule {
  kind: string;
  cron: string;
}

export const DEFAULT_SCHEDULES: readonly DefaultSchedule[] = [
  // Recycling runs at night, when nobody is following up; the notices come with the working day.
  { kind: 'pool.recycle', cron: '0 2 * * *' },
  { kind: 'pool.notice', cron: '0 8 * * *' },
  { kind: 'contact_plan.remind', cron: '*/15 * * * *' },
];

/** Schedules of jobs that cover every tenant at once (tenant null), read in UTC. */
export const GLOBAL_SCHEDULES: readonly DefaultSchedule[] = [
  // A sweep for outbox events that no per-event job has dispatched yet.
  { kind: 'webhook.dispatch', cron: '* * * * *' },
];

/**
 * Gives every tenant the default schedules of the given kinds (those with a handler), and moves
 * a schedule to its tenant's time zone when that changed; adds the missing global schedules. Touches only tenants that need it, so
 * the runner calls it at start and now and then for tenants created since.
 */
export async function ensureDefaultSchedules(
  db: Kysely<DB>,
  clock: Clock,
  kinds: readonly string[],
  defaults: readonly DefaultSchedule[] = DEFAULT_SCHEDULES,
  globals: readonly DefaultSchedule[] = GLOBAL_SCHEDULES,
): Promise<number> {
  let changed = 0;
  for (const schedule of globals) {
    if (!kinds.includes(schedule.kind)) continue;
    const existing = await db.selectFrom('job_schedule').select('id').where('tenant_id', 'is', null).where('kind', '=', schedule.kind).executeTakeFirst();
    if (existing) continue;
    await ensureSchedule(db, clock, { tenantId: null, kind: schedule.kind, cron: schedule.cron, timezone: 'UTC' });
    changed++;
  }
  for (const schedule of defaults) {
    if (!kinds.includes(schedule.kind)) continue;
    const tenants = await db
      .selectFrom('tenant as t')
      .leftJoin('job_schedule as s', (join) => join.onRef('s.tenant_id', '=', 't.id').on('s.kind', '=', schedule.kind))
      .select(['t.id', 't.timezone'])
      .where((eb) => eb.or([eb('s.id', 'is', null), eb('s.timezone', '<>', eb.ref('t.timezone'))]))
      .execute();
    for (const tenant of tenants) {
      await ensureSchedule(db, clock, { tenantId: tenant.id, kind: schedule.kind, cron: schedule.cron, timezone: tenant.timezone });
      changed++;
    }
  }
  return changed;
}
