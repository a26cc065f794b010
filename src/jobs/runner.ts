import { hostname } from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { Services } from '../core/services.ts';
import { systemClock, type Clock } from '../core/shared/clock.ts';
import type { DB, Id } from '../db/schema.ts';
import { describeError, silentLogger, type JobLogger } from './log.ts';
import { ensureDefaultSchedules, tick } from './scheduler.ts';
import type { JobContext, JobHandler, RunningJob } from './types.ts';

export interface JobRunnerOptions {
  db: Kysely<DB>;
  services: Services;
  clock?: Clock;
  /** By job kind. A job of a kind not listed here is marked dead. */
  handlers: Record<string, JobHandler>;
  /** Written to `job.locked_by`; default `<host>:<pid>`. */
  workerId?: string;
  /** Jobs claimed and run at once (default 1). */
  concurrency?: number;
  /** Pause between polls when nothing was due (default 1 s). */
  pollMs?: number;
  /** How long a claim holds before another worker may take the job over (default 5 min). */
  leaseMs?: number;
  log?: JobLogger;
  /** Whether the loop also runs recurring schedules (default true). */
  schedules?: boolean;
}

const MINUTE = 60_000;
/** How often the loop looks for tenants created since it started, to give them the default schedules. */
const DEFAULT_SCHEDULES_EVERY_MS = MINUTE;

/**
 * Delay before retry `attempt + 1` after attempt `attempt` failed: 30 s · 2^(attempt − 1),
 * at most one hour (30 s, 1 min, 2 min, 4 min, … 1 h).
 */
export function retryDelayMs(attempt: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 60 * MINUTE);
}

interface ClaimedRow {
  id: Id;
  tenant_id: Id | null;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
  run_at: Date;
}

type ClaimedJob = RunningJob & { maxAttempts: number };

/**
 * Runs the jobs in the `job` table. Several runners (in several processes) may share a database:
 * claims use FOR UPDATE SKIP LOCKED, so each job is run by one of them, and a job whose runner
 * died is taken over once its lease has expired.
 */
export class JobRunner {
  private readonly db: Kysely<DB>;
  private readonly clock: Clock;
  private readonly handlers: Record<string, JobHandler>;
  private readonly context: JobContext;
  private readonly log: JobLogger;
  readonly workerId: string;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly schedules: boolean;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private lastDefaultSchedules = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: JobRunnerOptions) {
    this.db = options.db;
    this.clock = options.clock ?? systemClock;
    this.handlers = options.handlers;
    this.context = { db: options.db, services: options.services, clock: this.clock };
    this.log = options.log ?? silentLogger;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}`;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.pollMs = options.pollMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 5 * MINUTE;
    this.schedules = options.schedules ?? true;
  }

  /** Starts polling in the background. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Stops polling and waits for the jobs being run to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Gives every tenant its default schedules, for the kinds this runner has handlers for. */
  async ensureDefaultSchedules(): Promise<number> {
    this.lastDefaultSchedules = Date.now();
    return ensureDefaultSchedules(this.db, this.clock, Object.keys(this.handlers));
  }

  /** Enqueues the jobs of due schedules. */
  tick(): Promise<number> {
    return tick(this.db, this.clock, { log: this.log });
  }

  /** Claims up to `limit` due jobs, runs them side by side and returns how many ran. */
  async runDue(limit = this.concurrency): Promise<number> {
    await this.buryAbandoned();
    const jobs = await this.claim(limit);
    await Promise.all(jobs.map((job) => this.execute(job)));
    return jobs.length;
  }

  /**
   * The loop: keeps up to `concurrency` jobs running, claiming more as slots free up, and
   * otherwise polls every `pollMs`.
   */
  private async run(): Promise<void> {
    this.log.info({ workerId: this.workerId, concurrency: this.concurrency }, 'job runner started');
    let lastTick = 0;
    while (!this.stopping) {
      const free = this.concurrency - this.inFlight.size;
      if (free > 0) {
        try {
          if (this.schedules && Date.now() - lastTick >= this.pollMs) {
            lastTick = Date.now();
            if (lastTick - this.lastDefaultSchedules >= DEFAULT_SCHEDULES_EVERY_MS) await this.ensureDefaultSchedules();
            await this.tick();
          }
          await this.buryAbandoned();
          for (const job of await this.claim(free)) this.track(this.execute(job));
        } catch (error) {
          // The database may be restarting: say so and try again after the pause.
          this.log.error({ err: describeError(error) }, 'job runner poll failed');
        }
      }
      if (!this.stopping) await this.pause();
    }
    await Promise.all(this.inFlight);
    this.log.info({ workerId: this.workerId }, 'job runner stopped');
  }

  private track(running: Promise<void>): void {
    const tracked: Promise<void> = running
      .catch((error: unknown) => this.log.error({ err: describeError(error) }, 'job outcome not recorded'))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Waits for the poll interval, a job to finish (a slot to free up), or stop(). */
  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wake = done;
      for (const running of this.inFlight) void running.then(done);
    });
  }

  /**
   * A job whose runner died during its last allowed attempt is dead, not run again: the attempt
   * may be what killed the runner.
   */
  private async buryAbandoned(): Promise<void> {
    const now = this.clock.now();
    await this.db
      .updateTable('job')
      .set({
        status: 'dead',
        last_error: 'the worker running the last attempt stopped before finishing (lease expired)',
        locked_until: null,
        locked_by: null,
        finished_at: now,
        updated_at: now,
      })
      .where('status', '=', 'running')
      .where('locked_until', '<', now)
      .whereRef('attempts', '>=', 'max_attempts')
      .execute();
  }

  private async claim(limit: number): Promise<ClaimedJob[]> {
    const now = this.clock.now();
    const lockedUntil = new Date(now.getTime() + this.leaseMs);
    const { rows } = await sql<ClaimedRow>`
      UPDATE job
         SET status = 'running', attempts = attempts + 1, locked_until = ${lockedUntil}, locked_by = ${this.workerId}, updated_at = ${now}
       WHERE id IN (
               SELECT id FROM job
                WHERE (status = 'pending' AND run_at <= ${now}) OR (status = 'running' AND locked_until < ${now})
                ORDER BY run_at, id
                LIMIT ${limit}
                  FOR UPDATE SKIP LOCKED)
      RETURNING id, tenant_id, kind, payload, attempts, max_attempts, run_at`.execute(this.db);
    return rows.map(toClaimedJob).sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const { maxAttempts, ...running } = job;
    const handler = Object.hasOwn(this.handlers, job.kind) ? this.handlers[job.kind] : undefined;
    if (!handler) {
      this.log.error({ jobId: job.id, kind: job.kind }, 'job has no handler');
      await this.finish(job, { status: 'dead', error: `no handler for job kind "${job.kind}"` });
      return;
    }
    const heartbeat = setInterval(() => void this.extendLease(job).catch(() => {}), this.leaseMs / 3);
    heartbeat.unref();
    let failure: { error: unknown } | undefined;
    try {
      await handler(running, this.context);
    } catch (error) {
      failure = { error };
    } finally {
      clearInterval(heartbeat);
    }
    if (!failure) {
      await this.finish(job, { status: 'done' });
      this.log.debug({ jobId: job.id, kind: job.kind, attempt: job.attempt }, 'job done');
      return;
    }
    const message = describeError(failure.error);
    if (job.attempt < maxAttempts) {
      const runAt = new Date(this.clock.now().getTime() + retryDelayMs(job.attempt));
      this.log.warn({ jobId: job.id, kind: job.kind, attempt: job.attempt, retryAt: runAt, err: message }, 'job failed; will retry');
      await this.finish(job, { status: 'pending', error: message, runAt });
    } else {
      this.log.error({ jobId: job.id, kind: job.kind, attempt: job.attempt, err: message }, 'job failed for the last time');
      await this.finish(job, { status: 'dead', error: message });
    }
  }

  /** Keeps a long job from being taken over while it is still running. */
  private async extendLease(job: ClaimedJob): Promise<void> {
    const lockedUntil = new Date(this.clock.now().getTime() + this.leaseMs);
    await this.db
      .updateTable('job')
      .set({ locked_until: lockedUntil })
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .where('locked_by', '=', this.workerId)
      .where('attempts', '=', job.attempt)
      .execute();
  }

  /**
   * Records the outcome, unless the claim was lost meanwhile (the lease expired and another
   * runner took the job over): then that runner's outcome is the one that counts.
   */
  private async finish(job: ClaimedJob, outcome: { status: 'done' | 'dead' | 'pending'; error?: string; runAt?: Date }): Promise<void> {
    const now = this.clock.now();
    const result = await this.db
      .updateTable('job')
      .set({
        status: outcome.status,
        locked_until: null,
        locked_by: null,
        updated_at: now,
        ...(outcome.error !== undefined ? { last_error: outcome.error } : {}),
        ...(outcome.runAt ? { run_at: outcome.runAt } : {}),
        ...(outcome.status === 'pending' ? {} : { finished_at: now }),
      })
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .where('locked_by', '=', this.workerId)
      .where('attempts', '=', job.attempt)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) this.log.warn({ jobId: job.id, kind: job.kind }, 'job was taken over by another worker before it finished');
  }
}

function toClaimedJob(row: ClaimedRow): ClaimedJob {
  return {
    maxAttempts: row.max_attempts,
    id: String(row.id),
    tenantId: row.tenant_id === null ? null : String(row.tenant_id),
    kind: row.kind,
    payload: row.payload ?? {},
    attempt: row.attempts,
    runAt: new Date(row.run_at),
  };
}
