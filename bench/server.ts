import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ROOT, dataFlags, targetEnv, type Target } from './data.ts';

/** A server process under load: its address, and the peak resident memory seen while sampling. */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Samples the resident set every 100 ms until the returned function is called; gives the peak in MB. */
  watchRss(): () => number;
  stop(): Promise<void>;
}

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Starts a process and resolves once it prints a line matching `ready`, with the port it printed. */
function startProcess(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, what: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => fail(new Error(`${what} did not start within 120 s:\n${output}`)), 120_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => fail(new Error(`${what} exited with ${code}:\n${output}`)));
  });
}

function asServer(child: ChildProcess, port: number): ServerProcess {
  const pid = child.pid!;
  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    watchRss() {
      let peak = rssMb(pid);
      const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);
      return () => {
        clearInterval(timer);
        return Math.max(peak, rssMb(pid));
      };
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * `genjin serve` with production settings: the compiled build (`npm run build`, as
 * docs/operations.md recommends; rebuilt at every run so it is never stale), NODE_ENV=production,
 * warnings-only logs (a request log line each would measure pino), and no job runner, so a
 * scheduled job cannot land inside a measurement.
 */
export async function startGenjin(target: Target): Promise<ServerProcess> {
  build();
  const port = await freePort();
  const env = { ...targetEnv(target), NODE_ENV: 'production', GENJIN_JOBS: 'off' };
  const args = [...productionNodeFlags(), 'dist/cli/main.js', 'serve', '--host', '127.0.0.1', '--port', String(port), ...dataFlags(target)];
  const { child } = await startProcess(args, env, new RegExp(`listening on http://localhost:(${port})`), 'genjin serve');
  return asServer(child, port);
}

/** The Node.js flags `npm run start:prod` gives the server, so that the benchmark measures exactly it. */
function productionNodeFlags(): string[] {
  const scripts = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;
  const match = /^node((?: --?[\w-]+(?:=\S+)?)*) dist\/cli\/main\.js serve$/.exec(scripts['start:prod'] ?? '');
  if (!match) throw new Error('package.json: "start:prod" is not "node [flags] dist/cli/main.js serve"');
  return match[1]!.trim().split(' ').filter(Boolean);
}

let built = false;

function build(): void {
  if (built) return;
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status ?? result.signal})`);
  built = true;
}

/** The bare-HTTP baseline: a minimal Fastify process answering fixed bodies (bare-server.ts). */
export async function startBare(): Promise<ServerProcess> {
  const { child, port } = await startProcess(['--import', 'tsx', 'bench/bare-server.ts'], { ...process.env, NODE_ENV: 'production' }, /bare listening on (\d+)/, 'bare server');
  return asServer(child, port);
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
