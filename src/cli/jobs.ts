import { InvalidArgumentError } from 'commander';
import { JOB_STATUSES, type JobRow } from '../jobs/admin.ts';
import type { JobStatus } from '../db/schema.ts';

export function parseJobStatus(value: string): JobStatus {
  if (!(JOB_STATUSES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${JOB_STATUSES.join(', ')}`);
  return value as JobStatus;
}

export function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidArgumentError('must be an integer from 1 to 10000');
  return n;
}

/** One job as `jobs list --json` prints it: ids as strings, times in ISO 8601. */
export function jobJson(job: JobRow) {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: String(job.id),
    tenantId: job.tenant_id === null ? null : String(job.tenant_id),
    kind: job.kind,
    status: job.status,
    attempts: job.attempts,
    maxAttempts: job.max_attempts,
    runAt: iso(job.run_at),
    lockedUntil: iso(job.locked_until),
    lockedBy: job.locked_by,
    lastError: job.last_error,
    dedupeKey: job.dedupe_key,
    payload: job.payload,
    createdAt: iso(job.created_at),
    finishedAt: iso(job.finished_at),
  };
}

/** A fixed-width table, one job a line, for people. */
export function jobTable(jobs: readonly JobRow[]): string[] {
  if (jobs.length === 0) return ['No jobs.'];
  const rows = jobs.map((job) => {
    const j = jobJson(job);
    return [j.id, j.status, j.kind, `${j.attempts}/${j.maxAttempts}`, j.runAt ?? '', j.tenantId ?? '-', (j.lastError ?? '').replace(/\s+/g, ' ').slice(0, 80)];
  });
  const header = ['ID', 'STATUS', 'KIND', 'TRIES', 'RUN AT', 'TENANT', 'LAST ERROR'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}
