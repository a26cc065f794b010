import { spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.ts';
import { PGliteBackend } from './pglite-backend.ts';

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
});
