import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { openInProcess, type InProcess } from './capture.ts';
import { explainAll, rawSql, type Explained, type RawSql, type Replay } from './baselines.ts';
import { openDatabase } from '../src/db/database.ts';
import { ensureData, ROOT, type BenchData } from './data.ts';
import { JOB_SCENARIOS, type JobScenario } from './jobs.ts';
import { load, type LoadResult, type RequestSpec } from './load.ts';
import { judge, machine, save, table, type Results, type ScenarioResult } from './report.ts';
import { benchPostgres, serverSettings, type BenchPostgres } from './postgres.ts';
import type { DbKind, Scale } from './scales.ts';
import { DIALECT_SCENARIOS } from './dialect-scenarios.ts';
import { HTTP_SCENARIOS, type HttpScenario } from './scenarios.ts';
import { startBare, startGenjin, type ServerProcess } from './server.ts';

export interface BenchOptions {
  scale: Scale;
  db: DbKind;
  only: Set<string> | null;
  /** Rounds of raw SQL and endpoint loads; the report gives their medians. Default: the scale's. */
  rounds?: number | undefined;
}

/** Request variants each scenario cycles through. */
const VARIANTS = 20;
const log = (line: string) => console.error(line);

/** A scenario ready to load: its requests, the statements they issue, and the size of an answer. */
interface Ready {
  scenario: HttpScenario;
  requests: RequestSpec[];
  reference: RequestSpec[] | undefined;
  bodyBytes: number;
  replays: Replay[];
  note: string | undefined;
}

/** One round's measures of a scenario: the endpoint (and its reference requests), and raw SQL. */
interface Round {
  endpoint: LoadResult & { rssMb: number };
  reference: LoadResult | undefined;
  raw: RawSql | null;
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** On the embedded database S2 and S4 are S11, with its budgets. */
function forDatabase(scenario: HttpScenario, db: DbKind): HttpScenario {
  if (db !== 'embedded') return scenario;
  const s11: Record<string, HttpScenario['budget']> = { S2: { text: 'p99 ≤ 25 ms', p99Ms: 25 }, S4: { text: 'p99 ≤ 80 ms', p99Ms: 80 } };
  const budget = s11[scenario.id];
  return budget ? { ...scenario, id: `S11·${scenario.id}`, name: `${scenario.name} (embedded)`, budget } : scenario;
}

const wanted = (only: Set<string> | null, id: string) => !only || only.has(id) || only.has(id.replace(/^S11·/, '')) || (id.startsWith('S11·') && only.has('S11'));

const toInject = (r: RequestSpec): InjectOptions => ({ method: r.method, url: r.path, headers: r.headers ?? {}, ...(r.body !== undefined ? { payload: r.body } : {}) });

function explainText(scenario: HttpScenario, request: RequestSpec, plans: Explained[]): string {
  const parts = plans.map((p, i) => `-- ${i === 0 ? 'main query' : `statement ${i + 1}`} (execution ${p.ms.toFixed(2)} ms)\n${p.sql}\n\n${p.plan}\n`);
  return `-- ${scenario.id} ${scenario.name}\n-- ${request.method} ${request.path}\n-- EXPLAIN (ANALYZE, BUFFERS) of every statement one request issued, slowest first\n\n${parts.join('\n')}`;
}

/** Prepares a scenario in process: finds its requests, records their SQL, explains it. */
async function prepare(app: InProcess, data: BenchData, scenario: HttpScenario, explains: Map<string, string>): Promise<Ready | string> {
  const prepared = await scenario.prepare({ app, now: data.now, variants: VARIANTS });
  if ('skipped' in prepared) return prepared.skipped;
  const replays: Replay[] = [];
  let bytes = 0;
  for (const request of prepared.requests) {
    await app.inject(toInject(request)); // the first call of a route compiles and caches; record the second
    const captured = await app.capture(toInject(request));
    if (captured.status >= 300) throw new Error(`${scenario.id}: ${request.method} ${request.path} answered ${captured.status}: ${captured.body.slice(0, 300)}`);
    replays.push({ statements: captured.statements, transaction: scenario.transaction ?? false });
    bytes += Buffer.byteLength(captured.body);
  }
  explains.set(scenario.id, explainText(scenario, prepared.requests[0]!, await explainAll(app.database, replays[0]!)));
  return { scenario, requests: prepared.requests, reference: prepared.reference, bodyBytes: Math.round(bytes / prepared.requests.length), replays, note: prepared.note };
}

/**
 * The raw-SQL baseline of every scenario. The embedded database is opened here and closed after,
 * since the server process opens the same directory.
 */
async function rawBaselines(data: BenchData, scale: Scale, ready: Ready[]): Promise<Map<string, RawSql | null>> {
  const database = await openDatabase({ url: data.target.url, dataDir: data.target.dataDir, poolSize: 10 });
  const out = new Map<string, RawSql | null>();
  try {
    for (const r of ready) {
      log(`  ${r.scenario.id}: raw SQL, ${r.scenario.concurrency} at once`);
      out.set(r.scenario.id, await rawSql(data.target, database, r.replays, r.scenario.concurrency, scale.warmupSeconds, scale.durationSeconds));
    }
  } finally {
    await database.close();
  }
  return out;
}

/** Every scenario's endpoint (and reference requests) under load, on one server process. */
async function endpoints(data: BenchData, scale: Scale, ready: Ready[]): Promise<Map<string, Omit<Round, 'raw'>>> {
  const out = new Map<string, Omit<Round, 'raw'>>();
  const server = await startGenjin(data.target);
  try {
    for (const r of ready) {
      log(`  ${r.scenario.id}: ${r.scenario.concurrency} connections, ${r.requests.length} request variants`);
      const endpoint = await measure(server, scale, r.requests, r.scenario.concurrency);
      const reference = r.reference ? await measure(server, scale, r.reference, r.scenario.concurrency) : undefined;
      out.set(r.scenario.id, { endpoint, reference });
    }
  } finally {
    await server.stop();
  }
  return out;
}

async function measure(server: ServerProcess, scale: Scale, requests: RequestSpec[], connections: number): Promise<LoadResult & { rssMb: number }> {
  const stop = server.watchRss();
  const result = await load({ url: server.url, requests, connections, warmupSeconds: scale.warmupSeconds, durationSeconds: scale.durationSeconds });
  return { ...result, rssMb: stop() };
}

const bareRequests = (ready: Ready): RequestSpec[] =>
  ready.requests.slice(0, 1).map((r) => ({ method: r.method, path: `/bare/${ready.bodyBytes}`, headers: { 'content-type': 'application/json' }, ...(r.body !== undefined ? { body: r.body } : {}) }));

export async function runBench(options: BenchOptions): Promise<Results> {
  const postgres = options.db === 'postgres' ? await benchPostgres(ROOT, log) : null;
  try {
    return await measureAll(options, postgres);
  } finally {
    await postgres?.stop();
  }
}

async function measureAll({ scale, db, only, rounds = scale.rounds }: BenchOptions, postgres: BenchPostgres | null): Promise<Results> {
  const started = new Date();
  const data = await ensureData(scale, db, postgres, log);
  const httpScenarios = [...HTTP_SCENARIOS, ...DIALECT_SCENARIOS].map((s) => forDatabase(s, db)).filter((s) => wanted(only, s.id));
  const jobScenarios: JobScenario[] = JOB_SCENARIOS.filter((s) => wanted(only, s.id));
  const explains = new Map<string, string>();
  const ready: Ready[] = [];
  const rows = new Map<string, ScenarioResult>();
  const blank = (id: string, name: string, budget: string): ScenarioResult => ({
    id, name, concurrency: null, rps: null, p50_ms: null, p99_ms: null, raw_sql_rps: null, raw_sql_p99_ms: null, ratio_raw: null, ratio_http: null, bare_http_rps: null, peak_rss_mb: null, seconds: null, budget, status: 'SKIPPED',
  });

  log(`Phase 1: requests, their SQL and plans, in process (${data.target.label})`);
  const app = await openInProcess(data.target, scale.tenants[0].slug, 10);
  let database: string = db;
  try {
    database = (await sql<{ v: string }>`SELECT version() AS v`.execute(app.database.db)).rows[0]!.v.replace(/ on .*/, '');
    for (const scenario of httpScenarios) {
      log(`  ${scenario.id}: ${scenario.name}`);
      try {
        const outcome = await prepare(app, data, scenario, explains);
        if (typeof outcome === 'string') rows.set(scenario.id, { ...blank(scenario.id, scenario.name, scenario.budget.text), note: outcome });
        else ready.push(outcome);
      } catch (error) {
        // One broken scenario (a dialect being built, say) must not cost the others their run.
        const message = error instanceof Error ? error.message : String(error);
        rows.set(scenario.id, { ...blank(scenario.id, scenario.name, scenario.budget.text), status: 'ERROR', note: message.slice(0, 300) });
      }
    }
  } finally {
    await app.close();
  }

  // Rounds alternate the database alone with the server, so that a slow minute of a shared machine
  // lands in one round of each rather than in one side of every ratio.
  const measured = new Map<string, Round[]>(ready.map((r) => [r.scenario.id, []]));
  for (let round = 1; round <= rounds; round++) {
    const which = rounds > 1 ? ` (round ${round} of ${rounds})` : '';
    log(`Phase 2${which}: the raw-SQL baseline, in process`);
    const raws = await rawBaselines(data, scale, ready);
    log(`Phase 3${which}: genjin serve under autocannon`);
    const loads = await endpoints(data, scale, ready);
    for (const r of ready) measured.get(r.scenario.id)!.push({ ...loads.get(r.scenario.id)!, raw: raws.get(r.scenario.id) ?? null });
  }

  log('Phase 4: bare HTTP baseline');
  const bare = await startBare();
  const bareRps = new Map<string, number>();
  try {
    for (const r of ready) bareRps.set(r.scenario.id, (await measure(bare, scale, bareRequests(r), r.scenario.concurrency)).rps);
  } finally {
    await bare.stop();
  }

  if (jobScenarios.length) {
    // Last, so that the rows S9 rewrites (and rolls back) cannot slow the HTTP scenarios down.
    log('Phase 5: jobs, in process');
    const jobs = await openInProcess(data.target, scale.tenants[0].slug, 10);
    try {
      for (const job of jobScenarios) {
        log(`  ${job.id}: ${job.name}`);
        const { seconds, note } = await job.run(jobs, data);
        rows.set(job.id, { ...blank(job.id, job.name, job.budget.text), seconds, note, status: judge(job.budget, { seconds }) });
      }
    } finally {
      await jobs.close();
    }
  }

  for (const r of ready) {
    const runs = measured.get(r.scenario.id)!;
    const medianOf = (pick: (round: Round) => number | null | undefined) => {
      const values = runs.map(pick).filter((v): v is number => typeof v === 'number');
      return values.length ? median(values) : null;
    };
    const m = { rps: medianOf((x) => x.endpoint.rps)!, p50Ms: medianOf((x) => x.endpoint.p50Ms)!, p99Ms: medianOf((x) => x.endpoint.p99Ms)!, rssMb: Math.max(...runs.map((x) => x.endpoint.rssMb)) };
    const failures = runs.reduce((sum, x) => sum + x.endpoint.failures, 0);
    const reference = r.reference ? { rps: medianOf((x) => x.reference?.rps)!, p99Ms: medianOf((x) => x.reference?.p99Ms)! } : undefined;
    const raw = r.replays.length ? { rps: medianOf((x) => x.raw?.rps), p99Ms: medianOf((x) => x.raw?.p99Ms) } : undefined;
    const ratioRaw = raw?.rps ? m.rps / raw.rps : null;
    const ratioReference = reference ? m.rps / reference.rps : null;
    const notes = [r.note, reference ? `page 1: ${Math.round(reference.rps)} req/s, p99 ${reference.p99Ms} ms` : undefined, failures ? `${failures} failed requests` : undefined, m.rps === 0 ? 'no answer within the run' : undefined];
    rows.set(r.scenario.id, {
      ...blank(r.scenario.id, r.scenario.name, r.scenario.budget.text),
      concurrency: r.scenario.concurrency,
      rps: m.rps,
      p50_ms: m.p50Ms,
      p99_ms: m.p99Ms,
      raw_sql_rps: raw?.rps ?? null,
      raw_sql_p99_ms: raw?.p99Ms ?? null,
      ratio_raw: ratioRaw,
      ratio_http: bareRps.get(r.scenario.id) ? m.rps / bareRps.get(r.scenario.id)! : null,
      bare_http_rps: bareRps.get(r.scenario.id) ?? null,
      peak_rss_mb: m.rssMb,
      status: failures || m.rps === 0 ? 'ERROR' : judge(r.scenario.budget, { p99Ms: m.p99Ms, rps: m.rps, ratioRaw, ratioReference }),
      note: notes.filter(Boolean).join('; ') || undefined,
      rounds: runs.map((x) => ({ rps: x.endpoint.rps, p99_ms: x.endpoint.p99Ms, raw_sql_rps: x.raw?.rps ?? null, raw_sql_p99_ms: x.raw?.p99Ms ?? null })),
    });
  }
  const order = [...httpScenarios.map((s) => s.id), ...jobScenarios.map((s) => s.id)];
  const scenarios = order.map((id) => rows.get(id)!).filter(Boolean);
  const peaks = ready.map((r) => rows.get(r.scenario.id)!.peak_rss_mb!);
  if (peaks.length) {
    const peak = Math.max(...peaks);
    const budget = { text: '≤ 300 MB', maxRssMb: 300 };
    scenarios.push({
      ...blank('RSS', 'server peak RSS under the HTTP scenarios', budget.text),
      peak_rss_mb: peak,
      status: judge(budget, { rssMb: peak }),
      ...(db === 'embedded' ? { note: 'the embedded database lives inside the server process' } : {}),
    });
  }
  const results: Results = {
    scale: scale.name,
    db,
    started_at: started.toISOString(),
    duration_s: Math.round((Date.now() - started.getTime()) / 1000),
    rounds,
    machine: { ...machine(database), ...(postgres ? { database_settings: await serverSettings(postgres.server) } : {}) },
    scenarios,
  };
  const file = save(results, explains, only !== null);
  console.log(`\n${table(results)}\n`);
  for (const s of scenarios.filter((x) => x.note)) console.log(`- ${s.id}: ${s.note}`);
  console.log(`\nResults: ${file}`);
  return results;
}
