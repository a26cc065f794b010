import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { adminUrl, createPostgresDatabase } from '../../test/helpers/cli.ts';
import { loadConfig } from '../config.ts';
import { openDatabase, type Database } from './database.ts';
import { DEFAULT_PREPARED_STATEMENTS, statementName } from './prepared.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh PostgreSQL database behind a pool of one connection, so every query shares a session. */
async function onePooled(preparedStatements?: number): Promise<Database> {
  const created = await createPostgresDatabase(adminUrl()!, 'prep');
  cleanups.push(() => created.drop());
  const database = await openDatabase({ url: created.url, poolSize: 1, preparedStatements });
  cleanups.push(() => database.close());
  return database;
}

async function embedded(preparedStatements?: number): Promise<Database> {
  const database = await openDatabase({ preparedStatements });
  cleanups.push(() => database.close());
  return database;
}

/** The statements the session holds, leaving out the query that lists them. */
async function prepared(database: Database): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements order by statement`.execute(database.db);
  return rows.map((r) => r.statement).filter((s) => !s.includes('pg_prepared_statements'));
}

async function backend(database: Database): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db);
  return rows[0]!.pid;
}

describe('DATABASE_PREPARED_STATEMENTS', () => {
  it('defaults to 100, accepts 0 (off) and refuses anything but a count', () => {
    expect(loadConfig({}, {}).preparedStatements).toBe(DEFAULT_PREPARED_STATEMENTS);
    expect(DEFAULT_PREPARED_STATEMENTS).toBe(100);
    expect(loadConfig({}, { DATABASE_PREPARED_STATEMENTS: '0' }).preparedStatements).toBe(0);
    expect(loadConfig({}, { DATABASE_PREPARED_STATEMENTS: '50' }).preparedStatements).toBe(50);
    for (const bad of ['-1', '2.5', 'many']) {
      expect(() => loadConfig({}, { DATABASE_PREPARED_STATEMENTS: bad })).toThrow(
        `DATABASE_PREPARED_STATEMENTS must be 0 or a positive integer, got "${bad}"`,
      );
    }
  });
});

// A pool replaces a connection whose statement went stale; the embedded database has one, and
// parses the statement again on it.
const databases = [
  { kind: 'PostgreSQL', open: onePooled, skip: !adminUrl(), replaces: true },
  { kind: 'the embedded database', open: embedded, skip: false, replaces: false },
];

describe.each(databases)('named prepared statements on $kind', ({ open, skip, replaces }) => {
  /** After a statement went stale: a new connection, or the statement parsed again on the same one. */
  async function expectRecovered(database: Database, before: number) {
    if (replaces) expect(await backend(database)).not.toBe(before);
    else {
      expect(await backend(database)).toBe(before);
      expect(await prepared(database)).toContain('select * from t');
    }
  }

  it.skipIf(skip)('prepares a statement once, named after its text, and answers as before', async () => {
    const database = await open();
    const query = sql<{ n: number }>`select ${41}::int + 1 as n`;
    const text = query.compile(database.db).sql;
    expect((await query.execute(database.db)).rows).toEqual([{ n: 42 }]);
    expect((await sql<{ n: number }>`select ${1}::int + 1 as n`.execute(database.db)).rows).toEqual([{ n: 2 }]);
    const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements where statement = ${text}`.execute(database.db);
    expect(rows).toEqual([{ name: statementName(text) }]);
  });

  it.skipIf(skip)('leaves EXPLAIN, transaction control, DDL and searches unnamed', async () => {
    const database = await open();
    await sql`create table t (a int)`.execute(database.db);
    await sql`explain select * from t where a = ${1}`.execute(database.db);
    await sql`select * from t where a::text like ${'1%'} or a::text ILIKE ${'2%'}`.execute(database.db);
    await sql`select * from t where array[a] @> ${[1]}::int[] or array[a] && ${[2]}::int[]`.execute(database.db);
    await database.db.transaction().execute(async (trx) => {
      await sql`insert into t values (${1})`.execute(trx);
    });
    expect(await prepared(database)).toEqual(['insert into t values ($1)']);
  });

  it.skipIf(skip)('sends every query unnamed when set to 0', async () => {
    const database = await open(0);
    await sql`select 1`.execute(database.db);
    expect(await prepared(database)).toEqual([]);
  });

  it.skipIf(skip)('runs a statement whose result columns changed under it again, outside a transaction', async () => {
    const database = await open();
    await sql`create table t (a int)`.execute(database.db);
    await sql`insert into t values (1)`.execute(database.db);
    const before = await backend(database);
    expect((await sql`select * from t`.execute(database.db)).rows).toEqual([{ a: 1 }]);
    await sql`alter table t add column b int`.execute(database.db);
    expect((await sql`select * from t`.execute(database.db)).rows).toEqual([{ a: 1, b: null }]);
    await expectRecovered(database, before);
  });

  it.skipIf(skip)('inside a transaction, reports the changed statement, which works again after', async () => {
    const database = await open();
    await sql`create table t (a int)`.execute(database.db);
    await sql`select * from t`.execute(database.db);
    await sql`alter table t add column b int`.execute(database.db);
    const before = await backend(database);
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`insert into t values (${2})`.execute(trx);
        await sql`select * from t`.execute(trx);
      }),
    ).rejects.toThrow(/cached plan must not change result type/);
    expect((await sql`select count(*)::int as n from t`.execute(database.db)).rows).toEqual([{ n: 0 }]);
    expect((await sql`select * from t`.execute(database.db)).rows).toEqual([]);
    await expectRecovered(database, before);
  });
});

describe.skipIf(!adminUrl())('named prepared statements on PostgreSQL', () => {
  it('keeps at most the configured number per connection, replacing a connection that reached it', async () => {
    const database = await onePooled(2);
    const first = await backend(database);
    await sql`select 1`.execute(database.db);
    expect(await backend(database)).toBe(first);
    // The third statement runs unnamed, and its connection is closed when it is released.
    expect((await sql<{ n: number }>`select 2 as n`.execute(database.db)).rows).toEqual([{ n: 2 }]);
    const second = await backend(database);
    expect(second).not.toBe(first);
    expect(await prepared(database)).toEqual(['select pg_backend_pid() as pid']);
  });

});

describe('named prepared statements on the embedded database', () => {
  it('converts parameters as node-pg does, and reads results with the embedded parsers', async () => {
    const database = await embedded();
    const at = new Date('2026-11-22T08:30:00.123Z');
    const { rows } = await sql<Record<string, unknown>>`
      select ${at}::timestamptz as at, ${[1, 2, 3]}::int[] as ints, ${['a', 'b"c', null]}::text[] as texts,
             ${JSON.stringify({ k: '值' })}::jsonb as doc, ${{ k: 1 }}::jsonb as object, ${12345678901234567890n}::numeric as big,
             ${'9007199254740993'}::int8 as id, ${true}::boolean as yes, ${null}::text as nothing,
             ${Buffer.from([0, 255])}::bytea as bytes, ${'2026-11-22'}::date as day`.execute(database.db);
    expect(rows[0]).toEqual({
      at,
      ints: [1, 2, 3],
      texts: ['a', 'b"c', null],
      doc: { k: '值' },
      object: { k: 1 },
      big: '12345678901234567890',
      id: '9007199254740993',
      yes: true,
      nothing: null,
      bytes: new Uint8Array([0, 255]),
      day: '2026-11-22',
    });
  });

  it('reports affected rows, and a failed statement leaves the backend ready and the statement parsed', async () => {
    const database = await embedded();
    await sql`create table t (a int primary key)`.execute(database.db);
    const insert = (a: number) => database.db.insertInto('t' as never).values({ a } as never).execute();
    expect((await insert(1))[0]!.numInsertedOrUpdatedRows).toBe(1n);
    await expect(insert(1)).rejects.toMatchObject({ code: '23505' });
    expect((await insert(2))[0]!.numInsertedOrUpdatedRows).toBe(1n);
    await expect(sql`select nonsense from t`.execute(database.db)).rejects.toMatchObject({ code: '42703' });
    expect((await sql`select a from t order by a`.execute(database.db)).rows).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('keeps at most the configured number, closing them all to make room', async () => {
    const database = await embedded(3);
    await sql`select 1`.execute(database.db);
    await sql`select 2`.execute(database.db);
    expect(await prepared(database)).toEqual(['select 1', 'select 2']);
    // The listing query was the third: the next one closes all three.
    expect((await sql<{ n: number }>`select 3 as n`.execute(database.db)).rows).toEqual([{ n: 3 }]);
    expect(await prepared(database)).toEqual(['select 3 as n']);
  });

  it('reads an answer that arrives in many pieces, with rows split between them', async () => {
    const database = await embedded();
    const { rows } = await sql<{ i: number; text: string }>`
      select i, repeat(chr(19968 + i), 3000 + i) as text from generate_series(1, 200) as i`.execute(database.db);
    expect(rows).toHaveLength(200);
    expect(rows.every((r) => r.text === String.fromCharCode(19968 + r.i).repeat(3000 + r.i))).toBe(true);
  });

  it('serves the raw session the same way', async () => {
    const database = await embedded();
    const rows = await database.withSession((session) => session.query<{ n: string }>('select $1::int8 + 1 as n', ['41']));
    expect(rows).toEqual([{ n: '42' }]);
    expect(await prepared(database)).toEqual(['select $1::int8 + 1 as n']);
  });
});
