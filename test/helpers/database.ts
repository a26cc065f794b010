import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { withDatabase } from './global-setup.ts';

/** Which backend the suite runs on: PostgreSQL when DATABASE_URL is set, else the embedded one. */
export const backend = () => inject('testDatabase').kind;

/**
 * A fresh, migrated database of the test file's own: a clone of the run's template. Closing it
 * also drops it on PostgreSQL.
 */
export async function openTestDatabase(): Promise<Database> {
  const info = inject('testDatabase');
  if (info.kind === 'embedded') {
    return openDatabase({ loadDump: new Blob([readFileSync(info.dump)]) });
  }
  const name = `genjin_t_${info.runId}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: info.url });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${info.template}`);
        break;
      } catch (error) {
        // Two files cloning the template at the same instant can briefly see each other.
        if (attempt >= 10 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const database = await openDatabase({ url: withDatabase(info.url, name), poolSize: 5 });
  return closingAlso(database, async () => {
    const cleanup = new pg.Client({ connectionString: info.url });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  });
}

/** The same database, whose close() also runs `after` (e.g. dropping it). */
export function closingAlso(database: Database, after: () => Promise<void>): Database {
  return {
    ...database,
    close: async () => {
      await database.close();
      await after();
    },
  };
}
