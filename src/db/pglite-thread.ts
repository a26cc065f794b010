import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { ThreadReply, ThreadRequest, ThreadStart } from './pglite-backend.ts';

/**
 * The embedded database's own thread: PGlite runs here, so that PostgreSQL's work in WebAssembly
 * overlaps the server's JavaScript (HTTP, routing, building rows) on the main thread instead of
 * taking turns with it. The main thread sends whole protocol messages and reads the answers
 * (`pglite-backend.ts`); this side only runs them, one at a time.
 */
const port = parentPort!;
const start = workerData as ThreadStart;

function reply(message: ThreadReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function run(pglite: PGlite, request: ThreadRequest): Promise<void> {
  switch (request.kind) {
    case 'protocol': {
      const chunks: Uint8Array[] = [];
      await pglite.execProtocolRawStream(request.message, {
        syncToFs: false,
        // A view into the database's memory, reused once this returns: keep a copy.
        onRawData: (chunk) => chunks.push(chunk.slice()),
      });
      const inTransaction = pglite.isInTransaction();
      if (!inTransaction) await pglite.syncToFs();
      reply({ id: request.id, output: chunks, inTransaction }, chunks.map((chunk) => chunk.buffer as ArrayBuffer));
      return;
    }
    case 'dump': {
      const dump = await (await pglite.dumpDataDir('none')).arrayBuffer();
      reply({ id: request.id, dump }, [dump]);
      return;
    }
    case 'close':
      await pglite.close();
      reply({ id: request.id });
      return;
  }
}

try {
  const pglite = await PGlite.create({
    ...(start.dataDir ? { dataDir: start.dataDir } : {}),
    ...(start.dump ? { loadDataDir: new Blob([start.dump]) } : {}),
    extensions: { pg_trgm },
  });
  // Requests arrive in order and run in order: the backend serves one statement at a time.
  let queue = Promise.resolve();
  port.on('message', (request: ThreadRequest) => {
    queue = queue.then(() =>
      run(pglite, request).catch((error: unknown) => reply({ id: request.id, error: reason(error) })),
    );
  });
  reply({ id: 0 });
} catch (error) {
  reply({ id: 0, error: reason(error) });
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
