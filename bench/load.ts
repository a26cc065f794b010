import autocannon from 'autocannon';

/** One HTTP request of a scenario; a scenario cycles through several (different customers, users…). */
export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx, errors and timeouts: a run with any is not a measurement. */
  failures: number;
}

export interface LoadOptions {
  url: string;
  requests: RequestSpec[];
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

async function once(options: LoadOptions, duration: number) {
  return autocannon({
    url: options.url,
    connections: options.connections,
    duration,
    requests: options.requests.map((r) => ({ method: r.method, path: r.path, headers: r.headers ?? {}, ...(r.body !== undefined ? { body: r.body } : {}) })),
  });
}

/** Sends each request once, in turn: a fresh process compiles its routes and fills its caches here. */
async function prime(options: LoadOptions): Promise<void> {
  for (const r of options.requests) {
    const response = await fetch(new URL(r.path, options.url), { method: r.method, headers: r.headers ?? {}, ...(r.body !== undefined ? { body: r.body } : {}) });
    await response.arrayBuffer();
  }
}

/** Primes the server, loads it for the warm-up (discarded), then for the measured duration. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  await prime(options);
  if (options.warmupSeconds > 0) await once(options, options.warmupSeconds);
  const result = await once(options, options.durationSeconds);
  return {
    rps: result.requests.total / options.durationSeconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}
