import { sql } from 'kysely';
import { recycleTenantIn } from '../src/core/pool/pool.jobs.ts';
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

class RollBack extends Error {}

/**
 * The daily recycle of the whole main tenant with its default pool's rule set to 30 days without
 * a follow-up, on the day the data was generated. It runs in a transaction that is rolled back,
 * so every run recycles the same customers and the data stays as generated (vacuumed after).
 */
const S9: JobScenario = {
  kind: 'job',
  id: 'S9',
  name: 'pool recycle job over every customer (30 days without follow-up)',
  budget: { text: '≤ 30 s', maxSeconds: 30 },
  async run(app, data) {
    let seconds = 0;
    let recycled = 0;
    let customers = 0;
    try {
      await app.database.db.transaction().execute(async (trx) => {
        await sql`UPDATE pool_rule SET recycle_no_follow_days = 30
                  WHERE tenant_id = ${app.tenantId} AND pool_id = (SELECT id FROM pool WHERE tenant_id = ${app.tenantId} AND is_default)`.execute(trx);
        customers = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM customer WHERE tenant_id = ${app.tenantId}`.execute(trx)).rows[0]!.n);
        const started = performance.now();
        recycled = await recycleTenantIn(trx, fixedClock(data.now), app.tenantId);
        seconds = (performance.now() - started) / 1000;
        throw new RollBack();
      });
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
    }
    // The rolled-back versions are dead rows that clear the visibility map of half the customer
    // pages: vacuum them now, or the next run's index-only scans visit the heap.
    for (const table of ['customer', 'ownership_history', 'outbox_event', 'notification']) {
      await sql`VACUUM (ANALYZE) ${sql.table(table)}`.execute(app.database.db);
    }
    return { seconds, note: `${recycled.toLocaleString('en-US')} of ${customers.toLocaleString('en-US')} customers recycled (rolled back)` };
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
