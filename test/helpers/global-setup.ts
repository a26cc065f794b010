import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';

/**
 * Migrates one template database per test run, which every test file then clones: a PGlite
 * dump on disk for the embedded database, or a PostgreSQL template database when DATABASE_URL
 * is set. Names carry a random run id, so concurrent runs never collide.
 */
export default async function setup(project: TestProject) {
  const runId = randomBytes(4).toString('hex');
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = `genjin_tpl_${runId}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${template} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`);
    const database = await openDatabase({ url: withDatabase(url, template) });
    await migrate(database);
    await database.close();
    // The closed pool's server processes exit asynchronously; cloning waits for them to be gone.
    for (let i = 0; i < 100; i++) {
      const { rows } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1`, [template]);
      if (rows.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    project.provide('testDatabase', { kind: 'postgres', url, template, runId });
    return async () => {
      const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`genjin_t_${runId}_%`]);
      for (const row of rows) await admin.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
      await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
      await admin.end();
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'genjin-test-'));
  const database = await openDatabase({});
  await migrate(database);
  const blob = await database.dump!();
  const file = join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
  await database.close();
  project.provide('testDatabase', { kind: 'embedded', dump: file, runId });
  return () => rmSync(dir, { recursive: true, force: true });
}

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase:
      | { kind: 'postgres'; url: string; template: string; runId: string }
      | { kind: 'embedded'; dump: string; runId: string };
  }
}
