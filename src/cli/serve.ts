import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { systemClock } from '../core/shared/clock.ts';
import { buildHandlers } from '../jobs/handlers.ts';
import { JobRunner } from '../jobs/runner.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { buildServer } from '../server.ts';
import { VERSION } from '../version.ts';

export interface RunningServer {
  app: FastifyInstance;
  runtime: Runtime;
  url: string;
  /** The job runner, unless GENJIN_JOBS=off. */
  jobs: JobRunner | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the server: opens and migrates the database, creates the `default` tenant on the very
 * first start (printing its admin credentials once), and listens.
 */
export async function startServer(config: Config, print: (line: string) => void = console.log): Promise<RunningServer> {
  const runtime = await openRuntime(config, 'genjin serve');
  try {
    if (!(await runtime.services.tenants.hasAny())) {
      const created = await runtime.services.tenants.create({ slug: 'default', name: 'Default' }, 'system');
      print(firstStartBanner(created.admin.login, created.password ?? "", created.token));
    }
    const app = await buildServer({
      database: runtime.database,
      services: runtime.services,
      clock: systemClock,
      bodyLimit: config.bodyLimit,
      logger: { level: config.logLevel },
      version: VERSION,
    });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://localhost:${port}`;
    const jobs = config.jobs
      ? new JobRunner({ db: runtime.database.db, services: runtime.services, clock: systemClock, handlers: buildHandlers(), log: app.log })
      : undefined;
    jobs?.start();
    print(`Genjin ${VERSION} is listening on ${url} (${runtime.database.kind} database: ${runtime.database.location}). API docs: ${url}/docs`);
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        try {
          // Jobs being run finish before the database closes.
          await Promise.all([app.close(), jobs?.stop()]);
        } finally {
          await runtime.close();
        }
      })());
    return { app, runtime, url, jobs, stop };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

function firstStartBanner(login: string, password: string, token: string): string {
  const lines = [
    'First start: created tenant "default" and its administrator.',
    '',
    `  tenant:    default`,
    `  login:     ${login}`,
    `  password:  ${password}`,
    `  API token: ${token}`,
    '',
    'This is the only time the password and token are shown. Keep them somewhere safe.',
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const bar = '='.repeat(width + 4);
  return [bar, ...lines.map((l) => `| ${l.padEnd(width)} |`), bar].join('\n');
}

/** Runs until SIGTERM or SIGINT, then stops accepting, drains in-flight requests and closes the database. */
export async function serveUntilSignalled(config: Config): Promise<void> {
  const server = await startServer(config);
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      server.app.log.info({ signal }, 'shutting down');
      server.stop().then(resolve, (error: unknown) => {
        server.app.log.error({ err: error }, 'error during shutdown');
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
