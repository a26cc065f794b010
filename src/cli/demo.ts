import type { DemoOptions, DemoProgress, DemoResult } from '../core/demo/demo.types.ts';

/** `--customers 100000`, `100_000`, `100,000`, `100k`, `1m`: a whole number, or an error naming the flag. */
export function parseCount(flag: string) {
  return (value: string): number => {
    const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(value.trim().replace(/[_,]/g, ''));
    const n = match ? Number(match[1]) * { '': 1, k: 1_000, m: 1_000_000 }[match[2]!.toLowerCase() as '' | 'k' | 'm'] : NaN;
    if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a whole number (e.g. 100000 or 100k), got "${value}"`);
    return n;
  };
}

export function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || Math.abs(n) > 2 ** 31) throw new Error(`--seed must be an integer, got "${value}"`);
  return n;
}

export function parseTime(value: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new Error(`--now must be a date or an ISO 8601 time, got "${value}"`);
  return at;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * Progress on stderr: a bar redrawn in place on a terminal, a line per phase and per tenth of
 * the customers otherwise (logs and CI keep every line).
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): { update(p: DemoProgress): void; done(): void } {
  const started = performance.now();
  const tty = Boolean(stream.isTTY);
  let lastDraw = 0;
  let lastPhase = '';
  let lastTenth = -1;
  let drawn = false;
  const line = (p: DemoProgress) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? p.rows / seconds : 0;
    const fraction = p.total > 0 ? p.done / p.total : 1;
    const eta = p.phase === 'customers' && fraction > 0.02 && fraction < 1 ? ` · ETA ${Math.ceil((seconds * (1 - fraction)) / fraction)}s` : '';
    const count = p.phase === 'customers' || p.phase === 'visit reports' ? ` ${fmt(p.done)}/${fmt(p.total)}` : '';
    return { fraction, text: `${p.phase}${count} · ${fmt(p.rows)} rows · ${fmt(rate)} rows/s${eta}` };
  };
  return {
    update(p) {
      const { fraction, text } = line(p);
      if (tty) {
        const now = performance.now();
        if (now - lastDraw < 100 && p.done !== p.total) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round(fraction * width);
        stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${text}`);
        drawn = true;
        return;
      }
      const tenth = Math.floor(fraction * 10);
      if (p.phase !== lastPhase || (p.phase === 'customers' && tenth !== lastTenth)) {
        stream.write(`${text}\n`);
        lastPhase = p.phase;
        lastTenth = tenth;
      }
    },
    done() {
      if (tty && drawn) stream.write('\n');
    },
  };
}

export function describeResult(options: DemoOptions, result: DemoResult): string[] {
  const c = result.counts;
  const lines = [
    `Filled tenant "${result.tenant.slug}" (seed ${options.seed}) in ${result.seconds.toFixed(1)} s: ${fmt(result.rows)} rows, ${fmt(result.rows / Math.max(result.seconds, 0.001))} rows/s.`,
    `  customers      ${fmt(c.customers)}`,
    `  contacts       ${fmt(c.contacts)}`,
    `  opportunities  ${fmt(c.opportunities)}`,
    `  follow-ups     ${fmt(c.followUps)} (${fmt(c.contactLinks)} contact links, ${fmt(c.participants)} participants, ${fmt(c.attachments)} attachments)`,
    `  contact plans  ${fmt(c.plans)}`,
    `  visit reports  ${fmt(c.visitReports)}`,
    `  users          ${fmt(c.users)} in ${fmt(c.departments)} departments`,
  ];
  if (result.createdTenant) {
    lines.push(
      `Created the tenant for it; its administrator:`,
      `  login:     ${result.createdTenant.login}`,
      ...(result.createdTenant.password ? [`  password:  ${result.createdTenant.password}`] : []),
      `  API token: ${result.createdTenant.token}`,
      'The password and token are shown only this once.',
    );
  }
  return lines;
}
