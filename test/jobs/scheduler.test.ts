import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/core/services.ts';
import { fixedClock } from '../../src/core/shared/clock.ts';
import type { Database } from '../../src/db/database.ts';
import { JobRunner } from '../../src/jobs/runner.ts';
import { DEFAULT_SCHEDULES, ensureDefaultSchedules, ensureSchedule, nextCronRun, tick } from '../../src/jobs/scheduler.ts';
import type { RunningJob } from '../../src/jobs/types.ts';
import { openTestDatabase } from '../helpers/database.ts';

let database: Database;
let services: Services;
let clock: ReturnType<typeof fixedClock>;
let tenantId: string;

beforeAll(async () => {
  database = await openTestDatabase();
  services = createServices(database.db);
  tenantId = (await services.tenants.create({ slug: 'sched', adminPassword: null }, 'system')).tenant.id;
});
afterAll(async () => {
  await database?.close();
});
beforeEach(async () => {
  clock = fixedClock('2026-01-01T00:00:00.000Z');
  await sql`DELETE FROM job`.execute(database.db);
  await sql`DELETE FROM job_schedule`.execute(database.db);
});

const schedule = (id: string) => database.db.selectFrom('job_schedule').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const jobs = () => database.db.selectFrom('job').selectAll().orderBy('id').execute();

describe('job scheduler', () => {
  it('reads a cron expression in the schedule’s time zone', async () => {
    const id = await ensureSchedule(database.db, clock, { tenantId, kind: 'test.daily', cron: '0 2 * * *', timezone: 'Asia/Shanghai' });

    // 02:00 in Shanghai (UTC+8) is 18:00 UTC the day before; in Berlin's summer (UTC+2), 00:00 UTC.
    expect((await schedule(id)).next_run_at).toEqual(new Date('2026-01-01T18:00:00.000Z'));
    expect(nextCronRun('0 2 * * *', 'Europe/Berlin', new Date('2026-06-30T12:00:00Z'))).toEqual(new Date('2026-07-01T00:00:00.000Z'));
  });

  it('keeps the next run when ensured again unchanged, and recomputes it when the expression changes', async () => {
    const id = await ensureSchedule(database.db, clock, { tenantId, kind: 'test.daily', cron: '0 2 * * *', timezone: 'Asia/Shanghai' });
    clock.advance(20 * 3600_000);

    expect(await ensureSchedule(database.db, clock, { tenantId, kind: 'test.daily', cron: '0 2 * * *', timezone: 'Asia/Shanghai' })).toBe(id);
    expect((await schedule(id)).next_run_at).toEqual(new Date('2026-01-01T18:00:00.000Z'));

    await ensureSchedule(database.db, clock, { tenantId, kind: 'test.daily', cron: '30 3 * * *', timezone: 'Asia/Shanghai' });
    expect((await schedule(id)).next_run_at).toEqual(new Date('2026-01-02T19:30:00.000Z'));
  });

  it('refuses a bad cron expression or time zone', async () => {
    await expect(ensureSchedule(database.db, clock, { tenantId, kind: 'test.bad', cron: 'every day', timezone: 'UTC' })).rejects.toThrow(/cron|pattern/i);
    await expect(ensureSchedule(database.db, clock, { tenantId, kind: 'test.bad', cron: '0 2 * * *', timezone: 'Mars/Olympus' })).rejects.toThrow();
  });

  it('enqueues a due schedule once when two ticks run at the same time, and moves it to its next run', async () => {
    const id = await ensureSchedule(database.db, clock, { tenantId, kind: 'test.daily', cron: '0 2 * * *', timezone: 'Asia/Shanghai', payload: { a: 1 } });
    expect(await tick(database.db, clock)).toBe(0);

    clock.set('2026-01-01T18:00:05.000Z');
    const enqueued = await Promise.all([tick(database.db, clock), tick(database.db, clock), tick(database.db, clock)]);

    expect(enqueued.reduce((a, b) => a + b, 0)).toBe(1);
    const [job, ...others] = await jobs();
    expect(others).toHaveLength(0);
    expect(job).toMatchObject({
      tenant_id: tenantId,
      kind: 'test.daily',
      payload: { a: 1 },
      status: 'pending',
      run_at: new Date('2026-01-01T18:00:00.000Z'),
      dedupe_key: `schedule:${id}:2026-01-01T18:00:00.000Z`,
    });
    expect(await schedule(id)).toMatchObject({ next_run_at: new Date('2026-01-02T18:00:00.000Z'), last_run_at: new Date('2026-01-01T18:00:05.000Z') });
  });

  it('collapses runs missed while nothing was running into one', async () => {
    const id = await ensureSchedule(database.db, clock, { tenantId, kind: 'test.often', cron: '*/15 * * * *', timezone: 'Asia/Shanghai' });
    clock.set('2026-01-01T03:07:00.000Z');

    expect(await tick(database.db, clock)).toBe(1);
    expect(await tick(database.db, clock)).toBe(0);
    expect((await schedule(id)).next_run_at).toEqual(new Date('2026-01-01T03:15:00.000Z'));
  });

  it('skips a disabled schedule', async () => {
    const id = await ensureSchedule(database.db, clock, { tenantId, kind: 'test.often', cron: '*/15 * * * *', timezone: 'UTC' });
    await database.db.updateTable('job_schedule').set({ enabled: false }).where('id', '=', id).execute();
    clock.advance(3600_000);

    expect(await tick(database.db, clock)).toBe(0);
  });

  it('gives every tenant the default schedules of the kinds with a handler, in its time zone, once', async () => {
    const later = (await services.tenants.create({ slug: `sched-ny-${Date.now()}`, timezone: 'America/New_York', adminPassword: null }, 'system')).tenant.id;
    const kinds = DEFAULT_SCHEDULES.map((s) => s.kind);

    const made = await ensureDefaultSchedules(database.db, clock, ['pool.recycle']);
    const rows = await database.db.selectFrom('job_schedule').selectAll().orderBy('tenant_id').execute();

    expect(kinds).toContain('pool.recycle');
    expect(rows.every((r) => r.kind === 'pool.recycle' && r.cron === '0 2 * * *')).toBe(true);
    expect(rows.find((r) => r.tenant_id === tenantId)).toMatchObject({ timezone: 'Asia/Shanghai', next_run_at: new Date('2026-01-01T18:00:00.000Z') });
    expect(rows.find((r) => r.tenant_id === later)).toMatchObject({ timezone: 'America/New_York', next_run_at: new Date('2026-01-01T07:00:00.000Z') });
    expect(made).toBe(rows.length);
    expect(await ensureDefaultSchedules(database.db, clock, ['pool.recycle'])).toBe(0);

    await database.db.updateTable('tenant').set({ timezone: 'UTC' }).where('id', '=', later).execute();
    expect(await ensureDefaultSchedules(database.db, clock, ['pool.recycle'])).toBe(1);
    const moved = await database.db.selectFrom('job_schedule').selectAll().where('tenant_id', '=', later).executeTakeFirstOrThrow();
    expect(moved).toMatchObject({ timezone: 'UTC', next_run_at: new Date('2026-01-01T02:00:00.000Z') });
  });

  it('adds a global schedule (no tenant, UTC) once, for a kind with a handler', async () => {
    expect(await ensureDefaultSchedules(database.db, clock, ['webhook.dispatch'])).toBe(1);
    expect(await ensureDefaultSchedules(database.db, clock, ['webhook.dispatch'])).toBe(0);

    const rows = await database.db.selectFrom('job_schedule').selectAll().execute();
    expect(rows).toEqual([expect.objectContaining({ tenant_id: null, kind: 'webhook.dispatch', timezone: 'UTC', next_run_at: new Date('2026-01-01T00:01:00.000Z') })]);
  });

  it('runs a scheduled job through the runner', async () => {
    await ensureSchedule(database.db, clock, { tenantId, kind: 'test.often', cron: '*/15 * * * *', timezone: 'Asia/Shanghai', payload: { p: 'x' } });
    const seen: RunningJob[] = [];
    const runner = new JobRunner({ db: database.db, services, clock, handlers: { 'test.often': async (job) => void seen.push(job) } });

    clock.set('2026-01-01T00:15:00.000Z');
    expect(await runner.tick()).toBe(1);
    expect(await runner.runDue()).toBe(1);

    expect(seen).toEqual([{ id: expect.any(String), tenantId, kind: 'test.often', payload: { p: 'x' }, attempt: 1, runAt: new Date('2026-01-01T00:15:00.000Z') }]);
    expect((await jobs())[0]!.status).toBe('done');
  });
});
