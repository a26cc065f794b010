import { afterEach, describe, expect, it } from 'vitest';
import { adminUrl, openEmptyDatabase } from '../../test/helpers/cli.ts';
import { openTestDatabase } from '../../test/helpers/database.ts';
import { withDatabase } from '../../test/helpers/global-setup.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { loadMigrations, migrate } from '../db/migrate.ts';
import { runChecks, type Check } from './doctor.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function closeAfter(database: Database): Database {
  cleanups.push(() => database.close());
  return database;
}

const byName = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.name, c]));

describe('genjin doctor checks', { timeout: 120_000 }, () => {
  it('finds a migrated database healthy', async () => {
    const database = closeAfter(await openTestDatabase());

    const checks = await runChecks(database);

    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['connectivity', true],
      ['migrations', true],
      ['indexes set aside', true],
      ['pg_trgm extension', true],
      ['Chinese text search', true],
    ]);
    const { connectivity, migrations, 'Chinese text search': chinese } = byName(checks);
    expect(connectivity!.detail).toMatch(new RegExp(`^${database.kind} database at .+: PostgreSQL \\d+`));
    expect(migrations!.detail).toBe(`${loadMigrations().length} applied, none pending`);
    expect(chinese!.detail).toMatch(/^encoding UTF8, ctype \S*UTF-?8: /i);
  });

  it('reports a pending migration and one edited since it was applied', async () => {
    const database = closeAfter(await openTestDatabase());
    const [platform] = loadMigrations();

    await database.withSession((s) => s.query(`DELETE FROM genjin_migration WHERE version = $1`, [platform!.version]));
    let migrations = byName(await runChecks(database)).migrations!;
    expect(migrations).toMatchObject({ ok: false, detail: `pending: ${platform!.name} (run "genjin migrate")` });
    expect(migrations.warning).toBeUndefined();

    await database.withSession((s) =>
      s.query(`INSERT INTO genjin_migration (version, name, checksum) VALUES ($1, $2, 'edited')`, [platform!.version, platform!.name]),
    );
    migrations = byName(await runChecks(database)).migrations!;
    expect(migrations).toMatchObject({ ok: false, detail: `applied migrations edited since: ${platform!.name}` });
  });

  it('on a database never migrated, reports every migration pending and pg_trgm missing', async () => {
    const database = closeAfter(await openEmptyDatabase('doc'));

    const checks = byName(await runChecks(database));

    expect(checks.connectivity!.ok).toBe(true);
    expect(checks.migrations).toMatchObject({ ok: false, detail: `pending: ${loadMigrations().map((m) => m.name).join(', ')} (run "genjin migrate")` });
    expect(checks['pg_trgm extension']).toMatchObject({ ok: false, detail: 'available but not installed: run "genjin migrate"' });
  });

  it.skipIf(!adminUrl())('warns, naming the fix, when the database ctype is C', async () => {
    const database = closeAfter(await openEmptyDatabase('doc', `TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`));
    await migrate(database);

    const checks = await runChecks(database);

    expect(checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['Chinese text search']);
    const chinese = byName(checks)['Chinese text search']!;
    expect(chinese).toMatchObject({ ok: false, warning: true });
    expect(chinese.detail).toContain('encoding UTF8, ctype C: Chinese characters are not classified as letters');
    expect(chinese.detail).toContain(`CREATE DATABASE genjin TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`);
  });

  it.skipIf(!adminUrl())('stops at connectivity when the server cannot be reached', async () => {
    const database = closeAfter(await openDatabase({ url: withDatabase(adminUrl()!, 'genjin_no_such_database'), poolSize: 1 }));

    const checks = await runChecks(database);

    expect(checks).toEqual([{ name: 'connectivity', ok: false, detail: 'database "genjin_no_such_database" does not exist' }]);
  });
});
