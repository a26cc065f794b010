import { Command, Option } from 'commander';
import { loadConfig, type ConfigFlags } from '../config.ts';
import { isDomainError } from '../core/shared/errors.ts';
import { DataDirInUseError } from '../db/data-dir-lock.ts';
import { migrate } from '../db/migrate.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { VERSION } from '../version.ts';
import { resolveDemoOptions, type DemoOptions } from '../core/demo/demo.types.ts';
import { describeResult, parseCount, parseSeed, parseTime, progressReporter } from './demo.ts';
import { runChecks } from './doctor.ts';
import { serveUntilSignalled } from './serve.ts';
import { jobJson, jobTable, parseJobStatus, parseLimit } from './jobs.ts';
import { workUntilSignalled } from './worker.ts';
import { listJobs, retryJob } from '../jobs/admin.ts';
import { systemClock } from '../core/shared/clock.ts';
import type { JobStatus } from '../db/schema.ts';

const program = new Command('genjin')
  .description('Genjin: a self-hosted CRM server built around the customer follow-up (跟进记录).')
  .version(VERSION)
  .showHelpAfterError()
  .addHelpText(
    'after',
    '\nEvery command uses the embedded database in --data (default ./data, or GENJIN_DATA_DIR),\nor the PostgreSQL server in DATABASE_URL when that is set.',
  );

const dataOption = () => new Option('--data <dir>', 'embedded database directory (env GENJIN_DATA_DIR; default ./data)');

/** Opens the database for one command, runs it, and closes it whatever happens. */
async function withRuntime<T>(flags: ConfigFlags, purpose: string, work: (runtime: Runtime) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const runtime = await openRuntime(loadConfig(flags), purpose, options);
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

program
  .command('serve')
  .description('Start the HTTP server (creates tenant "default" on the first start)')
  .option('--port <port>', 'port to listen on (env PORT; default 8080)')
  .option('--host <host>', 'address to bind (env HOST; default 0.0.0.0)')
  .addOption(dataOption())
  .action(async (flags: ConfigFlags) => serveUntilSignalled(loadConfig(flags)));

program
  .command('migrate')
  .description('Apply pending database migrations (the server also does this at start-up)')
  .addOption(dataOption())
  .action((flags: ConfigFlags) =>
    withRuntime(
      flags,
      'genjin migrate',
      async ({ database }) => {
        const applied = await migrate(database);
        console.log(applied.length ? `Applied ${applied.join(', ')}.` : 'Nothing to migrate: the database is up to date.');
      },
      { migrate: false },
    ),
  );

const tenant = program.command('tenant').description('Manage tenants');
tenant
  .command('create <slug>')
  .description('Create a tenant with an admin user and an API token')
  .option('--name <name>', 'display name (default: the slug)')
  .option('--timezone <zone>', 'IANA time zone (default Asia/Shanghai)')
  .option('--admin-login <login>', 'admin login (default admin)')
  .option('--admin-password <password>', 'admin password (default: generated and printed)')
  .option('--json', 'print one JSON object: {"tenant":{id,slug,name},"admin":{id,login},"token"}')
  .addOption(dataOption())
  .action((slug: string, flags: ConfigFlags & { name?: string; timezone?: string; adminLogin?: string; adminPassword?: string; json?: boolean }) =>
    withRuntime(flags, 'genjin tenant create', async ({ services }) => {
      const created = await services.tenants.create(
        {
          slug,
          name: flags.name,
          timezone: flags.timezone,
          adminLogin: flags.adminLogin,
          // --json prints no password, so none is generated: the admin uses the token and may set one
          // with PATCH /api/v1/users/{id} (no current password needed for a first one).
          adminPassword: flags.adminPassword ?? (flags.json ? null : undefined),
        },
        'cli',
      );
      if (flags.json) {
        console.log(
          JSON.stringify({
            tenant: { id: created.tenant.id, slug: created.tenant.slug, name: created.tenant.name },
            admin: { id: created.admin.id, login: created.admin.login },
            token: created.token,
          }),
        );
        return;
      }
      console.log(`Created tenant "${created.tenant.slug}" (id ${created.tenant.id}, ${created.tenant.timezone}).`);
      console.log(`  admin login: ${created.admin.login}`);
      if (!flags.adminPassword) console.log(`  password:    ${created.password}`);
      console.log(`  API token:   ${created.token}`);
      console.log('The token is shown only this once.');
    }),
  );

program
  .command('user')
  .description('Manage users')
  .command('create')
  .description('Create a user in a tenant')
  .requiredOption('--tenant <slug>', 'tenant slug')
  .requiredOption('--login <login>', 'login name')
  .option('--name <name>', 'display name (default: the login)')
  .option('--password <password>', 'password (default: the user can only use API tokens until one is set)')
  .option('--role <code>', 'role code: admin, manager, sales or one you created (default sales)')
  .option('--job-number <number>', 'job number (工号)')
  .addOption(dataOption())
  .action((flags: ConfigFlags & { tenant: string; login: string; name?: string; password?: string; role?: string; jobNumber?: string }) =>
    withRuntime(flags, 'genjin user create', async ({ services }) => {
      const ctx = await services.tenants.adminContext(flags.tenant, 'cli');
      const user = await services.users.create(ctx, {
        login: flags.login,
        name: flags.name,
        password: flags.password,
        roleCode: flags.role,
        jobNumber: flags.jobNumber,
      });
      console.log(`Created user "${user.login}" (id ${user.id}) in tenant "${flags.tenant}".`);
    }),
  );

const token = program.command('token').description('Manage API tokens');
token
  .command('create')
  .description('Create an API token for a user; prints only the token')
  .requiredOption('--tenant <slug>', 'tenant slug')
  .requiredOption('--user <login>', "the token owner's login")
  .option('--name <name>', 'what the token is for', 'cli')
  .addOption(dataOption())
  .action((flags: ConfigFlags & { tenant: string; user: string; name: string }) =>
    withRuntime(flags, 'genjin token create', async ({ services }) => {
      const ctx = await services.tenants.adminContext(flags.tenant, 'cli');
      const owner = await services.users.getByLogin(ctx, flags.user);
      const issued = await services.auth.createToken(ctx, { name: flags.name, userId: owner.id });
      console.log(issued.token);
    }),
  );
token
  .command('revoke <tokenOrId>')
  .description('Revoke a token, given as the token itself or as its id')
  .requiredOption('--tenant <slug>', 'tenant slug')
  .addOption(dataOption())
  .action((tokenOrId: string, flags: ConfigFlags & { tenant: string }) =>
    withRuntime(flags, 'genjin token revoke', async ({ services }) => {
      const ctx = await services.tenants.adminContext(flags.tenant, 'cli');
      const revoked = /^\d+$/.test(tokenOrId) ? await services.auth.revokeToken(ctx, tokenOrId) : await services.auth.revokeByValue(ctx, tokenOrId);
      console.log(`Revoked token ${revoked.id} (${revoked.token_prefix}…, "${revoked.name}").`);
    }),
  );

program
  .command('doctor')
  .description('Check the database: connectivity, migrations, pg_trgm, and Chinese text search')
  .addOption(dataOption())
  .action((flags: ConfigFlags) =>
    withRuntime(
      flags,
      'genjin doctor',
      async ({ database }) => {
        const checks = await runChecks(database);
        for (const check of checks) {
          console.log(`${check.ok ? 'ok  ' : check.warning ? 'WARN' : 'FAIL'}  ${check.name}: ${check.detail}`);
        }
        if (checks.some((c) => !c.ok && !c.warning)) process.exitCode = 1;
      },
      { migrate: false },
    ),
  );

program
  .command('demo')
  .description('Fill a tenant with realistic demo data (created when missing; it must hold no customers yet)')
  .option('--tenant <slug>', 'tenant slug', 'default')
  .option('--customers <n>', 'customers (default 1,000)', parseCount('--customers'))
  .option('--follow-ups <n>', 'follow-ups (default 10 per customer)', parseCount('--follow-ups'))
  .option('--contacts <n>', 'contacts (default 1 per 5 customers)', parseCount('--contacts'))
  .option('--plans <n>', 'contact plans (default 1 per 2 customers)', parseCount('--plans'))
  .option('--opportunities <n>', 'opportunities (default 1 per 10 customers)', parseCount('--opportunities'))
  .option('--visit-reports <n>', 'visit reports (default 1 per 100 follow-ups)', parseCount('--visit-reports'))
  .option('--users <n>', 'sales users (default 20)', parseCount('--users'))
  .option('--departments <n>', 'departments (default 1 per 4 users, at most 30)', parseCount('--departments'))
  .option('--seed <n>', 'random seed: the same seed gives the same data (default 1)', parseSeed)
  .option('--now <time>', 'generate around this time instead of the current one (ISO 8601)', parseTime)
  .addOption(dataOption())
  .action((flags: ConfigFlags & Partial<DemoOptions>) =>
    withRuntime(flags, 'genjin demo', async ({ services }) => {
      const options = resolveDemoOptions(flags);
      const progress = progressReporter();
      try {
        const result = await services.demo.generate(options, (p) => progress.update(p));
        progress.done();
        for (const line of describeResult(options, result)) console.log(line);
      } catch (error) {
        progress.done();
        throw error;
      }
    }),
  );

program
  .command('worker')
  .description('Run background jobs without the HTTP server, until SIGTERM or SIGINT (the embedded database only when no server uses --data)')
  .option('--concurrency <n>', 'jobs run at once (default 1)', parseLimit)
  .addOption(dataOption())
  .action((flags: ConfigFlags & { concurrency?: number }) => workUntilSignalled(loadConfig(flags), { concurrency: flags.concurrency }));

const jobs = program.command('jobs').description('Show and re-run background jobs');
jobs
  .command('list')
  .description('List jobs, most recent first')
  .option('--status <status>', 'pending, running, done or dead', parseJobStatus)
  .option('--kind <kind>', 'job kind, e.g. pool.recycle')
  .option('--limit <n>', 'at most this many (default 50)', parseLimit)
  .option('--json', 'print a JSON array')
  .addOption(dataOption())
  .action((flags: ConfigFlags & { status?: JobStatus; kind?: string; limit?: number; json?: boolean }) =>
    withRuntime(flags, 'genjin jobs list', async ({ database }) => {
      const rows = await listJobs(database.db, { status: flags.status, kind: flags.kind, limit: flags.limit });
      if (flags.json) console.log(JSON.stringify(rows.map(jobJson)));
      else for (const line of jobTable(rows)) console.log(line);
    }),
  );
jobs
  .command('retry <id>')
  .description('Run a dead or pending job again now, with its attempts reset')
  .addOption(dataOption())
  .action((id: string, flags: ConfigFlags) =>
    withRuntime(flags, 'genjin jobs retry', async ({ database }) => {
      const job = await retryJob(database.db, systemClock, id);
      console.log(`Job ${job.id} (${job.kind}) is pending again and runs at the next poll.`);
    }),
  );

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (isDomainError(error) || error instanceof DataDirInUseError) {
    console.error(`error: ${error.message}`);
  } else {
    console.error(`error: ${(error as Error).message ?? error}`);
    if (process.env.GENJIN_DEBUG) console.error(error);
  }
  process.exitCode = 1;
}
