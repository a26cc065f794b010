import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { PGliteBackend } from './pglite-backend.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { PGliteStatements } from './pglite-statements.ts';
import { DEFAULT_PREPARED_STATEMENTS, preparingPool } from './prepared.ts';
import type { DB } from './schema.ts';

export type Executor = Kysely<DB> | Transaction<DB>;

/** A single database session for work that needs one: migrations and their advisory lock. */
export interface Session {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Runs a script of several statements (no parameters). */
  exec(script: string): Promise<void>;
}

export interface Database {
  readonly kind: 'embedded' | 'postgres';
  /** Where the data lives, safe to print: a directory, or the server URL without its password. */
  readonly location: string;
  readonly db: Kysely<DB>;
  withSession<T>(work: (session: Session) => Promise<T>): Promise<T>;
  /** A copy of the whole embedded database (tests clone a migrated template this way). */
  dump?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL of a server; when absent the embedded database is used. */
  url?: string | undefined;
  /** Directory of the embedded database (ignored with a URL). Absent: in memory. */
  dataDir?: string | undefined;
  /** A dump of an embedded database to start from (tests clone a migrated template this way). */
  loadDump?: Blob | undefined;
  poolSize?: number | undefined;
  /** Named prepared statements kept per connection (the embedded database has one); 0 sends every query unnamed. */
  preparedStatements?: number | undefined;
}

// int8 and numeric stay decimal strings (exact), dates stay 'YYYY-MM-DD' (no time zone games).
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const keepText = (value: string) => value;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url
    ? openPostgres(options.url, options.poolSize ?? 10, options.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS)
    : openEmbedded(options);
}

async function openEmbedded(options: DatabaseOptions): Promise<Database> {
  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = join(options.dataDir, 'pg');
    mkdirSync(dataDir, { recursive: true });
  }
  const backend = await PGliteBackend.start({
    dataDir,
    dump: options.loadDump ? await options.loadDump.arrayBuffer() : undefined,
  });
  const statements = await PGliteStatements.open(backend, options.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS, {
    [INT8]: keepText,
    [NUMERIC]: keepText,
    [DATE]: keepText,
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(statements) });
  return {
    kind: 'embedded',
    location: options.dataDir ?? '(in memory)',
    db,
    withSession: (work) =>
      statements.alone((holder) =>
        work({
          query: async <R>(text: string, params?: unknown[]) => (await statements.query<R>(text, params ?? [], holder)).rows,
          exec: async (script) => {
            await statements.exec(script, holder);
          },
        }),
      ),
    // Behind every statement sent before it, and never inside someone's transaction.
    dump: () => statements.alone(() => backend.dump()),
    close: async () => {
      await db.destroy();
      await backend.close();
    },
  };
}

async function openPostgres(url: string, poolSize: number, preparedStatements: number): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    application_name: 'genjin',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 || oid === NUMERIC || oid === DATE
          ? keepText
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server must not take the process down; the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: preparedStatements > 0 ? preparingPool(pool, preparedStatements) : pool }),
  });
  return {
    kind: 'postgres',
    location: redactUrl(url),
    db,
    withSession: async (work) => {
      const client = await pool.connect();
      try {
        return await work({
          query: async <R>(text: string, params?: unknown[]) =>
            (await client.query(text, params)).rows as R[],
          exec: async (script) => {
            await client.query(script);
          },
        });
      } finally {
        client.release();
      }
    },
    close: async () => {
      await db.destroy();
      // Kysely ends the pool only if it ever used it; sessions may have used it alone.
      if (!pool.ended) await pool.end();
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
