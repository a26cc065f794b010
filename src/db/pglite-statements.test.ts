import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.ts';
import { statementName } from './prepared.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function embedded(preparedStatements?: number): Promise<Database> {
  const database = await openDatabase({ preparedStatements });
  cleanups.push(() => database.close());
  return database;
}

/** The statements the backend holds, leaving out the query that lists them. */
async function prepared(database: Database): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements order by statement`.execute(database.db);
  return rows.map((r) => r.statement).filter((s) => !s.includes('pg_prepared_statements'));
}

describe('statements on the embedded database', () => {
  it('parses a statement once, named after its text, and answers as before', async () => {
    const database = await embedded();
    const query = sql<{ n: number }>`select ${41}::int + 1 as n`;
    const text = query.compile(database.db).sql;
    expect((await query.execute(database.db)).rows).toEqual([{ n: 42 }]);
    expect((await sql<{ n: number }>`select ${1}::int + 1 as n`.execute(database.db)).rows).toEqual([{ n: 2 }]);
    const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements where statement = ${text}`.execute(database.db);
    expect(rows).toEqual([{ name: statementName(text) }]);
  });

  it('leaves EXPLAIN, transaction control, DDL and searches unnamed', async () => {
    const database = await embedded();
    await sql`create table t (a int)`.execute(database.db);
    await sql`explain select * from t where a = ${1}`.execute(database.db);
    await sql`select * from t where a::text like ${'1%'}`.execute(database.db);
    await sql`select * from t where array[a] && ${[2]}::int[]`.execute(database.db);
    await database.db.transaction().execute(async (trx) => {
      await sql`insert into t values (${1})`.execute(trx);
    });
    expect(await prepared(database)).toEqual(['insert into t values ($1)']);
  });

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

  it('sends every query unnamed when set to 0', async () => {
    const database = await embedded(0);
    await sql`select 1`.execute(database.db);
    expect(await prepared(database)).toEqual([]);
  });

  it('parses again a statement whose result columns changed under it', async () => {
    const database = await embedded();
    await sql`create table t (a int)`.execute(database.db);
    await sql`insert into t values (1)`.execute(database.db);
    expect((await sql`select * from t`.execute(database.db)).rows).toEqual([{ a: 1 }]);
    await sql`alter table t add column b int`.execute(database.db);
    expect((await sql`select * from t`.execute(database.db)).rows).toEqual([{ a: 1, b: null }]);
  });

  it('inside a transaction, reports the changed statement; the next one parses it again', async () => {
    const database = await embedded();
    await sql`create table t (a int)`.execute(database.db);
    await sql`select * from t`.execute(database.db);
    await sql`alter table t add column b int`.execute(database.db);
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`insert into t values (${2})`.execute(trx);
        await sql`select * from t`.execute(trx);
      }),
    ).rejects.toThrow(/cached plan must not change result type/);
    expect((await sql`select count(*)::int as n from t`.execute(database.db)).rows).toEqual([{ n: 0 }]);
    expect((await sql`select * from t`.execute(database.db)).rows).toEqual([]);
  });

  it('serves the raw session the same way', async () => {
    const database = await embedded();
    const rows = await database.withSession((session) => session.query<{ n: string }>('select $1::int8 + 1 as n', ['41']));
    expect(rows).toEqual([{ n: '42' }]);
    expect(await prepared(database)).toEqual(['select $1::int8 + 1 as n']);
  });
});
