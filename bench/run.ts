import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { openInProcess, type InProcess } from './capture.ts';
import { explainAll, rawSql, type Explained, type RawSql, type Replay } from './baselines.ts';
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
  raw: RawSql | null;
  note: string | undefined;
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

/** Prepares a scenario in process: finds its requests, records their SQL, replays it, explains it. */
async function prepare(app: InProcess, data: BenchData, scale: Scale, scenario: HttpScenario, explains: Map<string, string>): Promise<Ready | string> {
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
  const raw = await rawSql(data.target, app.database, replays, scenario.concurrency, scale.warmupSeconds, scale.durationSeconds);
  explains.set(scenario.id, explainText(scenario, prepared.requests[0]!, await explainAll(app.database, replays[0]!)));
  return { scenario, requests: prepared.requests, reference: prepared.reference, bodyBytes: Math.round(bytes / prepared.requests.length), raw, note: prepared.note };
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

async function measureAll({ scale, db, only }: BenchOptions, postgres: BenchPostgres | null): Promise<Results> {
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

  log(`Phase 1: requests, their SQL, the raw-SQL baseline and plans, in process (${data.target.label})`);
  const app = await openInProcess(data.target, scale.tenants[0].slug, 10);
  let database: string = db;
  try {
    database = (await sql<{ v: string }>`SELECT version() AS v`.execute(app.database.db)).rows[0]!.v.replace(/ on .*/, '');
    for (const scenario of httpScenarios) {
      log(`  ${scenario.id}: ${scenario.name}`);
      try {
        const outcome = await prepare(app, data, scale, scenario, explains);
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

  log('Phase 2: genjin serve under autocannon');
  const measured = new Map<string, LoadResult & { rssMb: number; reference?: LoadResult }>();
  const server = await startGenjin(data.target);
  try {
    for (const r of ready) {
      log(`  ${r.scenario.id}: ${r.scenario.concurrency} connections, ${r.requests.length} request variants`);
      const result = await measure(server, scale, r.requests, r.scenario.concurrency);
      const reference = r.reference ? await measure(server, scale, r.reference, r.scenario.concurrency) : undefined;
      measured.set(r.scenario.id, { ...result, ...(reference ? { reference } : {}) });
    }
  } finally {
    await server.stop();
  }

  log('Phase 3: bare HTTP baseline');
  const bare = await startBare();
  const bareRps = new Map<string, number>();
  try {
    for (const r of ready) bareRps.set(r.scenario.id, (await measure(bare, scale, bareRequests(r), r.scenario.concurrency)).rps);
  } finally {
    await bare.stop();
  }

  if (jobScenarios.length) {
    // Last, so that the rows S9 rewrites (and rolls back) cannot slow the HTTP scenarios down.
    log('Phase 4: jobs, in process');
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
    const m = measured.get(r.scenario.id)!;
    const ratioRaw = r.raw && r.raw.rps > 0 ? m.rps / r.raw.rps : null;
    const ratioReference = m.reference ? m.rps / m.reference.rps : null;
    const notes = [r.note, m.reference ? `page 1: ${Math.round(m.reference.rps)} req/s, p99 ${m.reference.p99Ms} ms` : undefined, m.failures ? `${m.failures} failed requests` : undefined, m.rps === 0 ? 'no answer within the run' : undefined];
    rows.set(r.scenario.id, {
      ...blank(r.scenario.id, r.scenario.name, r.scenario.budget.text),
      concurrency: r.scenario.concurrency,
      rps: m.rps,
      p50_ms: m.p50Ms,
      p99_ms: m.p99Ms,
      raw_sql_rps: r.raw?.rps ?? null,
      raw_sql_p99_ms: r.raw?.p99Ms ?? null,
      ratio_raw: ratioRaw,
      ratio_http: bareRps.get(r.scenario.id) ? m.rps / bareRps.get(r.scenario.id)! : null,
      bare_http_rps: bareRps.get(r.scenario.id) ?? null,
      peak_rss_mb: m.rssMb,
      status: m.failures || m.rps === 0 ? 'ERROR' : judge(r.scenario.budget, { p99Ms: m.p99Ms, rps: m.rps, ratioRaw, ratioReference }),
      note: notes.filter(Boolean).join('; ') || undefined,
    });
  }
  const order = [...httpScenarios.map((s) => s.id), ...jobScenarios.map((s) => s.id)];
  const scenarios = order.map((id) => rows.get(id)!).filter(Boolean);
  const peaks = ready.map((r) => measured.get(r.scenario.id)!.rssMb);
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
    machine: { ...machine(database), ...(postgres ? { database_settings: await serverSettings(postgres.server) } : {}) },
    scenarios,
  };
  const file = save(results, explains, only !== null);
  console.log(`\n${table(results)}\n`);
  for (const s of scenarios.filter((x) => x.note)) console.log(`- ${s.id}: ${s.note}`);
  console.log(`\nResults: ${file}`);
  return results;
}
