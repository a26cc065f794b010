import type { Database } from '../db/database.ts';
import { migrationStatus } from '../db/migrate.ts';
import { listSetAside } from '../db/set-aside.ts';

export interface Check {
  name: string;
  ok: boolean;
  /** A failed check that the server can run with, but should not be ignored. */
  warning?: boolean;
  detail: string;
}

/** What `genjin doctor` reports; also usable from tests. */
export async function runChecks(database: Database): Promise<Check[]> {
  const checks: Check[] = [];
  const run = async (name: string, check: () => Promise<Omit<Check, 'name'>>) => {
    try {
      checks.push({ name, ...(await check()) });
    } catch (error) {
      checks.push({ name, ok: false, detail: (error as Error).message });
    }
  };

  await run('connectivity', async () =>
    database.withSession(async (s) => {
      const [row] = await s.query<{ version: string }>('SELECT version() AS version');
      return { ok: true, detail: `${database.kind} database at ${database.location}: ${row?.version.split(' on ')[0] ?? 'unknown'}` };
    }),
  );
  if (!checks[0]?.ok) return checks;

  await run('migrations', async () => {
    const status = await migrationStatus(database);
    if (status.modified.length > 0) return { ok: false, detail: `applied migrations edited since: ${status.modified.join(', ')}` };
    if (status.pending.length > 0) return { ok: false, detail: `pending: ${status.pending.join(', ')} (run "genjin migrate")` };
    return { ok: true, detail: `${status.applied.length} applied, none pending` };
  });

  await run('indexes set aside', async () => {
    const rows = await listSetAside(database.db);
    if (rows.length === 0) return { ok: true, detail: 'none' };
    return {
      ok: false,
      warning: true,
      detail:
        `${rows.length} dropped for a bulk load (${rows.map((r) => `${r.kind} ${r.name}`).join(', ')}): a "genjin demo" is loading, ` +
        'or one stopped before restoring them and the next start of any genjin command will',
    };
  });

  await run('pg_trgm extension', async () =>
    database.withSession(async (s) => {
      const [installed] = await s.query<{ extversion: string }>(`SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm'`);
      if (installed) return { ok: true, detail: `installed (version ${installed.extversion})` };
      const [available] = await s.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'`);
      return available
        ? { ok: false, detail: 'available but not installed: run "genjin migrate"' }
        : { ok: false, detail: 'not available on this server: install the PostgreSQL contrib package (postgresql-contrib)' };
    }),
  );

  await run('Chinese text search', async () =>
    database.withSession(async (s) => {
      const [db] = await s.query<{ datctype: string; encoding: string; alpha: boolean }>(
        `SELECT datctype, pg_encoding_to_char(encoding) AS encoding, '张三丰' ~ '^[[:alpha:]]+$' AS alpha
           FROM pg_database WHERE datname = current_database()`,
      );
      // Under LC_CTYPE=C no CJK character is a letter: lower()/ILIKE leave them alone and pg_trgm
      // drops them. Customer search does not depend on it (it keeps its own character tokens),
      // but text matching elsewhere and any trigram index over Chinese text would.
      const ok = db?.alpha === true && db.encoding === 'UTF8';
      return ok
        ? { ok: true, detail: `encoding ${db.encoding}, ctype ${db.datctype}: Chinese characters are classified as letters` }
        : {
            ok: false,
            warning: true,
            detail:
              `encoding ${db?.encoding}, ctype ${db?.datctype}: Chinese characters are not classified as letters, so pg_trgm ` +
              `ignores them and case-insensitive matching of Chinese text is unreliable. Recreate the database with a UTF-8 ` +
              `ctype, e.g. CREATE DATABASE genjin TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8', and restore into it.`,
          };
    }),
  );
  return checks;
}
