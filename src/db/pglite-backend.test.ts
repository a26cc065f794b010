import { spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.ts';
import { parse, protocol, types } from '@electric-sql/pglite';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';
import { PGliteBackend } from './pglite-backend.ts';
import { readResults } from './pglite-statements.ts';

const open: Database[] = [];
afterEach(async () => {
  for (const database of open.splice(0)) await database.close();
});

async function embedded(options: Parameters<typeof openDatabase>[0] = {}): Promise<Database> {
  const database = await openDatabase(options);
  open.push(database);
  return database;
}

describe('the embedded database on its own thread', () => {
  it('leaves the event loop free while a statement runs', async () => {
    const database = await embedded();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    try {
      await sql`select pg_sleep(0.6)`.execute(database.db);
    } finally {
      clearInterval(timer);
    }
    // In the server's own thread the sleep would hold every timer back until it ended.
    expect(ticks).toBeGreaterThan(5);
  });

  it('runs statements from concurrent callers one at a time, each with its own answer', async () => {
    const database = await embedded();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => sql<{ n: number }>`select ${i}::int * 2 as n`.execute(database.db)),
    );
    expect(answers.map((a) => a.rows[0]!.n)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  });

  it('starts from a dump, and says why when the dump is not one', async () => {
    const source = await embedded();
    await sql`create table kept (v text)`.execute(source.db);
    await sql`insert into kept values ('跟进')`.execute(source.db);
    const copy = await embedded({ loadDump: await source.dump!() });
    expect((await sql`select v from kept`.execute(copy.db)).rows).toEqual([{ v: '跟进' }]);

    await expect(openDatabase({ loadDump: new Blob([new Uint8Array([1, 2, 3])]) })).rejects.toThrow(/^embedded database: /);
  });

  it('refuses work once closed, with a clear error', async () => {
    const backend = await PGliteBackend.start({});
    await backend.close();
    await expect(backend.exchange(new Uint8Array(0))).rejects.toThrow('embedded database: closed');
    await backend.close();
  });

  it('does not keep the process alive while idle', () => {
    // A script that opens the database, queries it and forgets to close it must still end.
    const script = `
      const { openDatabase } = await import('./src/db/database.ts');
      const database = await openDatabase({});
      const rows = await database.withSession((s) => s.query('select 1 as one'));
      console.log(JSON.stringify(rows));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(run.stderr).toBe('');
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('[{"one":1}]');
  });

  it('reads answers into the same results as PGlite does', async () => {
    const backend = await PGliteBackend.start({});
    try {
      const script = `
        select 1::int8 as a, 'x' as a, array[1, 2] as list, null::text as nothing, '{"k": "值"}'::jsonb as doc, now() as at;
        create table t (v int);
        insert into t values (1), (2), (3);
        update t set v = v + 1 where v > 1;
        select v from t where false;
        delete from t;`;
      const { output } = await backend.exchange(protocol.serialize.query(script));
      const replies: BackendMessage[] = [];
      const parser = new Parser();
      for (const piece of output) parser.parse(Buffer.from(piece), (reply) => replies.push(reply));
      const ours = readResults(replies, types.parsers);
      expect(ours).toHaveLength(6);
      expect(ours).toEqual(parse.parseResults(replies as Parameters<typeof parse.parseResults>[0], types.parsers));
      expect(ours[0]!.rows).toEqual([{ a: 'x', list: '{1,2}', nothing: null, doc: { k: '值' }, at: expect.any(Date) }]);
      expect(ours.map((r) => r.affectedRows)).toEqual([0, 0, 3, 5, 5, 8]);
    } finally {
      await backend.close();
    }
  });
});
