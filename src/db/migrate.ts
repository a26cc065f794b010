import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database, Session } from './database.ts';
import { restoreSetAside } from './set-aside.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
/** pg_advisory_lock key shared by every Genjin process migrating the same database. */
const MIGRATION_LOCK_KEY = 4_617_315_517_961_601_024n;

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  /** Applied migrations whose file changed since: forward-only means this must not happen. */
  modified: string[];
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(`${dir}/${file}`, 'utf8');
      return {
        version: file.slice(0, 4),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
  // Migrations are keyed by their number: two files with one number would hide one of them.
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1]!.version === m.version) {
      throw new Error(`Two migrations share the number ${m.version}: ${migrations[i - 1]!.name} and ${m.name}; renumber one`);
    }
  });
  return migrations;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS genjin_migration (
  version     text PRIMARY KEY,
  name        text NOT NULL,
  checksum    text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now()
)`;

async function appliedMigrations(session: Session) {
  const exists = await session.query<{ exists: boolean }>(
    `SELECT to_regclass('genjin_migration') IS NOT NULL AS exists`,
  );
  if (!exists[0]?.exists) return new Map<string, string>();
  const rows = await session.query<{ version: string; checksum: string }>(
    'SELECT version, checksum FROM genjin_migration ORDER BY version',
  );
  return new Map(rows.map((row) => [row.version, row.checksum]));
}

function compare(migrations: Migration[], applied: Map<string, string>): MigrationStatus {
  return {
    applied: migrations.filter((m) => applied.has(m.version)).map((m) => m.name),
    pending: migrations.filter((m) => !applied.has(m.version)).map((m) => m.name),
    modified: migrations
      .filter((m) => applied.has(m.version) && applied.get(m.version) !== m.checksum)
      .map((m) => m.name),
  };
}

export async function migrationStatus(database: Database, migrations = loadMigrations()) {
  return database.withSession(async (session) => compare(migrations, await appliedMigrations(session)));
}

/**
 * Applies pending migrations, each in its own transaction, under a session-level advisory lock
 * so that servers starting at the same moment migrate once and the others wait, then find
 * nothing left to do. Then restores any index or foreign key that a bulk load set aside and did
 * not live to put back (src/db/set-aside.ts).
 */
export async function migrate(database: Database, migrations = loadMigrations()): Promise<string[]> {
  const applied = await applyMigrations(database, migrations);
  await restoreSetAside(database.db);
  return applied;
}

async function applyMigrations(database: Database, migrations: Migration[]): Promise<string[]> {
  return database.withSession(async (session) => {
    await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      await session.exec(CREATE_TABLE);
      const status = compare(migrations, await appliedMigrations(session));
      if (status.modified.length > 0) {
        throw new Error(
          `Applied migrations were edited afterwards: ${status.modified.join(', ')}. ` +
            'Migrations are forward-only: restore the original files and add a new migration instead.',
        );
      }
      const done: string[] = [];
      for (const migration of migrations.filter((m) => status.pending.includes(m.name))) {
        await session.exec('BEGIN');
        try {
          await session.exec(migration.sql);
          await session.query('INSERT INTO genjin_migration (version, name, checksum) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            migration.checksum,
          ]);
          await session.exec('COMMIT');
        } catch (error) {
          await session.exec('ROLLBACK');
          throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
        }
        done.push(migration.name);
      }
      return done;
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  });
}
