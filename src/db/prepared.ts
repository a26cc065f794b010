import { createHash } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/**
 * Each prepared statement holds its parse tree and plans in the server process of its connection:
 * measured, 30–60 KB for a short statement, about 200 KB for the largest (a page of follow-ups with
 * its names and dictionary items). The benchmark's eight request scenarios send about 40 distinct
 * statements between them; a hundred leaves room for the rest of a day's work in a few megabytes.
 */
export const DEFAULT_PREPARED_STATEMENTS = 100;

/**
 * Named prepared statements on a PostgreSQL pool.
 *
 * Kysely sends every query as an unnamed statement, so the server parses and plans it on every
 * call. A customer's follow-up page spends more time being planned (about 5 ms) than executed
 * (about 1.3 ms). Sending the same text under a name derived from it lets each connection parse
 * it once and, after PostgreSQL's first five custom plans, reuse a generic plan when that is not
 * costlier (`plan_cache_mode`).
 *
 * - Only SELECT, INSERT, UPDATE, DELETE and WITH statements are named; EXPLAIN, transaction
 *   control and DDL stay unnamed, so an estimate read from EXPLAIN is planned for its values.
 * - Searches (a LIKE or an array match on a parameter) stay unnamed: see VALUE_DECIDES_PLAN.
 * - A connection keeps at most `limit` statements. The statement past the limit runs unnamed, and
 *   the connection is closed when it goes back to the pool; the pool opens a fresh one.
 * - A statement the server no longer has (DISCARD ALL) or whose result columns changed under it
 *   (a migration by another process) closes the connection too. Outside a transaction the query
 *   is retried once, unnamed; inside one the error is the caller's, as the transaction is lost.
 */
export function preparingPool(pool: pg.Pool, limit: number): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PreparingClient>();
  return {
    Client: (pool as unknown as { Client: PostgresPool['Client'] }).Client,
    options: pool.options,
    connect: async () => {
      const client = await pool.connect();
      let preparing = clients.get(client);
      if (!preparing) clients.set(client, (preparing = new PreparingClient(client, limit)));
      return preparing;
    },
    end: () => pool.end(),
  };
}

const NAMEABLE = /^\s*(select|insert|update|delete|with)\b/i;
/**
 * A pattern or array match against a parameter (LIKE, ILIKE, @>, <@, &&). How many rows it keeps
 * decides the plan, and a generic plan cannot know: after five searches for 公司 (most customers),
 * PostgreSQL settled on walking customers newest first, and a search for a name 55 customers
 * hold then read 417,140 rows (605 ms, against 1.9 ms planned for its value).
 */
const VALUE_DECIDES_PLAN = /\b(?:i?like)\s+\$\d|(?:@>|<@|&&)\s*\$\d/i;

/**
 * Whether a statement is worth preparing: a query or a data change, not EXPLAIN or DDL, and not
 * one whose plan must follow its values.
 */
export const isNameable = (text: string): boolean => NAMEABLE.test(text) && !VALUE_DECIDES_PLAN.test(text);

const BEGINS = /^\s*(begin|start transaction)\b/i;
const ENDS = /^\s*(commit|end|rollback|abort)\s*(;|$|and\b|work\b|transaction\b)/i;

/** The server's copy of a named statement is gone (26000) or no longer fits its tables (0A000). */
export function isStale(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === '26000' || (code === '0A000' && /cached plan/.test(message ?? ''));
}

/** The statement's name on the server: a digest of its text, well under the 63-byte limit. */
export function statementName(text: string): string {
  return `g_${createHash('sha1').update(text).digest('base64url')}`;
}

class PreparingClient implements PostgresPoolClient {
  /** Statement text → its name, for the statements this connection has been asked to prepare. */
  readonly #names = new Map<string, string>();
  #inTransaction = false;
  #retire = false;

  constructor(
    readonly client: pg.PoolClient,
    readonly limit: number,
  ) {}

  get processID(): number | undefined {
    return (this.client as unknown as { processID?: number }).processID;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query(sqlOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>): unknown {
    if (typeof sqlOrCursor !== 'string') return this.client.query(sqlOrCursor as unknown as pg.Submittable);
    return this.#run(sqlOrCursor, parameters ?? []);
  }

  async #run(text: string, parameters: ReadonlyArray<unknown>): Promise<pg.QueryResult> {
    const values = parameters as unknown[];
    if (BEGINS.test(text)) this.#inTransaction = true;
    else if (ENDS.test(text)) this.#inTransaction = false;
    const name = this.#nameFor(text);
    if (!name) return this.client.query(text, values);
    try {
      return await this.client.query({ name, text, values });
    } catch (error) {
      if (!isStale(error)) throw error;
      this.#retire = true;
      if (this.#inTransaction) throw error;
      return this.client.query(text, values);
    }
  }

  #nameFor(text: string): string | undefined {
    if (this.#retire) return undefined;
    // A statement already named was nameable; only new text pays for the checks and the digest.
    const known = this.#names.get(text);
    if (known) return known;
    if (!isNameable(text)) return undefined;
    if (this.#names.size >= this.limit) {
      this.#retire = true;
      return undefined;
    }
    const name = statementName(text);
    this.#names.set(text, name);
    return name;
  }

  release(destroy?: boolean): void {
    this.client.release(destroy || this.#retire);
  }
}
