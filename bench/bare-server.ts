import Fastify from 'fastify';

/**
 * The HTTP stack's limit: Fastify answering `/bare/<bytes>` with a fixed JSON body of that many
 * bytes, no database, no auth, no schema. GET and POST (with a JSON body parsed and dropped).
 */
const bodies = new Map<number, string>();
function body(bytes: number): string {
  let cached = bodies.get(bytes);
  if (!cached) {
    const pad = Math.max(0, bytes - '{"items":[],"pad":""}'.length);
    cached = JSON.stringify({ items: [], pad: 'x'.repeat(pad) });
    bodies.set(bytes, cached);
  }
  return cached;
}

const app = Fastify({ logger: false });
const handler = async (request: { params: unknown }) => body(Math.min(Number((request.params as { bytes: string }).bytes) || 0, 10_000_000));
app.get('/bare/:bytes', async (request, reply) => reply.type('application/json; charset=utf-8').send(await handler(request)));
app.post('/bare/:bytes', async (request, reply) => reply.code(201).type('application/json; charset=utf-8').send(await handler(request)));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
console.log(`bare listening on ${typeof address === 'object' && address ? address.port : 0}`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
