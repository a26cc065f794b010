import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/serve.ts';
import type { Config } from '../../src/config.ts';
import { DataDirInUseError } from '../../src/db/data-dir-lock.ts';
import { DEFAULT_PREPARED_STATEMENTS } from '../../src/db/prepared.ts';
import { cliBackend, cliEnv, freePort, runCli, spawnCli, tempDir, type CliBackend } from '../helpers/cli.ts';

/** An embedded server on a temp dir, bound to a port the system picks, quiet. */
function embeddedConfig(dataDir: string): Config {
  return { port: 0, host: '127.0.0.1', dataDir, filesDir: `${dataDir}/files`, fileLimit: 20 * 1024 * 1024, databaseUrl: undefined, poolSize: 4, preparedStatements: DEFAULT_PREPARED_STATEMENTS, bodyLimit: 1024 * 1024, credentialCacheSeconds: 10, logLevel: 'silent', jobs: true };
}

/** The server's real address: the printed URL says localhost, which may resolve to ::1 first. */
function baseUrl(server: RunningServer): string {
  const address = server.app.server.address();
  if (!address || typeof address !== 'object') throw new Error('server is not listening');
  return `http://127.0.0.1:${address.port}`;
}

function me(base: string, token: string) {
  return fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
}

const lockFile = (dir: string) => join(dir, 'genjin.lock');

/** Cleanups registered by a test, run after it whether it passed or not. */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track(server: RunningServer): RunningServer {
  cleanups.push(() => server.stop());
  return server;
}

function scratchDir(): string {
  const dir = tempDir('genjin-serve-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('first and later starts', () => {
  it('prints the admin credentials once, then only the URL', { timeout: 120_000 }, async () => {
    const backend: CliBackend = await cliBackend('serve');
    cleanups.push(() => backend.dispose());

    const firstLines: string[] = [];
    const first = track(await startServer(backend.config, (line) => firstLines.push(line)));
    const banner = firstLines.join('\n');
    expect(banner).toContain('First start: created tenant "default"');
    const login = /login:\s+(\S+)/.exec(banner)?.[1];
    const password = /password:\s+(\S+)/.exec(banner)?.[1];
    const token = /API token:\s+(gjn_\S+)/.exec(banner)?.[1];
    expect(login).toBe('admin');
    expect(password).toMatch(/^\S{12,}$/);
    expect(token).toBeDefined();
    expect(firstLines.at(-1)).toMatch(/^Genjin \S+ is listening on http:\/\/localhost:\d+ \(\w+ database: .+\)\. API docs: http:\/\/localhost:\d+\/docs$/);

    const base = baseUrl(first);
    const meResponse = await me(base, token!);
    expect(meResponse.status).toBe(200);
    expect(await meResponse.json()).toMatchObject({ user: { login: 'admin' }, role: { code: 'admin' }, tenant: { slug: 'default' } });
    const loginResponse = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'default', login, password }),
    });
    expect(loginResponse.status).toBe(200);
    await first.stop();
    if (backend.kind === 'embedded') expect(existsSync(lockFile(backend.config.dataDir))).toBe(false);

    const laterLines: string[] = [];
    const later = track(await startServer(backend.config, (line) => laterLines.push(line)));
    expect(laterLines).toHaveLength(1);
    expect(laterLines[0]).toMatch(/^Genjin \S+ is listening on http:\/\/localhost:\d+ /);
    expect(laterLines[0]).not.toContain(password!);
    expect((await me(baseUrl(later), token!)).status).toBe(200);
  });
});

describe('the embedded data directory lock', () => {
  it('refuses a second process while a server holds the directory', { timeout: 120_000 }, async () => {
    const dir = scratchDir();
    const server = track(await startServer(embeddedConfig(dir), () => {}));
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8'))).toMatchObject({ pid: process.pid, purpose: 'genjin serve' });

    const result = await runCli(['migrate', '--data', dir], cliEnv());

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: The embedded database in ${dir} is in use by another Genjin process (pid ${process.pid}, genjin serve`);
    expect(result.stderr).toContain('PGlite must never be opened by two processes');
    // The refused process left the holder's lock and database alone.
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8')).pid).toBe(process.pid);
    expect((await fetch(`${baseUrl(server)}/healthz`)).status).toBe(200);
  });

  it('respects a lock held by another live process', async () => {
    const dir = scratchDir();
    // The parent of this worker is alive and is not this process.
    const lock = { pid: process.ppid, purpose: 'genjin serve', since: new Date().toISOString() };
    writeFileSync(lockFile(dir), JSON.stringify(lock));

    await expect(startServer(embeddedConfig(dir), () => {})).rejects.toBeInstanceOf(DataDirInUseError);
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8'))).toEqual(lock);
  });

  it('takes over a lock left by a process that no longer runs', { timeout: 120_000 }, async () => {
    const dir = scratchDir();
    const dead = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
    expect(dead.pid).toBeGreaterThan(0);
    writeFileSync(lockFile(dir), JSON.stringify({ pid: dead.pid, purpose: 'genjin serve', since: '2020-01-01T00:00:00.000Z' }));

    const lines: string[] = [];
    const server = track(await startServer(embeddedConfig(dir), (line) => lines.push(line)));
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8')).pid).toBe(process.pid);
    expect(lines.join('\n')).toContain('First start');
    await server.stop();
    expect(existsSync(lockFile(dir))).toBe(false);
  });
});

describe('genjin serve as a process', () => {
  it('shuts down gracefully on SIGTERM: exits 0 and releases the data directory', { timeout: 120_000 }, async () => {
    const dir = scratchDir();
    const port = await freePort();
    const child: ChildProcess = spawnCli(['serve', '--data', dir, '--port', String(port), '--host', '127.0.0.1'], cliEnv({ LOG_LEVEL: 'warn' }));
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 100 s\nstdout: ${stdout}\nstderr: ${stderr}`)), 100_000);
      child.stdout!.on('data', (chunk: string) => {
        stdout += chunk;
        if (/is listening on http:\/\/localhost:\d+/.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(({ code }) => reject(new Error(`genjin serve exited with ${code} before listening\nstdout: ${stdout}\nstderr: ${stderr}`)));
    });
    expect(stdout).toContain(`is listening on http://localhost:${port} `);
    expect(existsSync(lockFile(dir))).toBe(true);
    const token = /API token:\s+(gjn_\S+)/.exec(stdout)?.[1];
    expect(token).toBeDefined();

    const response = await me(`http://127.0.0.1:${port}`, token!);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { tenant: { slug: string } }).tenant.slug).toBe('default');

    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stderr).toBe('');
    expect(existsSync(lockFile(dir))).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
