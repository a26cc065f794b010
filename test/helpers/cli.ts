import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { inject } from 'vitest';
import type { Config } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { DEFAULT_PREPARED_STATEMENTS } from '../../src/db/prepared.ts';
import { closingAlso } from './database.ts';
import { withDatabase } from './global-setup.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'genjin.js');

/** The PostgreSQL server the suite runs against, or undefined on the embedded database. */
export const adminUrl = (): string | undefined => process.env.DATABASE_URL || undefined;

/** The environment of a spawned `genjin`: the caller's, minus everything that picks a database or port. */
export function cliEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'GENJIN_DATA_DIR', 'GENJIN_FILES_DIR', 'PORT', 'HOST']) delete env[name];
  return { ...env, ...overrides };
}

export function tempDir(prefix = 'genjin-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node bin/genjin.js …` with stdin closed (tsx waits on an open stdin otherwise). */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `genjin` to completion and collects what it printed. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 100_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`genjin ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * An empty PostgreSQL database of the caller's, named after the run so the global teardown drops
 * it even if the test file does not get to.
 */
export async function createPostgresDatabase(
  url: string,
  purpose: string,
  options = `TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`,
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `genjin_t_${inject('testDatabase').runId}_${purpose}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} ${options}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(url, name),
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/**
 * A fresh, unmigrated database on the suite's backend: PGlite in memory, or a new PostgreSQL
 * database that closing drops.
 */
export async function openEmptyDatabase(purpose: string, options?: string): Promise<Database> {
  const url = adminUrl();
  if (!url) return openDatabase({});
  const created = await createPostgresDatabase(url, purpose, options);
  return closingAlso(await openDatabase({ url: created.url, poolSize: 4 }), created.drop);
}

/** Where spawned `genjin` commands keep their data: a temp --data dir, or a fresh PostgreSQL database. */
export interface CliBackend {
  kind: 'embedded' | 'postgres';
  /** Arguments that select the database (`--data DIR`, or nothing with DATABASE_URL). */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The same database as a Config, for opening it in-process with openRuntime or startServer. */
  config: Config;
  dispose(): Promise<void>;
}

export async function cliBackend(purpose: string): Promise<CliBackend> {
  const dataDir = tempDir();
  const config: Config = {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    filesDir: join(dataDir, 'files'),
    fileLimit: 20 * 1024 * 1024,
    databaseUrl: undefined,
    poolSize: 4,
    preparedStatements: DEFAULT_PREPARED_STATEMENTS,
    bodyLimit: 1024 * 1024,
    credentialCacheSeconds: 10,
    logLevel: 'silent',
    jobs: true,
  };
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  const url = adminUrl();
  if (!url) {
    return { kind: 'embedded', args: ['--data', dataDir], env: cliEnv(), config, dispose: async () => removeDir() };
  }
  const created = await createPostgresDatabase(url, purpose);
  return {
    kind: 'postgres',
    args: [],
    env: cliEnv({ DATABASE_URL: created.url }),
    config: { ...config, databaseUrl: created.url },
    dispose: async () => {
      await created.drop();
      removeDir();
    },
  };
}
