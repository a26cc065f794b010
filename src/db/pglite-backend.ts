import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** What the thread is started with: where the data lives, or a dump to start from. */
export interface ThreadStart {
  dataDir?: string | undefined;
  dump?: ArrayBuffer | undefined;
}

export type ThreadRequest =
  | { id: number; kind: 'protocol'; message: Uint8Array }
  | { id: number; kind: 'dump' }
  | { id: number; kind: 'close' };

export type ThreadReply =
  | { id: number; output: Uint8Array[]; inTransaction: boolean }
  | { id: number; dump: ArrayBuffer }
  | { id: number; error: string }
  | { id: number };

/** What the protocol message left behind: the backend's raw answer, in pieces, and whether a transaction is open. */
export interface Exchange {
  output: Uint8Array[];
  inTransaction: boolean;
}

/**
 * The one PGlite backend, running on a thread of its own (`pglite-thread.ts`).
 *
 * PostgreSQL in WebAssembly is synchronous: in the server's thread, every statement stopped the
 * HTTP work of every other request for as long as it ran. On its own thread it runs while the
 * main thread parses requests, builds rows and writes responses. The price is a message each way
 * per statement (about 0.15 ms when nothing overlaps it) and a second JavaScript heap.
 *
 * The thread's requests are referenced (keep the process alive) only while one is waiting, so
 * an idle database does not hold the process open.
 */
export class PGliteBackend {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve(reply: ThreadReply): void; reject(error: Error): void }>();
  #next = 1;
  #failure: Error | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (reply: ThreadReply) => {
      const waiting = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      if (this.#waiting.size === 0) worker.unref();
      if ('error' in reply) waiting?.reject(new Error(`embedded database: ${reply.error}`));
      else waiting?.resolve(reply);
    });
    const fail = (error: Error) => {
      this.#failure ??= error;
      for (const waiting of this.#waiting.values()) waiting.reject(this.#failure);
      this.#waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`embedded database: its thread stopped (exit code ${code})`)));
  }

  static async start(start: ThreadStart): Promise<PGliteBackend> {
    const worker = startThread(start);
    const backend = new PGliteBackend(worker);
    try {
      // The thread says it is ready (or why not) under id 0.
      await backend.#wait(0);
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return backend;
  }

  /** Runs one protocol message. Its buffer moves to the thread: the caller must not reuse it. */
  async exchange(message: Uint8Array): Promise<Exchange> {
    // Only a buffer the message has to itself can move; a view into a larger one is copied.
    const own = message.byteOffset === 0 && message.byteLength === message.buffer.byteLength ? message : message.slice();
    const reply = await this.#request({ id: 0, kind: 'protocol', message: own }, [own.buffer as ArrayBuffer]);
    return reply as Exchange;
  }

  async dump(): Promise<Blob> {
    const reply = (await this.#request({ id: 0, kind: 'dump' })) as { dump: ArrayBuffer };
    return new Blob([reply.dump]);
  }

  async close(): Promise<void> {
    if (this.#failure) return;
    await this.#request({ id: 0, kind: 'close' });
    this.#failure = new Error('embedded database: closed');
    await this.#worker.terminate();
  }

  #request(request: ThreadRequest, transfer: ArrayBuffer[] = []): Promise<ThreadReply> {
    request.id = this.#next++;
    const reply = this.#wait(request.id);
    this.#worker.postMessage(request, transfer);
    return reply;
  }

  #wait(id: number): Promise<ThreadReply> {
    if (this.#failure) return Promise.reject(this.#failure);
    this.#worker.ref();
    return new Promise((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
  }
}

/**
 * From the compiled build the thread is `pglite-thread.js` beside this file. From the sources
 * (`npm start`, the tests) it is a `.ts` file, which the new thread can load only once tsx's
 * loader is registered there too.
 */
function startThread(start: ThreadStart): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(`./pglite-thread.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  const options = { workerData: start, transferList: start.dump ? [start.dump] : [] };
  if (!fromSources) return new Worker(entry, options);
  // tsx's ESM API, found through its package's export map (require would resolve its CommonJS
  // twin, whose register() does not work from a thread).
  const require = createRequire(import.meta.url);
  const manifest = require('tsx/package.json') as { exports: Record<string, { import: { default: string } }> };
  const api = new URL(manifest.exports['./esm/api']!.import.default, pathToFileURL(require.resolve('tsx/package.json')));
  const boot = `import(${JSON.stringify(api.href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
