import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The PostgreSQL server a benchmark run measures.
 *
 * With BENCH_PG_URL the run uses that server as it is configured. Without it, the harness runs a
 * cluster of its own in `bench/.data/postgres` (initdb on first use, started for the run and
 * stopped after it), configured as a production server on this machine would be: a quarter of
 * the memory for shared buffers, the usual checkpoint and planner settings for an SSD, and no
 * durability setting relaxed. A distribution's packaged server comes with defaults sized for any
 * machine (Debian's: 128 MB of shared buffers); measured as it comes, it shows its configuration
 * more than Genjin. The settings a run used are recorded in its results either way.
 */
export interface BenchPostgres {
  /** Server URL without a database (`postgres://user@host:port`). */
  server: string;
  /** The harness's own cluster, or a server named by BENCH_PG_URL. */
  kind: 'own' | 'external';
  /** Where it came from, safe to print. */
  label: string;
  stop(): Promise<void>;
}

const PORT = 5499;

/** Production settings for this machine; every one is a standard tuning, none trades durability. */
export function productionSettings(memoryBytes = totalmem()): Record<string, string> {
  const mb = (bytes: number) => `${Math.max(128, Math.floor(bytes / 2 ** 20))}MB`;
  return {
    shared_buffers: mb(Math.min(memoryBytes / 4, 8 * 2 ** 30)),
    effective_cache_size: mb((memoryBytes * 3) / 4),
    maintenance_work_mem: mb(Math.min(memoryBytes / 16, 2 * 2 ** 30)),
    work_mem: '16MB',
    max_wal_size: '16GB',
    min_wal_size: '1GB',
    checkpoint_timeout: '15min',
    random_page_cost: '1.1',
    effective_io_concurrency: '200',
    max_parallel_workers_per_gather: '0',
  };
}

/** The server the run measures: BENCH_PG_URL, or the harness's own cluster, started. */
export async function benchPostgres(root: string, log: (line: string) => void): Promise<BenchPostgres> {
  const url = process.env.BENCH_PG_URL;
  if (url) {
    const server = url.replace(/\/$/, '');
    return { server, kind: 'external', label: `BENCH_PG_URL ${server.replace(/:[^:@/]+@/, ':***@')}`, stop: async () => {} };
  }
  const dir = join(root, 'bench', '.data', 'postgres');
  const bin = binDir();
  const asOwner = ownerCommand(dir);
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    log(`initdb ${dir}`);
    asOwner(join(bin, 'initdb'), ['-D', dir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
  }
  const settings: Record<string, string> = { ...productionSettings(), port: String(PORT), listen_addresses: '127.0.0.1', unix_socket_directories: dir };
  // pg_ctl passes these on the server's command line (through a shell: the values have no spaces),
  // so the cluster's own files keep initdb's defaults.
  const options = Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`).join(' ');
  stopStale(bin, dir, asOwner);
  asOwner(join(bin, 'pg_ctl'), ['-D', dir, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '120', 'start']);
  const server = `postgres://postgres@127.0.0.1:${PORT}`;
  log(`PostgreSQL of the benchmark on ${server} (${dir}): shared_buffers ${settings.shared_buffers}`);
  return {
    server,
    kind: 'own',
    label: `the benchmark's own PostgreSQL (${dir})`,
    stop: async () => {
      asOwner(join(bin, 'pg_ctl'), ['-D', dir, '-m', 'fast', '-w', 'stop']);
    },
  };
}

/** The settings a server runs with, for the results: what was measured depends on them. */
export async function serverSettings(server: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: `${server}/postgres` });
  await client.connect();
  try {
    const names = Object.keys(productionSettings());
    const { rows } = await client.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY($1::text[]) ORDER BY name`,
      [names],
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  } finally {
    await client.end();
  }
}

/** PostgreSQL's programs: BENCH_PG_BIN, else `pg_config --bindir`, else the newest Debian install. */
function binDir(): string {
  if (process.env.BENCH_PG_BIN) return process.env.BENCH_PG_BIN;
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    const base = '/usr/lib/postgresql';
    const versions = existsSync(base) ? readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
    if (!versions.length) throw new Error('PostgreSQL programs not found: set BENCH_PG_BIN, or BENCH_PG_URL to measure a running server');
    return join(base, versions[0]!, 'bin');
  }
}

/**
 * Runs PostgreSQL's programs as the data directory's owner. PostgreSQL refuses to run as root, so
 * under root the directory belongs to the `postgres` system user and the programs run as it.
 */
function ownerCommand(dir: string): (program: string, args: string[]) => void {
  mkdirSync(dir, { recursive: true });
  let wrap = (program: string, args: string[]) => [program, args] as const;
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    wrap = (program, args) => ['runuser', ['-u', 'postgres', '--', program, ...args]] as const;
  }
  return (program, args) => {
    const [command, argv] = wrap(program, args);
    const result = spawnSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (result.status !== 0) throw new Error(`${program} ${args[args.length - 1]} failed (exit ${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
  };
}

/** A cluster left running by an interrupted run is stopped, so that this run's settings apply. */
function stopStale(bin: string, dir: string, asOwner: (program: string, args: string[]) => void): void {
  if (!existsSync(join(dir, 'postmaster.pid'))) return;
  try {
    asOwner(join(bin, 'pg_ctl'), ['-D', dir, '-m', 'fast', '-w', 'stop']);
  } catch {
    // Not running: pg_ctl start clears a stale pid file itself.
  }
}
