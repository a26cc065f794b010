import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adminUrl, createPostgresDatabase, openEmptyDatabase, tempDir } from '../../test/helpers/cli.ts';
import { openDatabase, type Database } from './database.ts';
import { loadMigrations, migrate, migrationStatus } from './migrate.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emptyDatabase(): Promise<Database> {
  const database = await openEmptyDatabase('mig');
  cleanups.push(() => database.close());
  return database;
}

/** A migrations folder of the test's own, so these tests do not depend on the real schema. */
function migrationsDir(files: Record<string, string>): string {
  const dir = tempDir('genjin-migrations-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

async function scalar<T>(database: Database, sql: string): Promise<T> {
  return database.withSession(async (s) => Object.values((await s.query(sql))[0]!)[0] as T);
}

describe('loadMigrations', () => {
  it("finds Genjin's migrations, platform first", () => {
    const migrations = loadMigrations();
    expect(migrations[0]).toMatchObject({ version: '0001', name: '0001_platform', checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(migrations[0]!.sql).toContain('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    const versions = migrations.map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort());
  });

  it('reads only NNNN_name.sql files, in version order', () => {
    const dir = migrationsDir({
      '0002_second.sql': 'SELECT 2;',
      '0001_first.sql': 'SELECT 1;',
      'README.md': '# notes',
      '3_short.sql': 'SELECT 3;',
      '0004_Upper.sql': 'SELECT 4;',
    });
    expect(loadMigrations(dir).map((m) => m.name)).toEqual(['0001_first', '0002_second']);
  });
});

// Each test starts from an empty database: a fresh PGlite takes seconds to initialise on a busy machine.
describe('migrate', { timeout: 120_000 }, () => {
  it('applies every migration to a fresh database, and nothing the second time', async () => {
    const database = await emptyDatabase();
    const all = loadMigrations().map((m) => m.name);

    expect(await migrationStatus(database)).toEqual({ applied: [], pending: all, modified: [] });
    expect(await migrate(database)).toEqual(all);
    expect(await migrationStatus(database)).toEqual({ applied: all, pending: [], modified: [] });
    expect(await migrate(database)).toEqual([]);
    expect(await scalar(database, `SELECT count(*)::int AS n FROM genjin_migration`)).toBe(all.length);
    expect(await scalar(database, `SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'`)).toBe('pg_trgm');
  });

  it('applies only what is pending when new migrations arrive', async () => {
    const database = await emptyDatabase();
    const first = { '0001_widgets.sql': 'CREATE TABLE widget (id int PRIMARY KEY);' };
    expect(await migrate(database, loadMigrations(migrationsDir(first)))).toEqual(['0001_widgets']);

    const later = loadMigrations(migrationsDir({ ...first, '0002_widget_names.sql': 'ALTER TABLE widget ADD COLUMN name text;' }));
    expect(await migrationStatus(database, later)).toEqual({ applied: ['0001_widgets'], pending: ['0002_widget_names'], modified: [] });
    expect(await migrate(database, later)).toEqual(['0002_widget_names']);
  });

  it('refuses to run when an applied migration was edited: migrations are forward-only', async () => {
    const database = await emptyDatabase();
    const dir = migrationsDir({ '0001_widgets.sql': 'CREATE TABLE widget (id int PRIMARY KEY);' });
    await migrate(database, loadMigrations(dir));

    writeFileSync(join(dir, '0001_widgets.sql'), 'CREATE TABLE widget (id bigint PRIMARY KEY);');
    writeFileSync(join(dir, '0002_gadgets.sql'), 'CREATE TABLE gadget (id int);');
    const edited = loadMigrations(dir);

    expect(await migrationStatus(database, edited)).toEqual({ applied: ['0001_widgets'], pending: ['0002_gadgets'], modified: ['0001_widgets'] });
    await expect(migrate(database, edited)).rejects.toThrow(
      /Applied migrations were edited afterwards: 0001_widgets\. Migrations are forward-only: restore the original files and add a new migration instead\./,
    );
    expect(await scalar(database, `SELECT to_regclass('gadget') IS NULL AS missing`)).toBe(true);
  });

  it('reports an applied migration whose recorded checksum differs', async () => {
    const database = await emptyDatabase();
    const migrations = loadMigrations(migrationsDir({ '0001_widgets.sql': 'CREATE TABLE widget (id int);' }));
    await migrate(database, migrations);
    await database.withSession((s) => s.query(`UPDATE genjin_migration SET checksum = 'edited' WHERE version = '0001'`));

    expect((await migrationStatus(database, migrations)).modified).toEqual(['0001_widgets']);
    await expect(migrate(database, migrations)).rejects.toThrow(/forward-only/);
  });

  it('rolls a failing migration back whole and stops there', async () => {
    const database = await emptyDatabase();
    const migrations = loadMigrations(
      migrationsDir({
        '0001_widgets.sql': 'CREATE TABLE widget (id int);',
        '0002_broken.sql': 'CREATE TABLE gadget (id int);\nINSERT INTO no_such_table VALUES (1);',
        '0003_after.sql': 'CREATE TABLE after_broken (id int);',
      }),
    );

    await expect(migrate(database, migrations)).rejects.toThrow(/^Migration 0002_broken failed: .*no_such_table/);
    expect(await migrationStatus(database, migrations)).toEqual({ applied: ['0001_widgets'], pending: ['0002_broken', '0003_after'], modified: [] });
    expect(await scalar(database, `SELECT to_regclass('gadget') IS NULL AS missing`)).toBe(true);
    expect(await scalar(database, `SELECT to_regclass('after_broken') IS NULL AS missing`)).toBe(true);
    // The session is usable afterwards: the advisory lock was released and no transaction is left open.
    expect(await migrate(database, migrations.slice(0, 1))).toEqual([]);
  });

  it.skipIf(!adminUrl())('migrates once when two processes start at the same moment (PostgreSQL advisory lock)', async () => {
    const created = await createPostgresDatabase(adminUrl()!, 'mig');
    cleanups.push(() => created.drop());
    const a = await openDatabase({ url: created.url, poolSize: 2 });
    cleanups.push(() => a.close());
    const b = await openDatabase({ url: created.url, poolSize: 2 });
    cleanups.push(() => b.close());
    // Either statement fails if it runs twice; the sleep keeps the first migrator busy while the second arrives.
    const migrations = loadMigrations(
      migrationsDir({
        '0001_widgets.sql': 'CREATE TABLE widget (id int PRIMARY KEY);\nSELECT pg_sleep(0.5);',
        '0002_one_widget.sql': 'INSERT INTO widget VALUES (1);',
      }),
    );

    const results = await Promise.all([migrate(a, migrations), migrate(b, migrations)]);

    expect(results.map((r) => r.length).sort()).toEqual([0, 2]);
    expect(results.flat()).toEqual(['0001_widgets', '0002_one_widget']);
    expect(await scalar(a, `SELECT count(*)::int AS n FROM genjin_migration`)).toBe(2);
    expect(await scalar(b, `SELECT count(*)::int AS n FROM widget`)).toBe(1);
  });
});
