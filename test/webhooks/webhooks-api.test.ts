import { beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../src/core/webhooks/targets.ts';
import { makeMember } from '../helpers/crm.ts';
import { client, fixedClock, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

let h: Harness;
let tenant: TestTenant;
let admin: ReturnType<typeof client>;

beforeAll(async () => {
  h = await setupHarness({ clock: fixedClock('2030-04-01T00:00:00Z') });
  tenant = await makeTenant(h);
  admin = client(h.app, tenant.adminToken);
});

const allowPrivate = (allow: boolean) => admin.patch('/api/v1/tenant', { settings: { allowPrivateWebhookTargets: allow } });

describe('tenant settings', () => {
  it('reads and changes name, time zone and settings; writing needs tenant:manage', async () => {
    const read = await admin.get('/api/v1/tenant');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: tenant.id, slug: tenant.slug, timezone: 'Asia/Shanghai', settings: { allowPrivateWebhookTargets: false } });

    const changed = await admin.patch('/api/v1/tenant', { name: '新名字', timezone: 'Europe/Berlin' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: '新名字', timezone: 'Europe/Berlin', settings: { allowPrivateWebhookTargets: false } });
    expect(changed.body.updatedAt).toBe('2030-04-01T02:00:00.000+02:00');

    const bad = await admin.patch('/api/v1/tenant', { timezone: 'Mars/Olympus' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('timezone');
    expect((await admin.patch('/api/v1/tenant', { settings: { unknown: true } })).status).toBe(422);

    const sales = await makeMember(h, tenant);
    const api = client(h.app, sales.token);
    expect((await api.get('/api/v1/tenant')).status).toBe(200);
    expect((await api.patch('/api/v1/tenant', { name: 'x' })).status).toBe(403);
    await admin.patch('/api/v1/tenant', { timezone: 'Asia/Shanghai' });
  });
});

describe('webhook subscriptions', () => {
  it('creates (showing the secret once), reads, lists, changes and deletes a subscription', async () => {
    await allowPrivate(true);
    const created = await admin.post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['customer.created', 'opportunity.*'], description: 'ERP' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.body).toMatchObject({ url: 'http://127.0.0.1:9/hook', events: ['customer.created', 'opportunity.*'], isActive: true, description: 'ERP', version: 1 });
    const id = created.body.id;

    const read = await admin.get(`/api/v1/webhooks/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.secret).toBeUndefined();
    expect(read.headers.etag).toBe('"1"');
    expect((await admin.get('/api/v1/webhooks')).body.items.map((w: { id: string }) => w.id)).toContain(id);

    const stale = await admin.patch(`/api/v1/webhooks/${id}`, { isActive: false }, { 'if-match': '"7"' });
    expect(stale.status).toBe(412);
    const patched = await admin.patch(`/api/v1/webhooks/${id}`, { isActive: false, events: ['*'] }, { 'if-match': '"1"' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ isActive: false, events: ['*'], version: 2 });

    expect((await admin.delete(`/api/v1/webhooks/${id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/webhooks/${id}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/webhooks/${id}/deliveries`)).status).toBe(404);
  });

  it('needs tenant:manage, and one tenant never sees another\'s subscriptions', async () => {
    const sales = await makeMember(h, tenant);
    const api = client(h.app, sales.token);
    expect((await api.get('/api/v1/webhooks')).status).toBe(403);
    expect((await api.post('/api/v1/webhooks', { url: 'https://example.com/hook', events: ['*'] })).status).toBe(403);

    await allowPrivate(true);
    const mine = await admin.post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/mine', events: ['*'] });
    const other = await makeTenant(h);
    const otherAdmin = client(h.app, other.adminToken);
    expect((await otherAdmin.get(`/api/v1/webhooks/${mine.body.id}`)).status).toBe(404);
    expect((await otherAdmin.delete(`/api/v1/webhooks/${mine.body.id}`)).status).toBe(404);
    expect((await otherAdmin.get('/api/v1/webhooks')).body.items).toEqual([]);
  });

  it('refuses unknown event types and patterns', async () => {
    await allowPrivate(true);
    for (const events of [['customer.exploded'], ['nothing.*'], ['customer.'], []]) {
      const res = await admin.post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/x', events });
      expect(res.status, JSON.stringify(events)).toBe(422);
    }
    expect((await admin.post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['pool.*', 'contact_plan.due', '*'] })).status).toBe(201);
  });

  it('refuses non-http URLs and private targets unless the tenant allows them', async () => {
    await allowPrivate(false);
    const refused = async (url: string) => {
      const res = await admin.post('/api/v1/webhooks', { url, events: ['*'] });
      expect(res.status, url).toBe(422);
      expect(res.body.errors[0].field).toBe('url');
      return res.body.detail as string;
    };
    expect(await refused('ftp://example.com/hook')).toMatch(/http or https/);
    expect(await refused('not a url')).toMatch(/absolute URL/);
    expect(await refused('http://127.0.0.1:8080/hook')).toMatch(/127\.0\.0\.1/);
    expect(await refused('http://localhost:8080/hook')).toMatch(/allowPrivateWebhookTargets/);
    expect(await refused('http://[::1]/hook')).toMatch(/::1/);
    expect(await refused('http://[::ffff:10.0.0.1]/hook')).toMatch(/private/);
    expect(await refused('http://0x7f.1/hook')).toMatch(/127\.0\.0\.1/);
    expect(await refused('http://169.254.169.254/latest/meta-data')).toMatch(/169\.254/);
    expect(await refused('http://user:pw@example.com/')).toMatch(/credentials/);

    await allowPrivate(true);
    expect((await admin.post('/api/v1/webhooks', { url: 'http://127.0.0.1:8080/hook', events: ['*'] })).status).toBe(201);
    expect((await admin.post('/api/v1/webhooks', { url: 'http://localhost:8080/hook', events: ['*'] })).status).toBe(201);
    expect((await admin.post('/api/v1/webhooks', { url: 'ftp://127.0.0.1/hook', events: ['*'] })).status).toBe(422);
  });

  it('classifies addresses (IPv4, IPv6, IPv4-mapped)', () => {
    for (const address of ['0.0.0.0', '10.1.2.3', '100.64.0.1', '127.0.0.1', '169.254.1.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '224.0.0.1', '255.255.255.255', '::', '::1', 'fc00::1', 'fd12::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a00:1', '64:ff9b::a00:1', '2002:0a00:0001::1']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:0808:0808::1']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });
});
