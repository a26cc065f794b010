import { sql, type Kysely } from 'kysely';
import { eachConcurrently } from '../core/shared/concurrently.ts';
import type { DB } from './schema.ts';

/** Sort memory of each index build, at least: a ten-million-row index sorts in a few passes. */
const BUILD_MEMORY = '256MB';

/**
 * Drops the secondary indexes and the foreign keys of `tables` for a bulk load, when every one
 * of them is empty, and records in `set_aside` how to put each back. Answers how many were set
 * aside: none when a table holds a row. Primary keys and unique indexes stay, so they go on
 * checking what they check.
 *
 * Filling an empty table and then building each index once from sorted rows, and checking each
 * foreign key with one join, is several times cheaper than maintaining every index and firing
 * every key's trigger row by row (the order pg_restore loads in, for the same reason). The tables
 * are locked before they are found empty, so no row can arrive between the check and the drop.
 */
export async function setAside(db: Kysely<DB>, tables: readonly string[]): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`LOCK TABLE ${sql.join(tables.map((table) => sql.table(table)))} IN ACCESS EXCLUSIVE MODE`.execute(trx);
    for (const table of tables) {
      if ((await sql`SELECT 1 FROM ${sql.table(table)} LIMIT 1`.execute(trx)).rows.length > 0) return 0;
    }
    const { rows } = await sql<{ kind: 'index' | 'foreign key'; name: string; drop: string; restore: string }>`
      SELECT 'index' AS kind, i.relname AS name, format('DROP INDEX %s', x.indexrelid::regclass) AS drop,
             pg_get_indexdef(x.indexrelid) AS restore
      FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = ANY(${tables}::regclass[]) AND NOT x.indisunique AND NOT x.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
      UNION ALL
      SELECT 'foreign key', c.conname, format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
             format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
      FROM pg_constraint c
      WHERE c.contype = 'f' AND c.conrelid = ANY(${tables}::regclass[])
      ORDER BY 1, 2`.execute(trx);
    if (rows.length === 0) return 0;
    await trx
      .insertInto('set_aside')
      .values(rows.map(({ kind, name, restore }) => ({ kind, name, restore })))
      .execute();
    for (const row of rows) await sql.raw(row.drop).execute(trx);
    return rows.length;
  });
}

/** What is set aside now, oldest first; nothing before migration 0021 has made the list. */
export async function listSetAside(db: Kysely<DB>): Promise<{ id: string; kind: 'index' | 'foreign key'; name: string }[]> {
  const { rows } = await sql<{ listed: boolean }>`SELECT to_regclass('set_aside') IS NOT NULL AS listed`.execute(db);
  if (!rows[0]?.listed) return [];
  return db.selectFrom('set_aside').select(['id', 'kind', 'name']).orderBy('id').execute();
}

/**
 * Puts back everything set aside: the indexes first, `concurrency` builds at a time, then the
 * foreign keys, each checked against the rows already there. Each one is claimed by deleting its
 * row in the transaction that restores it, so processes restoring at once never build one twice,
 * and one that fails (rows written meanwhile that break a key) stays listed and is named in the
 * error. Answers how many were restored.
 */
export async function restoreSetAside(db: Kysely<DB>, concurrency = 1): Promise<number> {
  const pending = await listSetAside(db);
  let restored = 0;
  for (const kind of ['index', 'foreign key'] as const) {
    await eachConcurrently(
      pending.filter((p) => p.kind === kind),
      concurrency,
      async (item) => {
        // Read after the await: `restored += await …` would add to the count before it.
        const done = await restoreOne(db, item);
        restored += done;
      },
    );
  }
  return restored;
}

async function restoreOne(db: Kysely<DB>, item: { id: string; kind: string; name: string }): Promise<number> {
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx.deleteFrom('set_aside').where('id', '=', item.id).returning('restore').executeTakeFirst();
      if (!row) return 0;
      await sql`
        SELECT set_config('maintenance_work_mem', ${BUILD_MEMORY}, true)
        WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes(${BUILD_MEMORY})`.execute(trx);
      await sql.raw(row.restore).execute(trx);
      return 1;
    });
  } catch (error) {
    throw new Error(
      `Restoring the ${item.kind} ${item.name}, set aside by a bulk load, failed: ${(error as Error).message}. ` +
        'It stays listed in set_aside and is tried again at the next start; rows that break it must be fixed or deleted first.',
      { cause: error },
    );
  }
}
