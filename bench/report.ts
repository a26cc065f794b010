import { cpus, release, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './data.ts';
import type { Budget } from './scenarios.ts';

export type Status = 'PASS' | 'MISS' | 'SKIPPED' | 'ERROR';

/** One row of the results, in the JSON shape of issue 9 (plus the columns the table shows). */
export interface ScenarioResult {
  id: string;
  name: string;
  concurrency: number | null;
  rps: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  raw_sql_rps: number | null;
  /** The raw-SQL baseline's 99th percentile: at that concurrency, no server's p99 can be lower. */
  raw_sql_p99_ms?: number | null;
  ratio_raw: number | null;
  ratio_http: number | null;
  bare_http_rps: number | null;
  peak_rss_mb: number | null;
  /** Job scenarios: wall time of the run. */
  seconds: number | null;
  budget: string;
  status: Status;
  note?: string;
  /** When the run that measured this row started (rows of an `--only` run join earlier ones). */
  measured_at?: string;
  /** Each round's figures; the row's own are their medians. */
  rounds?: RoundResult[];
}

export interface RoundResult {
  rps: number;
  p99_ms: number;
  raw_sql_rps: number | null;
  raw_sql_p99_ms: number | null;
}

export interface Machine {
  cpus: number;
  cpu_model: string;
  memory_gb: number;
  os: string;
  node: string;
  database: string;
  /** The PostgreSQL server's memory, checkpoint and planner settings during the run. */
  database_settings?: Record<string, string>;
}

export interface Results {
  scale: string;
  db: string;
  started_at: string;
  duration_s: number;
  /** Rounds of raw SQL and endpoint loads per HTTP scenario (absent before rounds existed: one). */
  rounds?: number;
  machine: Machine;
  scenarios: ScenarioResult[];
}

export function machine(database: string): Machine {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpu_model: cpu[0]?.model ?? 'unknown',
    memory_gb: Math.round(totalmem() / 2 ** 30),
    os: `Linux ${release()}`,
    node: process.version,
    database,
  };
}

/** PASS when every measure the budget names is met; a budget with nothing measurable is a MISS. */
export function judge(budget: Budget, m: { p99Ms?: number | null; rps?: number | null; ratioRaw?: number | null; seconds?: number | null; ratioReference?: number | null; rssMb?: number | null }): Status {
  const checks: boolean[] = [];
  if (budget.p99Ms !== undefined) checks.push(m.p99Ms != null && m.p99Ms <= budget.p99Ms);
  if (budget.minRps !== undefined) checks.push(m.rps != null && m.rps >= budget.minRps);
  if (budget.minRatioRaw !== undefined) checks.push(m.ratioRaw != null && m.ratioRaw >= budget.minRatioRaw);
  if (budget.maxSeconds !== undefined) checks.push(m.seconds != null && m.seconds <= budget.maxSeconds);
  if (budget.minRatioReference !== undefined) checks.push(m.ratioReference != null && m.ratioReference >= budget.minRatioReference);
  if (budget.maxRssMb !== undefined) checks.push(m.rssMb != null && m.rssMb <= budget.maxRssMb);
  return checks.length > 0 && checks.every(Boolean) ? 'PASS' : 'MISS';
}

const num = (n: number | null, digits = 0) => (n === null ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ms = (n: number | null) => (n === null ? '—' : `${num(n, n < 10 ? 1 : 0)} ms`);
const ratio = (n: number | null) => (n === null ? '—' : `${num(n * 100, n < 0.1 ? 1 : 0)} %`);

export function table(results: Results): string {
  const head = ['scenario', 'concurrency', 'requests/s', 'p50', 'p99', 'raw-SQL requests/s', 'raw-SQL p99', 'ratio', 'bare-HTTP ratio', 'server peak RSS', 'budget', 'PASS/MISS'];
  const rows = results.scenarios.map((s) => [
    `${s.id} ${s.name}`,
    s.concurrency === null ? '—' : String(s.concurrency),
    s.seconds !== null ? `${num(s.seconds, 1)} s (one run)` : num(s.rps),
    ms(s.p50_ms),
    ms(s.p99_ms),
    num(s.raw_sql_rps),
    ms(s.raw_sql_p99_ms ?? null),
    ratio(s.ratio_raw),
    ratio(s.ratio_http),
    s.peak_rss_mb === null ? '—' : `${num(s.peak_rss_mb)} MB`,
    s.budget,
    s.status === 'SKIPPED' || s.status === 'ERROR' ? `${s.status}${s.note ? `: ${s.note}` : ''}` : s.status,
  ]);
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export const RESULTS_DIR = join(ROOT, 'bench', 'results');

/**
 * `<scale>-<db>-latest.{json,md}` and each scenario's plans as `<scale>-<db>-latest.<id>.explain.txt`
 * (S11·S2: S11-S2). A partial run (`--only`) replaces its own rows of the latest file and keeps the
 * others, each row saying when it was measured.
 */
export function save(results: Results, explains: Map<string, string>, partial: boolean): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const base = join(RESULTS_DIR, `${results.scale}-${results.db}-latest`);
  for (const row of results.scenarios) row.measured_at = results.started_at;
  if (partial && existsSync(`${base}.json`)) {
    const earlier = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Results;
    const fresh = new Map(results.scenarios.map((row) => [row.id, row]));
    const kept = earlier.scenarios.map((row) => fresh.get(row.id) ?? { ...row, measured_at: row.measured_at ?? earlier.started_at });
    const added = results.scenarios.filter((row) => !earlier.scenarios.some((old) => old.id === row.id));
    results = { ...results, scenarios: [...kept, ...added] };
  }
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  const notes = results.scenarios.filter((s) => s.note).map((s) => `- ${s.id}: ${s.note}`);
  writeFileSync(`${base}.md`, `${table(results)}\n\n${notes.join('\n')}\n`);
  for (const [id, text] of explains) writeFileSync(`${base}.${id.replace(/[^A-Za-z0-9]+/g, '-')}.explain.txt`, text);
  return `${base}.json`;
}
