import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/cli/serve.ts';
import { loadConfig } from '../../src/config.ts';
import { enqueueJob } from '../../src/core/jobs/enqueue.ts';
import { systemClock } from '../../src/core/shared/clock.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { cliBackend, runCli, spawnCli, type CliBackend } from '../helpers/cli.ts';

// Spawning `genjin` costs a second or more each, so the file keeps one database whose jobs
// carry over from test to test.
describe('genjin jobs and worker', { timeout: 120_000 }, () => {
  let backend: CliBackend;
  const genjin = (...args: string[]) => runCli([...args, ...backend.args], backend.env);
  const ids: { dead?: string; done?: string } = {};

  async function withRuntime<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
    const runtime = await openRuntime(backend.config, 'test');
    try {
      return await work(runtime);
    } finally {
      await runtime.close();
    }
  }
  const jobById = (runtime: Runtime, id: string) => runtime.database.db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    backend = await cliBackend('jobs');
    await withRuntime(async ({ database }) => {
      const db = database.db;
      ids.dead = (await enqueueJob(db, systemClock, { tenantId: null, kind: 'test.broken', maxAttempts: 2 }))!;
      ids.done = (await enqueueJob(db, systemClock, { tenantId: null, kind: 'test.finished' }))!;
      await db.updateTable('job').set({ status: 'dead', attempts: 2, last_error: 'Error: it broke' }).where('id', '=', ids.dead).execute();
      await db.updateTable('job').set({ status: 'done', attempts: 1 }).where('id', '=', ids.done).execute();
    });
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  it('reads GENJIN_JOBS as on or off', () => {
    expect(loadConfig({}, {}).jobs).toBe(true);
    expect(loadConfig({}, { GENJIN_JOBS: 'off' }).jobs).toBe(false);
    expect(() => loadConfig({}, { GENJIN_JOBS: 'sometimes' })).toThrow(/GENJIN_JOBS must be on or off/);
  });

  it('jobs list --status dead --json prints the dead jobs', async () => {
    const result = await genjin('jobs', 'list', '--status', 'dead', '--json');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual([
      expect.objectContaining({ id: ids.dead, kind: 'test.broken', status: 'dead', attempts: 2, maxAttempts: 2, lastError: 'Error: it broke', tenantId: null }),
    ]);
  });

  it('jobs retry makes a dead job pending again with its attempts reset', async () => {
    const result = await genjin('jobs', 'retry', ids.dead!);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`Job ${ids.dead} (test.broken) is pending again`);
    await withRuntime(async (runtime) => {
      expect(await jobById(runtime, ids.dead!)).toMatchObject({ status: 'pending', attempts: 0, finished_at: null });
      expect((await jobById(runtime, ids.done!)).status).toBe('done');
    });
  });

  it('jobs retry refuses a done job, naming its status', async () => {
    const result = await genjin('jobs', 'retry', ids.done!);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`job ${ids.done} is done; only dead or pending jobs can be retried`);
  });

  it('genjin worker runs due jobs until SIGTERM', async () => {
    const child = spawnCli(['worker', ...backend.args], backend.env);
    let stdout = '';
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not run the job\nstdout: ${stdout}\nstderr: ${stderr}`)), 60_000);
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('job has no handler')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');

    expect(await exited).toBe(0);
    expect(stdout).toContain('job runner stopped');
    await withRuntime(async (runtime) => {
      expect(await jobById(runtime, ids.dead!)).toMatchObject({ status: 'dead', attempts: 1, last_error: 'no handler for job kind "test.broken"' });
    });
  });

  it('genjin serve runs the job runner unless GENJIN_JOBS=off', async () => {
    const off = await startServer({ ...backend.config, jobs: false }, () => {});
    expect(off.jobs).toBeUndefined();
    await off.stop();

    const on = await startServer(backend.config, () => {});
    try {
      expect(on.jobs).toBeDefined();
      const id = (await enqueueJob(on.runtime.database.db, systemClock, { tenantId: null, kind: 'test.served' }))!;
      const deadline = Date.now() + 30_000;
      let status = 'pending';
      // Claimed (running) and then settled (dead) by separate statements: wait past both.
      while ((status === 'pending' || status === 'running') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await jobById(on.runtime, id)).status;
      }
      expect(status).toBe('dead');
    } finally {
      await on.stop();
    }
  });
});
