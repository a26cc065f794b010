import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PGliteBackend } from './pglite-backend.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { PGliteStatements } from './pglite-statements.ts';

/** An embedded database whose messages to the thread are counted while they wait for their answer. */
async function counted() {
  const backend = await PGliteBackend.start({});
  const traffic = { inFlight: 0, most: 0, sent: [] as string[] };
  const exchange = backend.exchange.bind(backend);
  backend.exchange = async (message) => {
    traffic.sent.push(Buffer.from(message).toString('latin1'));
    traffic.most = Math.max(traffic.most, ++traffic.inFlight);
    try {
      return await exchange(message);
    } finally {
      traffic.inFlight--;
    }
  };
  const statements = await PGliteStatements.open(backend, 100);
  return { backend, db: new Kysely<unknown>({ dialect: new PGliteDialect(statements) }), statements, traffic };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('statements sent to the embedded database', () => {
  let database: Awaited<ReturnType<typeof counted>>;
  beforeAll(async () => {
    database = await counted();
  });
  afterAll(() => database.backend.close());
  beforeEach(() => {
    database.traffic.most = 0;
    database.traffic.sent = [];
  });

  it('go to the thread at once, without waiting for the answers before them', async () => {
    const { db, traffic } = database;
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => sql<{ n: number }>`select ${i}::int + 1 as n`.execute(db)));
    expect(answers.map(({ rows }) => rows[0]!.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(traffic.most).toBe(10);
    // Named by the first, bound by the nine sent behind it before it had run.
    expect(traffic.sent.filter((message) => message.includes('select $1::int + 1 as n')).length).toBe(1);
  });

  it('wait while a transaction holds the backend, and see what it committed', async () => {
    const { db } = database;
    await sql`create table t (a int)`.execute(db);
    const order: string[] = [];
    const transaction = db.transaction().execute(async (trx) => {
      await sql`insert into t values (1)`.execute(trx);
      await sleep(150);
      await sql`insert into t values (2)`.execute(trx);
      order.push('committing');
    });
    await sleep(20);
    const outside = sql<{ n: number }>`select count(*)::int as n from t`.execute(db).then(({ rows }) => {
      order.push('outside');
      return rows[0]!.n;
    });
    await transaction;
    expect(await outside).toBe(2);
    // Sent at once, it would have run between the transaction's statements and counted 0.
    expect(order).toEqual(['committing', 'outside']);
  });

  it('each get their own error when a new statement fails to parse, and the next ones run', async () => {
    const { db } = database;
    const failures = await Promise.allSettled(Array.from({ length: 3 }, () => sql`select * from missing`.execute(db)));
    for (const failure of failures) {
      expect(failure).toMatchObject({ status: 'rejected', reason: { message: 'relation "missing" does not exist' } });
    }
    await sql`create table missing (a int)`.execute(db);
    const { rows } = await sql`select * from missing`.execute(db);
    expect(rows).toEqual([]);
  });

  it('hold the backend for a session (`alone`): no one else runs in between', async () => {
    const { db, statements } = database;
    const order: string[] = [];
    const session = statements.alone(async (holder) => {
      await statements.query('select 1', [], holder);
      await sleep(100);
      order.push('session');
      await statements.query('select 2', [], holder);
    });
    await sleep(20);
    await sql`select 3`.execute(db).then(() => order.push('outside'));
    await session;
    expect(order).toEqual(['session', 'outside']);
  });
});
