import type { Config } from '../config.ts';
import { systemClock } from '../core/shared/clock.ts';
import { buildHandlers } from '../jobs/handlers.ts';
import type { JobLogger } from '../jobs/log.ts';
import { JobRunner } from '../jobs/runner.ts';
import { openRuntime } from '../runtime.ts';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** JSON lines on stdout, like the server's pino output, from `level` up (`silent`: nothing). */
export function lineLogger(level: string): JobLogger {
  const threshold = level === 'silent' ? Infinity : Math.max(0, LEVELS.indexOf(level));
  const at =
    (name: string) =>
    (fields: object, message?: string): void => {
      if (LEVELS.indexOf(name) < threshold) return;
      console.log(JSON.stringify({ level: name, time: new Date().toISOString(), ...fields, msg: message }));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * Runs the job runner alone, without the HTTP server, until SIGTERM or SIGINT; then lets the jobs
 * being run finish and closes the database.
 */
export async function workUntilSignalled(config: Config, options: { concurrency?: number } = {}): Promise<void> {
  const runtime = await openRuntime(config, 'genjin worker');
  const log = lineLogger(config.logLevel);
  const runner = new JobRunner({
    db: runtime.database.db,
    services: runtime.services,
    clock: systemClock,
    handlers: buildHandlers(),
    concurrency: options.concurrency,
    log,
  });
  runner.start();
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'shutting down');
      runner
        .stop()
        .catch((error: unknown) => {
          log.error({ err: String(error) }, 'error during shutdown');
          process.exitCode = 1;
        })
        .finally(() => runtime.close().then(resolve, resolve));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
