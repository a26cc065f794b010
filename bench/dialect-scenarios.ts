import type { InProcess } from './capture.ts';
import type { RequestSpec } from './load.ts';
import { nameSamples, type HttpScenario, type Prepared } from './scenarios.ts';

/** Probes a dialect route; a 404 from the router means the dialect is not there (yet). */
async function available(app: InProcess, request: RequestSpec): Promise<Prepared | null> {
  const res = await app.inject({ method: request.method, url: request.path, headers: request.headers ?? {} });
  if (res.status === 404 && !res.body.includes('"code"')) return { skipped: 'dialect not available' };
  if (res.status >= 300) return { skipped: `dialect not available (${request.method} ${request.path.replace(/token=[^&]+/, 'token=…')} answered ${res.status}: ${res.body.slice(0, 160)})` };
  return null;
}

/** How deep S6 follows the cursor: page 50 of 10. */
const DEEP_PAGE = 50;

/** Seed 003's cursor list with its embedded client and opportunity, filtered by customer name, N pages deep. */
const S6: HttpScenario = {
  kind: 'http',
  id: 'S6',
  name: 'seed 003 followupRecords, cle_name filter, deep cursor',
  concurrency: 10,
  budget: { text: 'p99 ≤ 30 ms', p99Ms: 30 },
  async prepare({ app, variants }) {
    const headers = { authorization: `Bearer ${app.token}` };
    const base = (name: string) => `/openapi/v1/followupRecord/followupRecords?page_size=10&cle_name=${encodeURIComponent(name)}`;
    const pageAfter = (name: string, cursor: string | null) => `${base(name)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const samples = await nameSamples(app, variants);
    const missing = await available(app, { method: 'GET', path: base(samples[0]!.fragment), headers });
    if (missing) return missing;
    const requests: RequestSpec[] = [];
    let depth = Infinity;
    for (const { fragment } of samples) {
      let cursor: string | null = null;
      let page = 1;
      for (; page < DEEP_PAGE; page++) {
        const res = await app.inject({ method: 'GET', url: pageAfter(fragment, cursor), headers });
        const data = (JSON.parse(res.body) as { data?: { cursor?: string | null; rows?: unknown[] } }).data;
        if (!data?.cursor || (data.rows?.length ?? 0) < 10) break;
        cursor = data.cursor;
      }
      depth = Math.min(depth, page);
      requests.push({ method: 'GET', path: pageAfter(fragment, cursor), headers });
    }
    return { requests, note: `cursor page ${DEEP_PAGE} of 10 where the name has that many follow-ups; shallowest page used: ${depth}` };
  },
};

/** Seed 004's offset list of customers, page 5000 (and the 19 after it) of 10. */
const S7: HttpScenario = {
  kind: 'http',
  id: 'S7',
  name: 'seed 004 Customer/GetAllList, pageIndex 5000',
  concurrency: 10,
  budget: { text: 'p99 ≤ 30 ms', p99Ms: 30 },
  async prepare({ app, variants }) {
    const path = (page: number) => `/WebApi/Handler/1.0/CRM/Customer/GetAllList.ashx?token=${app.token}&pageIndex=${page}&pageSize=10`;
    const missing = await available(app, { method: 'GET', path: path(5000) });
    if (missing) return missing;
    return { requests: Array.from({ length: variants }, (_, i) => ({ method: 'GET', path: path(5000 + i) })) };
  },
};

/** Seed 001's list with no parameters: the tenant's follow-ups of the last week, first page of 20. */
const S8: HttpScenario = {
  kind: 'http',
  id: 'S8',
  name: 'seed 001 GET /api/record/follow, default window',
  concurrency: 10,
  budget: { text: 'p99 ≤ 30 ms', p99Ms: 30 },
  async prepare({ app }) {
    const request: RequestSpec = { method: 'GET', path: '/api/record/follow', headers: { authorization: `Bearer ${app.token}` } };
    return (await available(app, request)) ?? { requests: [request], note: 'the window is the week before the real now: run soon after the data was generated' };
  },
};

export const DIALECT_SCENARIOS: HttpScenario[] = [S6, S7, S8];
