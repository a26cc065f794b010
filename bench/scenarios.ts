import { sql } from 'kysely';
import type { InProcess } from './capture.ts';
import type { RequestSpec } from './load.ts';

/** What a scenario must reach; `text` is how the report shows it. */
export interface Budget {
  text: string;
  p99Ms?: number;
  minRps?: number;
  /** Requests/s at least this share of the raw-SQL baseline's. */
  minRatioRaw?: number;
  maxSeconds?: number;
  /** Requests/s at least this share of the scenario's reference requests' (e.g. page 1). */
  minRatioReference?: number;
  maxRssMb?: number;
}

export interface ScenarioContext {
  app: InProcess;
  /** The instant the data was generated around. */
  now: Date;
  /** How many request variants to cycle through. */
  variants: number;
}

/** Requests to cycle through, or why the scenario cannot run here. */
export type Prepared = { requests: RequestSpec[]; reference?: RequestSpec[]; note?: string } | { skipped: string };

export interface HttpScenario {
  kind: 'http';
  id: string;
  name: string;
  concurrency: number;
  budget: Budget;
  /** The endpoint writes in one transaction; its raw-SQL replay does the same. */
  transaction?: boolean;
  prepare(ctx: ScenarioContext): Promise<Prepared>;
}

const DAY = 86_400_000;

/**
 * Ids spread evenly over a table's range for the tenant: deterministic, and not all hot pages.
 * The first id of each of `n` equal buckets, or the last: two scenarios that take one each never
 * share a row.
 */
async function spreadIds(app: InProcess, table: 'customer' | 'app_user', n: number, where = sql`true`, pick: 'first' | 'last' = 'first'): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT DISTINCT ON (bucket) id::text AS id FROM (
      SELECT id, ntile(${n}) OVER (ORDER BY id) AS bucket FROM ${sql.table(table)} WHERE tenant_id = ${app.tenantId} AND ${where}
    ) t ORDER BY bucket, id ${pick === 'first' ? sql`ASC` : sql`DESC`}`.execute(app.database.db);
  return rows.map((r) => r.id);
}

const auth = (app: InProcess) => ({ authorization: `Bearer ${app.token}` });
const get = (app: InProcess, path: string): RequestSpec => ({ method: 'GET', path, headers: auth(app) });

/** Follows `nextCursor` with big pages until `skip` items are behind, and returns the cursor there. */
async function cursorAt(app: InProcess, path: string, skip: number): Promise<{ cursor: string | null; skipped: number }> {
  let cursor: string | null = null;
  let skipped = 0;
  while (skipped < skip) {
    const limit = Math.min(500, skip - skipped);
    const sep = path.includes('?') ? '&' : '?';
    const res = await app.inject({ method: 'GET', url: `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, headers: auth(app) });
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.body.slice(0, 300)}`);
    const page = JSON.parse(res.body) as { items: unknown[]; nextCursor: string | null };
    if (!page.nextCursor || page.items.length < limit) break;
    skipped += page.items.length;
    cursor = page.nextCursor;
  }
  return { cursor, skipped };
}

/** Two-character fragments and pinyin initials that real names hold, from names spread over the table. */
export async function nameSamples(app: InProcess, n: number) {
  const ids = await spreadIds(app, 'customer', n);
  const rows = await app.database.db.selectFrom('customer').select(['name', 'name_initials']).where('tenant_id', '=', app.tenantId).where('id', 'in', ids).orderBy('id').execute();
  return rows.map((r) => {
    const chars = Array.from(r.name);
    const at = Math.min(2, Math.max(0, chars.length - 2));
    return { fragment: chars.slice(at, at + 2).join(''), initials: r.name_initials.slice(0, 3) };
  });
}

const S1: HttpScenario = {
  kind: 'http',
  id: 'S1',
  name: "POST /api/v1/follow-ups (updates the customer's last follow-up)",
  concurrency: 32,
  budget: { text: '≥ 1,500 creates/s', minRps: 1500 },
  transaction: true,
  async prepare({ app, variants }) {
    const ids = await spreadIds(app, 'customer', variants, sql`deleted_at IS NULL`);
    return {
      requests: ids.map((customerId, i) => ({
        method: 'POST',
        path: '/api/v1/follow-ups',
        headers: { ...auth(app), 'content-type': 'application/json' },
        body: JSON.stringify({ customerId, title: '电话回访', content: `<p>电话沟通了报价，客户计划下周安排试用（${i}）。</p>` }),
      })),
    };
  },
};

const S2: HttpScenario = {
  kind: 'http',
  id: 'S2',
  name: "a customer's 20 latest follow-ups",
  concurrency: 10,
  budget: { text: 'p99 ≤ 10 ms, ≥ 50 % of raw SQL', p99Ms: 10, minRatioRaw: 0.5 },
  async prepare({ app, variants }) {
    // Not S1's customers (the first of each bucket): every S1 run, endpoint and raw-SQL replay,
    // piles thousands of follow-ups onto those, ahead of the ones S2 would read.
    const ids = await spreadIds(app, 'customer', variants, sql`deleted_at IS NULL`, 'last');
    return { requests: ids.map((id) => get(app, `/api/v1/customers/${id}/follow-ups?limit=20`)) };
  },
};

/** The user's list of the last 30 days, 20 a page; page 500 where the user has that many, else the last. */
const S3: HttpScenario = {
  kind: 'http',
  id: 'S3',
  name: "one user's follow-ups of the last 30 days, cursor page 500",
  concurrency: 10,
  budget: { text: 'p99 ≤ 20 ms, same cost as page 1', p99Ms: 20, minRatioReference: 0.8 },
  async prepare({ app, now, variants }) {
    const from = new Date(now.getTime() - 30 * DAY).toISOString();
    const users = await sql<{ user_id: string }>`
      SELECT user_id::text FROM follow_up WHERE tenant_id = ${app.tenantId} AND followed_at >= ${from}
      GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT ${Math.min(variants, 10)}`.execute(app.database.db);
    const requests: RequestSpec[] = [];
    const reference: RequestSpec[] = [];
    let depth = Infinity;
    for (const { user_id } of users.rows) {
      const path = `/api/v1/follow-ups?userId=${user_id}&from=${encodeURIComponent(from)}`;
      const { cursor, skipped } = await cursorAt(app, path, 499 * 20);
      depth = Math.min(depth, skipped / 20 + 1);
      requests.push(get(app, `${path}&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
      reference.push(get(app, `${path}&limit=20`));
    }
    return { requests, reference, note: `deepest page every user has: ${Number.isFinite(depth) ? depth : 0}` };
  },
};

const S4: HttpScenario = {
  kind: 'http',
  id: 'S4',
  name: 'customers by a two-character Chinese name fragment',
  concurrency: 10,
  budget: { text: 'p99 ≤ 50 ms', p99Ms: 50 },
  async prepare({ app, variants }) {
    const samples = await nameSamples(app, variants);
    return { requests: samples.map((s) => get(app, `/api/v1/customers?q=${encodeURIComponent(s.fragment)}&limit=20`)) };
  },
};

const S5: HttpScenario = {
  kind: 'http',
  id: 'S5',
  name: 'customers by pinyin initials',
  concurrency: 10,
  budget: { text: 'p99 ≤ 50 ms', p99Ms: 50 },
  async prepare({ app, variants }) {
    const samples = await nameSamples(app, variants);
    return { requests: samples.filter((s) => s.initials.length >= 2).map((s) => get(app, `/api/v1/customers?q=${s.initials}&limit=20`)) };
  },
};

export const HTTP_SCENARIOS: HttpScenario[] = [S1, S2, S3, S4, S5];
