import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/core/jobs/enqueue.ts';
import { createServices, type Services } from '../../src/core/services.ts';
import { fixedClock } from '../../src/core/shared/clock.ts';
import type { Database } from '../../src/db/database.ts';
import { JobRunner, retryDelayMs, type JobRunnerOptions } from '../../src/jobs/runner.ts';
import type { JobHandler } from '../../src/jobs/types.ts';
import { backend, openTestDatabase } from '../helpers/database.ts';

const START = '2026-03-01T00:00:00.000Z';
const SECOND = 1000;

let database: Database;
let services: Services;
let clock: ReturnType<typeof fixedClock>;

beforeAll(async () => {
  database = await openTestDatabase();
  services = createServices(database.db);
});
afterAll(async () => {
  await database?.close();
});
beforeEach(async () => {
  clock = fixedClock(START);
  await sql`DELETE FROM job`.execute(database.db);
});

function runner(handlers: Record<string, JobHandler>, options: Partial<JobRunnerOptions> = {}) {
  return new JobRunner({ db: database.db, services, clock, handlers, schedules: false, ...options });
}

const enqueue = (kind: string, options: { maxAttempts?: number; payload?: Record<string, unknown>; dedupeKey?: string } = {}) =>
  enqueueJob(database.db, clock, { tenantId: null, kind, ...options });

const job = (id: string | null) => database.db.selectFrom('job').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();

describe('job runner', () => {
  it('runs a due job once and marks it done', async () => {
    const seen: unknown[] = [];
    const id = await enqueue('test.ok', { payload: { n: 1 } });

    const ran = await runner({ 'test.ok': async (j, ctx) => void seen.push({ ...j, now: ctx.clock.now().toISOString() }) }).runDue();

    expect(ran).toBe(1);
    expect(seen).toEqual([{ id, tenantId: null, kind: 'test.ok', payload: { n: 1 }, attempt: 1, runAt: new Date(START), now: START }]);
    expect(await job(id)).toMatchObject({ status: 'done', attempts: 1, finished_at: new Date(START), locked_by: null, locked_until: null });
    expect(await runner({ 'test.ok': async () => {} }).runDue()).toBe(0);
  });

  it('does not run a job before its run_at', async () => {
    const id = await enqueueJob(database.db, clock, { tenantId: null, kind: 'test.ok', runAt: new Date(Date.parse(START) + 10 * SECOND) });
    const r = runner({ 'test.ok': async () => {} });

    expect(await r.runDue()).toBe(0);
    clock.advance(10 * SECOND);
    expect(await r.runDue()).toBe(1);
    expect((await job(id)).status).toBe('done');
  });

  it('retries a failing job with backoff, then marks it dead after its last attempt', async () => {
    const id = await enqueue('test.fail', { maxAttempts: 3 });
    let calls = 0;
    const r = runner({
      'test.fail': async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
    });

    expect(await r.runDue()).toBe(1);
    expect(await job(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'Error: boom 1', run_at: new Date(Date.parse(START) + 30 * SECOND), finished_at: null });

    clock.advance(29 * SECOND);
    expect(await r.runDue()).toBe(0);
    clock.advance(1 * SECOND);
    expect(await r.runDue()).toBe(1);
    expect(await job(id)).toMatchObject({ status: 'pending', attempts: 2, last_error: 'Error: boom 2', run_at: new Date(Date.parse(START) + 90 * SECOND) });

    clock.advance(60 * SECOND);
    expect(await r.runDue()).toBe(1);
    expect(await job(id)).toMatchObject({ status: 'dead', attempts: 3, last_error: 'Error: boom 3', finished_at: clock.now() });
    clock.advance(3600 * SECOND);
    expect(await r.runDue()).toBe(0);
    expect(calls).toBe(3);
  });

  it('doubles the retry delay from 30 s up to one hour', () => {
    expect([1, 2, 3, 4, 7, 8, 20].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000, 1_920_000, 3_600_000, 3_600_000]);
  });

  it('marks a job of an unknown kind dead at once, naming the kind', async () => {
    const id = await enqueue('test.nobody', { maxAttempts: 5 });

    expect(await runner({}).runDue()).toBe(1);
    expect(await job(id)).toMatchObject({ status: 'dead', attempts: 1, last_error: 'no handler for job kind "test.nobody"' });
  });

  it('keeps running other jobs when one throws', async () => {
    const bad = await enqueue('test.fail');
    const good = await enqueue('test.ok');
    const r = runner({
      'test.fail': async () => {
        throw new TypeError('cannot read x');
      },
      'test.ok': async () => {},
    });

    expect(await r.runDue()).toBe(1);
    expect(await r.runDue()).toBe(1);
    expect(await job(bad)).toMatchObject({ status: 'pending', last_error: 'TypeError: cannot read x' });
    expect((await job(good)).status).toBe('done');
  });

  it('enqueues a job once per dedupe key', async () => {
    const first = await enqueue('test.ok', { dedupeKey: 'once' });
    const second = await enqueue('test.ok', { dedupeKey: 'once' });

    expect(first).not.toBeNull();
    expect(second).toBeNull();
    expect(await database.db.selectFrom('job').select('id').where('dedupe_key', '=', 'once').execute()).toHaveLength(1);
  });

  it('re-runs a job whose worker stopped once its lease has expired, and ignores the late outcome of the first worker', async () => {
    const id = await enqueue('test.slow', { maxAttempts: 3 });
    let release!: () => void;
    let started!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const startedOnce = new Promise<void>((resolve) => (started = resolve));
    const stuck = runner(
      {
        'test.slow': async () => {
          started();
          await gate;
          throw new Error('the first worker gives up late');
        },
      },
      { workerId: 'stuck', leaseMs: 60 * SECOND },
    );
    const stuckRun = stuck.runDue();
    await startedOnce;
    expect(await job(id)).toMatchObject({ status: 'running', attempts: 1, locked_by: 'stuck', locked_until: new Date(Date.parse(START) + 60 * SECOND) });

    const rescuer = runner({ 'test.slow': async () => {} }, { workerId: 'rescuer', leaseMs: 60 * SECOND });
    expect(await rescuer.runDue()).toBe(0);
    clock.advance(61 * SECOND);
    expect(await rescuer.runDue()).toBe(1);
    expect(await job(id)).toMatchObject({ status: 'done', attempts: 2 });

    release();
    expect(await stuckRun).toBe(1);
    expect(await job(id)).toMatchObject({ status: 'done', attempts: 2, last_error: null });
  });

  it('marks dead a job whose worker stopped during its last attempt', async () => {
    const id = await enqueue('test.ok', { maxAttempts: 1 });
    await database.db
      .updateTable('job')
      .set({ status: 'running', attempts: 1, locked_by: 'killed', locked_until: new Date(Date.parse(START) + 60 * SECOND) })
      .where('id', '=', id!)
      .execute();
    const r = runner({ 'test.ok': async () => {} });

    expect(await r.runDue()).toBe(0);
    clock.advance(61 * SECOND);
    expect(await r.runDue()).toBe(0);
    expect(await job(id)).toMatchObject({ status: 'dead', attempts: 1, last_error: expect.stringContaining('lease expired') });
  });

  it('polls in the background from start() until stop(), which waits for the running job', async () => {
    const id = await enqueue('test.ok');
    let finished = false;
    const r = runner(
      {
        'test.ok': async () => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          finished = true;
        },
      },
      { pollMs: 5 },
    );
    r.start();
    while ((await job(id)).status === 'pending') await new Promise((resolve) => setTimeout(resolve, 5));
    await r.stop();

    expect(finished).toBe(true);
    expect((await job(id)).status).toBe('done');
  });

  it('keeps other jobs moving in the free slots while a long job runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = await enqueue('test.slow');
    const quick = await Promise.all([1, 2, 3].map(() => enqueue('test.quick')));
    const r = runner({ 'test.slow': () => gate, 'test.quick': async () => {} }, { concurrency: 2, pollMs: 5 });
    r.start();
    const statuses = async () => (await database.db.selectFrom('job').select('status').where('id', 'in', quick as string[]).execute()).map((j) => j.status);
    while (!(await statuses()).every((s) => s === 'done')) await new Promise((resolve) => setTimeout(resolve, 5));

    expect((await job(slow)).status).toBe('running');
    const stopped = r.stop();
    release();
    await stopped;
    expect((await job(slow)).status).toBe('done');
  });

  it.skipIf(backend() !== 'postgres')('never runs a job twice when two runners claim at the same time', async () => {
    const ids = await Promise.all(Array.from({ length: 120 }, (_, i) => enqueue('test.count', { payload: { i } })));
    const calls = new Map<string, number>();
    const count: JobHandler = async (j) => {
      calls.set(j.id, (calls.get(j.id) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
    };
    const drain = async (r: JobRunner) => {
      let total = 0;
      for (let ran = -1; ran !== 0; total += ran) ran = Math.max(0, await r.runDue(4));
      return total;
    };

    const [a, b] = await Promise.all([drain(runner({ 'test.count': count }, { workerId: 'a' })), drain(runner({ 'test.count': count }, { workerId: 'b' }))]);

    expect(a + b).toBe(120);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(calls.size).toBe(120);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    const statuses = await database.db.selectFrom('job').select('status').where('id', 'in', ids as string[]).execute();
    expect(statuses.every((s) => s.status === 'done')).toBe(true);
  });
});
