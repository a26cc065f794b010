import type { FastifyInstance, InjectOptions } from 'fastify';
import {
  PostgresQueryCompiler,
  type CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { createServices, type Services } from '../src/core/services.ts';
import { systemClock } from '../src/core/shared/clock.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { buildServer } from '../src/server.ts';
import type { Target } from './data.ts';

/** One SQL statement as the server sent it. */
export interface Statement {
  sql: string;
  parameters: readonly unknown[];
}

/**
 * Records the SQL each query sends while switched on: the raw-SQL baseline replays exactly the
 * statements an endpoint issued, and EXPLAIN runs on them. Kysely hands plugins every subquery
 * too, under its own query id; only a query that comes back with a result was sent, so a
 * statement is logged when its result arrives.
 */
class QueryRecorder implements KyselyPlugin {
  private readonly compiler = new PostgresQueryCompiler();
  private readonly pending = new Map<string, Statement>();
  private log: Statement[] | null = null;

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.log) {
      const compiled: CompiledQuery = this.compiler.compileQuery(args.node, args.queryId);
      this.pending.set(args.queryId.queryId, { sql: compiled.sql, parameters: compiled.parameters });
    }
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const statement = this.pending.get(args.queryId.queryId);
    if (statement && this.log) this.log.push(statement);
    return args.result;
  }

  async record<T>(work: () => Promise<T>): Promise<{ result: T; statements: Statement[] }> {
    const log: Statement[] = [];
    this.log = log;
    try {
      return { result: await work(), statements: log };
    } finally {
      this.log = null;
      this.pending.clear();
    }
  }
}

/** The server's code path in this process, over the benchmark database, with its SQL recorded. */
export interface InProcess {
  database: Database;
  services: Services;
  app: FastifyInstance;
  /** An API token of the main tenant's administrator, minted for this run. */
  token: string;
  tenantId: string;
  inject(request: InjectOptions): Promise<{ status: number; body: string }>;
  /** Sends the request and returns the statements it issued. */
  capture(request: InjectOptions): Promise<{ status: number; body: string; statements: Statement[] }>;
  close(): Promise<void>;
}

export async function openInProcess(target: Target, tenantSlug: string, poolSize: number): Promise<InProcess> {
  const database = await openDatabase({ url: target.url, dataDir: target.dataDir, poolSize });
  await migrate(database);
  const recorder = new QueryRecorder();
  const services = createServices(database.db.withPlugin(recorder));
  const app = await buildServer({ database, services, clock: systemClock, bodyLimit: 1024 * 1024, logger: false, version: 'bench' });
  await app.ready();
  const admin = await services.tenants.adminContext(tenantSlug, 'cli');
  const adminUser = await database.db
    .selectFrom('app_user')
    .select('id')
    .where('tenant_id', '=', admin.tenant.id)
    .where('login', '=', 'admin')
    .executeTakeFirstOrThrow();
  const { token } = await services.auth.createToken(admin, { name: `bench ${new Date().toISOString()}`, userId: adminUser.id });
  const inject = async (request: InjectOptions) => {
    const response = await app.inject(request);
    return { status: response.statusCode, body: response.body };
  };
  return {
    database,
    services,
    app,
    token,
    tenantId: admin.tenant.id,
    inject,
    capture: async (request) => {
      const { result, statements } = await recorder.record(() => inject(request));
      return { ...result, statements };
    },
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
