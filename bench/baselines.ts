import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import type { Database, Executor } from '../src/db/database.ts';
import { isNameable, statementName } from '../src/db/prepared.ts';
import type { Statement } from './capture.ts';

/** What one request sent to the database, in order; `transaction` wraps it as the service did. */
export interface Replay {
  statements: Statement[];
  transaction: boolean;
}

/** Runs statements on one connection. */
type Run = (sql: string, parameters: readonly unknown[]) => Promise<unknown>;

/** Sends one request's statements, as the server sent them. */
type Replayer = (replay: Replay) => Promise<void>;

const onConnection =
  (run: Run): Replayer =>
  async (replay) => {
    if (replay.transaction) await run('BEGIN', []);
    for (const s of replay.statements) await run(s.sql, s.parameters);
    if (replay.transaction) await run('COMMIT', []);
  };

/** Requests per second, and the 99th percentile of one request's time in milliseconds. */
export interface RawSql {
  rps: number;
  p99Ms: number;
}

/** One loop per connection (or caller), each cycling through the replays until the deadline. */
async function loop(connections: Replayer[], replays: Replay[], seconds: number): Promise<RawSql> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const times: number[] = [];
  await Promise.all(
    connections.map(async (replayOne, worker) => {
      for (let i = worker; performance.now() < deadline; i++) {
        const t = performance.now();
        await replayOne(replays[i % replays.length]!);
        times.push(performance.now() - t);
      }
    }),
  );
  times.sort((a, b) => a - b);
  const p99 = times[Math.min(times.length - 1, Math.ceil(times.length * 0.99) - 1)] ?? 0;
  return { rps: times.length / ((performance.now() - started) / 1000), p99Ms: Math.round(p99 * 10) / 10 };
}

/**
 * The database's limit for a scenario: the same statements the endpoint issued, sent through `pg`
 * at the same concurrency (PostgreSQL), or through the embedded database in this process, at the
 * same concurrency and as the server sends them: each statement sent at once, a transaction
 * holding the database to itself. The p99 says whether a latency budget is within the database's
 * reach at that concurrency at all.
 */
export async function rawSql(
  target: { url?: string | undefined },
  database: Database,
  replays: Replay[],
  concurrency: number,
  warmupSeconds: number,
  durationSeconds: number,
): Promise<RawSql | null> {
  if (replays.length === 0) return null;
  if (!target.url) {
    const send = (executor: Executor): Run => (sql, parameters) => executor.executeQuery(CompiledQuery.raw(sql, [...parameters]));
    const embedded: Replayer = (replay) =>
      replay.transaction
        ? database.db.transaction().execute((trx) => onConnection(send(trx))({ ...replay, transaction: false }))
        : onConnection(send(database.db))(replay);
    const callers = Array.from({ length: concurrency }, () => embedded);
    await loop(callers, replays, warmupSeconds);
    return loop(callers, replays, durationSeconds);
  }
  const clients = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      return client;
    }),
  );
  try {
    // Named as the server names them (src/db/prepared.ts), unless it is told not to, so that both
    // parse and plan a statement alike.
    const preparing = loadConfig({}, process.env).preparedStatements > 0;
    const named = (sql: string) => preparing && isNameable(sql);
    const runs = clients.map((client) =>
      onConnection((sql, parameters) =>
        client.query(named(sql) ? { name: statementName(sql), text: sql, values: [...parameters] } : { text: sql, values: [...parameters] }),
      ),
    );
    await loop(runs, replays, warmupSeconds);
    return await loop(runs, replays, durationSeconds);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

const planLine = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

export interface Explained {
  sql: string;
  ms: number;
  plan: string;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of every statement of one request, inside a transaction that is
 * rolled back (writes included), slowest execution first: the first is the scenario's main query.
 */
export async function explainAll(database: Database, replay: Replay): Promise<Explained[]> {
  return database.withSession(async (session) => {
    const out: Explained[] = [];
    await session.query('BEGIN');
    try {
      for (const s of replay.statements) {
        // A statement that is itself an EXPLAIN (an estimated count) is shown as it is.
        const text = /^\s*explain\b/i.test(s.sql) ? s.sql : `EXPLAIN (ANALYZE, BUFFERS) ${s.sql}`;
        await session.query('SAVEPOINT explained');
        try {
          const rows = await session.query<Record<string, unknown>>(text, [...s.parameters]);
          const plan = rows.map((r) => planLine(Object.values(r)[0])).join('\n');
          out.push({ sql: s.sql, ms: Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? 0), plan });
          await session.query('RELEASE SAVEPOINT explained');
        } catch (error) {
          await session.query('ROLLBACK TO SAVEPOINT explained');
          out.push({ sql: s.sql, ms: 0, plan: `(not explained: ${error instanceof Error ? error.message : String(error)})` });
        }
      }
    } finally {
      await session.query('ROLLBACK');
    }
    return out.sort((a, b) => b.ms - a.ms);
  });
}
