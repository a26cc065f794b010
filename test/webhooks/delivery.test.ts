import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookDeliverJob, webhookDispatchJob } from '../../src/core/webhooks/webhooks.jobs.ts';
import { makeCustomer } from '../helpers/crm.ts';
import { client, fixedClock, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';
import { runJob } from '../helpers/jobs.ts';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let h: Harness;
let tenant: TestTenant;
let admin: ReturnType<typeof client>;
let server: Server;
let base: string;
const received: Received[] = [];
/** Status codes the receiver answers with, in order; 200 once used up. */
const answers: number[] = [];

beforeAll(async () => {
  h = await setupHarness({ clock: fixedClock('2030-05-01T00:00:00Z') });
  tenant = await makeTenant(h);
  admin = client(h.app, tenant.adminToken);
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = answers.shift() ?? 200;
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : `boom ${'x'.repeat(2000)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  expect((await admin.patch('/api/v1/tenant', { settings: { allowPrivateWebhookTargets: true } })).status).toBe(200);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function subscribe(path: string, events: string[]) {
  const res = await admin.post('/api/v1/webhooks', { url: `${base}${path}`, events });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, secret: res.body.secret as string };
}

const dispatch = () => runJob(h, webhookDispatchJob, { tenantId: null, kind: 'webhook.dispatch' });

/** The webhook.deliver jobs the dispatcher enqueued for a subscription. */
const deliverJobs = (webhookId: string) =>
  h.database.db
    .selectFrom('job')
    .innerJoin('webhook_delivery as d', (join) => join.on(sql<boolean>`job.dedupe_key = 'delivery:' || d.id`))
    .select(['job.id', 'job.tenant_id', 'job.payload', 'job.max_attempts', 'd.id as delivery_id'])
    .where('job.kind', '=', 'webhook.deliver')
    .where('d.webhook_id', '=', webhookId)
    .orderBy('job.id')
    .execute();

const deliver = (job: { id: string; tenant_id: string | null; payload: Record<string, unknown> }, attempt = 1) =>
  runJob(h, webhookDeliverJob, { id: job.id, tenantId: job.tenant_id, kind: 'webhook.deliver', payload: job.payload, attempt });

const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('webhook delivery', () => {
  it('dispatches an event once and posts it signed to the receiver', async () => {
    const hook = await subscribe('/signed', ['customer.created']);
    const customer = await makeCustomer(h, tenant.ctx, { name: '推送客户' });
    await dispatch();
    await dispatch();
    const jobs = await deliverJobs(hook.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.max_attempts).toBeGreaterThan(1);

    await deliver(jobs[0]!);
    const request = received.find((r) => r.path === '/signed')!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-genjin-event']).toBe('customer.created');
    expect(request.headers['x-genjin-delivery']).toBe(jobs[0]!.delivery_id);
    expect(request.headers['x-genjin-signature']).toBe(sign(hook.secret, request.body));
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({
      type: 'customer.created',
      occurredAt: '2030-05-01T00:00:00.000Z',
      tenant: { id: tenant.id, slug: tenant.slug },
      data: { id: customer.id, name: '推送客户' },
    });
    expect(body.id).toMatch(/^\d+$/);

    const log = await admin.get(`/api/v1/webhooks/${hook.id}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body.items).toHaveLength(1);
    expect(log.body.items[0]).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 200, responseBody: 'ok', error: null, eventType: 'customer.created' });
    expect(log.body.items[0].deliveredAt).not.toBeNull();

    // Running the job again (a worker died after the work) sends nothing more.
    const count = received.length;
    await deliver(jobs[0]!, 2);
    expect(received.length).toBe(count);
  });

  it('records a failed attempt and throws so the runner retries, then succeeds; the last failure is dead', async () => {
    const hook = await subscribe('/flaky', ['customer.updated']);
    const customer = await makeCustomer(h, tenant.ctx);
    await h.services.customers.update(tenant.ctx, customer.id, { note: '一' });
    await h.services.customers.update(tenant.ctx, customer.id, { note: '二' });
    await dispatch();
    const [first, second] = await deliverJobs(hook.id);

    answers.push(500);
    await expect(deliver(first!)).rejects.toThrow(/500/);
    let log = (await admin.get(`/api/v1/webhooks/${hook.id}/deliveries`)).body.items;
    const failed = log.find((d: { id: string }) => d.id === first!.delivery_id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 500, error: 'the receiver answered 500' });
    expect(failed.responseBody).toHaveLength(1024);
    // The retry time is the pending job's: here still the original one, as no runner moved it.
    expect(failed.nextAttemptAt).toBe('2030-05-01T08:00:00.000+08:00');

    await deliver(first!, 2);
    log = (await admin.get(`/api/v1/webhooks/${hook.id}/deliveries`)).body.items;
    expect(log.find((d: { id: string }) => d.id === first!.delivery_id)).toMatchObject({ status: 'succeeded', attempts: 2, responseStatus: 200, error: null });
    const bodies = received.filter((r) => r.path === '/flaky').map((r) => r.body);
    expect(bodies[0]).toBe(bodies[1]);

    answers.push(503);
    await expect(deliver(second!, second!.max_attempts)).rejects.toThrow(/503/);
    log = (await admin.get(`/api/v1/webhooks/${hook.id}/deliveries`)).body.items;
    expect(log.find((d: { id: string }) => d.id === second!.delivery_id)).toMatchObject({ status: 'dead', attempts: 1, responseStatus: 503 });
  });

  it('delivers only the subscribed event types, wildcards included, and nothing to inactive subscriptions', async () => {
    const exact = await subscribe('/exact', ['opportunity.created']);
    const entity = await subscribe('/entity', ['opportunity.*']);
    const all = await subscribe('/all', ['*']);
    const paused = await subscribe('/paused', ['*']);
    await admin.patch(`/api/v1/webhooks/${paused.id}`, { isActive: false });
    const customer = await makeCustomer(h, tenant.ctx);
    const opportunity = await h.services.opportunities.create(tenant.ctx, { customerId: customer.id, name: '机会' });
    await h.services.opportunities.update(tenant.ctx, opportunity.id, { name: '机会2' });
    await dispatch();
    const types = async (webhookId: string) =>
      (await h.database.db.selectFrom('webhook_delivery').select('event_type').where('webhook_id', '=', webhookId).orderBy('id').execute()).map((d) => d.event_type);
    expect(await types(exact.id)).toEqual(['opportunity.created']);
    expect(await types(entity.id)).toEqual(['opportunity.created', 'opportunity.updated']);
    expect(await types(all.id)).toEqual(['customer.created', 'opportunity.created', 'opportunity.updated']);
    expect(await types(paused.id)).toEqual([]);
    const pending = await h.database.db.selectFrom('outbox_event').select('id').where('dispatched_at', 'is', null).execute();
    expect(pending).toEqual([]);
  });

  it('checks the target again at delivery time', async () => {
    const hook = await subscribe('/recheck', ['customer.deleted']);
    const customer = await makeCustomer(h, tenant.ctx);
    await h.services.customers.delete(tenant.ctx, customer.id);
    await dispatch();
    const [job] = await deliverJobs(hook.id);
    await admin.patch('/api/v1/tenant', { settings: { allowPrivateWebhookTargets: false } });
    try {
      const count = received.length;
      await expect(deliver(job!)).rejects.toThrow(/refused target/);
      expect(received.length).toBe(count);
      const [log] = (await admin.get(`/api/v1/webhooks/${hook.id}/deliveries`)).body.items;
      expect(log).toMatchObject({ status: 'failed', responseStatus: null });
      expect(log.error).toMatch(/127\.0\.0\.1/);
    } finally {
      await admin.patch('/api/v1/tenant', { settings: { allowPrivateWebhookTargets: true } });
    }
  });

  it('sends a signed ping on demand and answers the outcome', async () => {
    const hook = await subscribe('/ping', ['contact_plan.due']);
    const res = await admin.post(`/api/v1/webhooks/${hook.id}/test`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ eventType: 'ping', eventId: null, status: 'succeeded', responseStatus: 200 });
    const request = received.find((r) => r.path === '/ping')!;
    expect(JSON.parse(request.body)).toMatchObject({ type: 'ping', data: { webhookId: hook.id } });
    expect(request.headers['x-genjin-signature']).toBe(sign(hook.secret, request.body));

    answers.push(404);
    const failed = await admin.post(`/api/v1/webhooks/${hook.id}/test`);
    expect(failed.body).toMatchObject({ status: 'failed', responseStatus: 404 });
  });
});
