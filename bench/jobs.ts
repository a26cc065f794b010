import { sql } from 'kysely';
import { recycleTenant } from '../src/core/pool/pool.jobs.ts';
import { fixedClock } from '../src/core/shared/clock.ts';
import type { InProcess } from './capture.ts';
import type { BenchData } from './data.ts';
import type { Budget } from './scenarios.ts';

/** A scenario measured as one timed run rather than under HTTP load. */
export interface JobScenario {
  kind: 'job';
  id: string;
  name: string;
  budget: Budget;
  run(app: InProcess, data: BenchData): Promise<{ seconds: number | null; note: string }>;
}

/** What the recycle changes in a customer row; the run puts these back afterwards. */
const RECYCLED_COLUMNS = ['owner_id', 'owner_department_id', 'last_owner_id', 'in_pool', 'pool_moves', 'pool_moved_at', 'pool_move_kind', 'pool_reason', 'pool_id', 'version', 'updated_at'];
/** The rows the recycle adds, by table; those above the marks taken before the run are deleted after. */
const RECYCLE_WRITES = ['ownership_history', 'outbox_event', 'notification'];

/**
 * The daily recycle of the whole main tenant with its default pool's rule set to 30 days without
 * a follow-up, on the day the data was generated, committed slice by slice as it runs in
 * production. Afterwards the customers' recycled columns are put back from a copy taken before,
 * the rows it added are deleted and the rule restored, so every run recycles the same customers
 * (vacuumed after, as the rewritten rows would otherwise slow the next run's reads).
 */
const S9: JobScenario = {
  kind: 'job',
  id: 'S9',
  name: 'pool recycle job over every customer (30 days without follow-up)',
  budget: { text: '≤ 30 s', maxSeconds: 30 },
  async run(app, data) {
    const db = app.database.db;
    const tenant = app.tenantId;
    const columns = sql.join(RECYCLED_COLUMNS.map((c) => sql.ref(c)));
    const count = async (where: ReturnType<typeof sql>) =>
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM customer WHERE tenant_id = ${tenant} AND ${where}`.execute(db)).rows[0]!.n);
    const pooledBefore = await count(sql`in_pool`);
    const customers = await count(sql`true`);
    await sql`DROP TABLE IF EXISTS bench_s9_before`.execute(db);
    await sql`CREATE UNLOGGED TABLE bench_s9_before AS SELECT id, ${columns} FROM customer WHERE tenant_id = ${tenant}`.execute(db);
    const marks = new Map<string, string>();
    for (const table of RECYCLE_WRITES) {
      const { rows } = await sql<{ mark: string }>`SELECT coalesce(max(id), 0)::text AS mark FROM ${sql.table(table)} WHERE tenant_id = ${tenant}`.execute(db);
      marks.set(table, rows[0]!.mark);
    }
    const rule = sql`tenant_id = ${tenant} AND pool_id = (SELECT id FROM pool WHERE tenant_id = ${tenant} AND is_default)`;
    const { rows } = await sql<{ days: number | null }>`SELECT recycle_no_follow_days AS days FROM pool_rule WHERE ${rule}`.execute(db);
    await sql`UPDATE pool_rule SET recycle_no_follow_days = 30 WHERE ${rule}`.execute(db);
    let seconds: number;
    let recycled: number;
    try {
      const started = performance.now();
      recycled = await recycleTenant(db, fixedClock(data.now), tenant);
      seconds = (performance.now() - started) / 1000;
    } finally {
      await sql`UPDATE pool_rule SET recycle_no_follow_days = ${rows[0]?.days ?? null} WHERE ${rule}`.execute(db);
      await sql`
        UPDATE customer c SET (${columns}) = (${sql.join(RECYCLED_COLUMNS.map((col) => sql.ref(`b.${col}`)))})
        FROM bench_s9_before b
        WHERE c.tenant_id = ${tenant} AND c.id = b.id AND c.version <> b.version`.execute(db);
      for (const table of RECYCLE_WRITES) await sql`DELETE FROM ${sql.table(table)} WHERE tenant_id = ${tenant} AND id > ${marks.get(table)}`.execute(db);
      await sql`DROP TABLE bench_s9_before`.execute(db);
      for (const table of ['customer', ...RECYCLE_WRITES]) await sql`VACUUM (ANALYZE) ${sql.table(table)}`.execute(db);
    }
    const pooledAfter = await count(sql`in_pool`);
    if (pooledAfter !== pooledBefore) throw new Error(`S9 left ${pooledAfter} customers in the pool, not the ${pooledBefore} it found`);
    return { seconds, note: `${recycled.toLocaleString('en-US')} of ${customers.toLocaleString('en-US')} customers recycled (committed in slices, then put back)` };
  },
};

/** `genjin demo` for the main tenant, timed when this run generated it, else as recorded then. */
const S10: JobScenario = {
  kind: 'job',
  id: 'S10',
  name: '`genjin demo` of the main tenant',
  budget: { text: '≤ 10 min', maxSeconds: 600 },
  async run(_app, data) {
    if (!data.demo) return { seconds: null, note: 'no timing recorded' };
    return { seconds: data.demo.seconds, note: data.demo.thisRun ? 'generated in this run' : `measured when generated (${data.demo.finishedAt})` };
  },
};

export const JOB_SCENARIOS: JobScenario[] = [S9, S10];
