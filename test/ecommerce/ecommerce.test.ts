import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../src/core/shared/context.ts';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

type Api = ReturnType<typeof client>;

let h: Harness;
let tenant: TestTenant;
let admin: Api;

const caller = () => ({ api: 'webapi-handler' as const, requestId: null, clock: h.clock });

async function makeSiteKey(api: Api, name = '官网') {
  const res = await api.post('/api/v1/site-keys', { name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { key: string; siteKey: { id: string; keyPrefix: string } };
}

async function makeCustomer(api: Api, name: string): Promise<string> {
  const res = await api.post('/api/v1/customers', { name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  admin = client(h.app, tenant.adminToken);
});

describe('site keys', () => {
  it('shows a key once, stores only its hash, and authenticates the tenant until revoked', async () => {
    const created = await makeSiteKey(admin);
    expect(created.key).toMatch(/^gsk_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.siteKey.keyPrefix)).toBe(true);
    const stored = await h.database.db.selectFrom('site_key').selectAll().where('id', '=', created.siteKey.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(created.key);

    const list = await admin.get('/api/v1/site-keys');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(created.key);
    expect(list.body.items.map((k: { id: string }) => k.id)).toContain(created.siteKey.id);

    const ctx = await h.services.siteKeys.authenticate(created.key, caller());
    expect(ctx).toMatchObject({ tenant: { id: tenant.id, slug: tenant.slug }, user: null, dataScope: 'all', api: 'webapi-handler' });
    expect(ctx.permissions.size).toBe(0);

    expect((await admin.delete(`/api/v1/site-keys/${created.siteKey.id}`)).status).toBe(204);
    await expect(h.services.siteKeys.authenticate(created.key, caller())).rejects.toMatchObject({ kind: 'unauthenticated', code: 'site_key_revoked' });
    await expect(h.services.siteKeys.authenticate('gsk_nonsense', caller())).rejects.toMatchObject({ kind: 'unauthenticated', code: 'invalid_site_key' });
    await expect(h.services.siteKeys.authenticate('', caller())).rejects.toMatchObject({ code: 'invalid_site_key' });
    expect((await admin.get('/api/v1/site-keys')).body.items.map((k: { id: string }) => k.id)).not.toContain(created.siteKey.id);
    const withRevoked = await admin.get('/api/v1/site-keys?includeRevoked=true');
    expect(withRevoked.body.items.find((k: { id: string }) => k.id === created.siteKey.id).revokedAt).not.toBeNull();
  });

  it('needs tenant:manage, and keeps tenants apart', async () => {
    const { token } = await makeUser(h, tenant);
    const sales = client(h.app, token);
    expect((await sales.post('/api/v1/site-keys', { name: 'x' })).status).toBe(403);
    expect((await sales.get('/api/v1/site-keys')).status).toBe(403);
    const key = await makeSiteKey(admin);
    expect((await sales.delete(`/api/v1/site-keys/${key.siteKey.id}`)).status).toBe(403);
    expect((await admin.post('/api/v1/site-keys', { name: '' })).status).toBe(422);

    const other = await makeTenant(h);
    const otherApi = client(h.app, other.adminToken);
    expect((await otherApi.delete(`/api/v1/site-keys/${key.siteKey.id}`)).status).toBe(404);
    const ctx = await h.services.siteKeys.authenticate(key.key, caller());
    expect(ctx.tenant.id).toBe(tenant.id);
  });
});

describe('published items', () => {
  it('creates items and adds hits to their counter with a site key', async () => {
    const created = await admin.post('/api/v1/published-items', { title: '新品发布', url: 'https://example.com/p/1', summary: '春季新品' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ title: '新品发布', url: 'https://example.com/p/1', summary: '春季新品', hits: '0', createdBy: tenant.adminId });
    const { key } = await makeSiteKey(admin);
    const site = await h.services.siteKeys.authenticate(key, caller());
    await h.services.ecommerce.addHits(site, created.body.id, 5);
    const item = await h.services.ecommerce.addHits(site, created.body.id, 2);
    expect(item.hits).toBe('7');
    const native = await admin.post(`/api/v1/published-items/${created.body.id}/hits`, { addHit: 3 });
    expect(native.status).toBe(200);
    expect(native.body.hits).toBe('10');
    expect((await admin.get(`/api/v1/published-items/${created.body.id}`)).body.hits).toBe('10');
    const list = await admin.get('/api/v1/published-items');
    expect(list.body.items[0]).toMatchObject({ id: created.body.id, hits: '10' });
  });

  it('refuses bad counts and unknown items, including another tenant\'s', async () => {
    const item = (await admin.post('/api/v1/published-items', { title: '计数' })).body;
    const { key } = await makeSiteKey(admin);
    const site = await h.services.siteKeys.authenticate(key, caller());
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 31]) {
      await expect(h.services.ecommerce.addHits(site, item.id, bad), String(bad)).rejects.toMatchObject({ kind: 'invalid', details: { fields: [{ field: 'addHit' }] } });
    }
    expect((await admin.post(`/api/v1/published-items/${item.id}/hits`, { addHit: -1 })).status).toBe(422);
    await expect(h.services.ecommerce.addHits(site, '999999999', 1)).rejects.toMatchObject({ kind: 'not_found' });
    const other = await makeTenant(h);
    const otherKey = await makeSiteKey(client(h.app, other.adminToken));
    const otherSite = await h.services.siteKeys.authenticate(otherKey.key, caller());
    await expect(h.services.ecommerce.addHits(otherSite, item.id, 1)).rejects.toMatchObject({ kind: 'not_found' });
    expect((await admin.get(`/api/v1/published-items/${item.id}`)).body.hits).toBe('0');
    expect((await admin.post('/api/v1/published-items', { title: '' })).status).toBe(422);
  });
});

describe('message board', () => {
  let site: RequestContext;
  beforeAll(async () => {
    site = await h.services.siteKeys.authenticate((await makeSiteKey(admin)).key, caller());
  });

  it("stores a website message, notifies the customer's owner and shows it on the timeline", async () => {
    const { user, token } = await makeUser(h, tenant);
    const owner = client(h.app, token);
    const customerId = await makeCustomer(owner, '留言客户');
    const entry = await h.services.ecommerce.addMessage(site, { customerId, content: '请尽快报价', contact: '李四 13800000000' });
    expect(entry).toMatchObject({ customer_id: customerId, customer_name: '留言客户', content: '请尽快报价', contact: '李四 13800000000' });

    const notes = await owner.get('/api/v1/notifications');
    expect(notes.status).toBe(200);
    expect(notes.body.items).toEqual([
      expect.objectContaining({ kind: 'message_board.new', title: 'New website message about 留言客户', entityId: customerId }),
    ]);
    const notification = await h.database.db.selectFrom('notification').selectAll().where('kind', '=', 'message_board.new').where('user_id', '=', user.id).execute();
    expect(notification).toHaveLength(1);
    expect(notification[0]!.body).toContain('请尽快报价');

    const timeline = await owner.get(`/api/v1/customers/${customerId}/timeline`);
    expect(timeline.body.items).toEqual([expect.objectContaining({ kind: 'message_board', id: entry.id, title: 'Website message', userId: null })]);
    expect(timeline.body.items[0].summary).toBe('李四 13800000000: 请尽快报价');

    const listed = await owner.get(`/api/v1/message-board-entries?customerId=${customerId}`);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: entry.id, customerId, content: '请尽快报价', contact: '李四 13800000000' })]);
    // Another salesperson does not see it.
    const stranger = client(h.app, (await makeUser(h, tenant)).token);
    expect((await stranger.get('/api/v1/message-board-entries')).body.items.map((m: { id: string }) => m.id)).not.toContain(entry.id);
    expect((await stranger.get(`/api/v1/message-board-entries?customerId=${customerId}`)).status).toBe(404);
  });

  it("refuses empty content and unknown or another tenant's customers", async () => {
    const customerId = await makeCustomer(admin, '校验留言客户');
    await expect(h.services.ecommerce.addMessage(site, { customerId, content: '  ' })).rejects.toMatchObject({ kind: 'invalid', details: { fields: [{ field: 'content' }] } });
    await expect(h.services.ecommerce.addMessage(site, { customerId: 'x', content: 'hi' })).rejects.toMatchObject({ kind: 'invalid' });
    await expect(h.services.ecommerce.addMessage(site, { customerId: '999999999', content: 'hi' })).rejects.toMatchObject({ kind: 'not_found' });
    const other = await makeTenant(h);
    const theirCustomer = await makeCustomer(client(h.app, other.adminToken), '别家留言客户');
    await expect(h.services.ecommerce.addMessage(site, { customerId: theirCustomer, content: 'hi' })).rejects.toMatchObject({ kind: 'not_found' });
    const count = await h.database.db.selectFrom('message_board_entry').select((eb) => eb.fn.countAll<string>().as('n')).where('customer_id', 'in', [customerId, theirCustomer]).executeTakeFirstOrThrow();
    expect(count.n).toBe('0');
  });
});

describe('customer timeline', () => {
  it('merges follow-ups, calls, messages and contracts newest first, with a cursor and a kind filter', async () => {
    const customerId = await makeCustomer(admin, '时间线客户');
    const followUp = await admin.post('/api/v1/follow-ups', { customerId, content: '<p>电话沟通需求</p>', followedAt: '2026-01-01T10:00:00+08:00' });
    expect(followUp.status, JSON.stringify(followUp.body)).toBe(201);
    const call = await admin.post('/api/v1/calls', { phone: '13800000000', direction: 'in', answered: false, startedAt: '2026-01-02T10:00:00+08:00', customerId });
    const contract = await admin.post('/api/v1/contracts', { customerId, title: '时间线合同', amount: '10', number: 'TL-1' });
    const site = await h.services.siteKeys.authenticate((await makeSiteKey(admin)).key, caller());
    const message = await h.services.ecommerce.addMessage(site, { customerId, content: '留言' });

    const all = await admin.get(`/api/v1/customers/${customerId}/timeline?limit=2`);
    expect(all.status).toBe(200);
    const next = await admin.get(`/api/v1/customers/${customerId}/timeline?limit=2&cursor=${all.body.nextCursor}`);
    const ids = [...all.body.items, ...next.body.items].map((e: { kind: string; id: string }) => `${e.kind}:${e.id}`);
    expect(ids).toHaveLength(4);
    expect(ids.slice(2)).toEqual([`call:${call.body.id}`, `follow_up:${followUp.body.id}`]);
    expect(ids.slice(0, 2).sort()).toEqual([`contract:${contract.body.id}`, `message_board:${message.id}`].sort());
    expect(next.body.nextCursor).toBeNull();
    const callsOnly = await admin.get(`/api/v1/customers/${customerId}/timeline?kinds=call`);
    expect(callsOnly.body.items.map((e: { id: string }) => e.id)).toEqual([call.body.id]);
    expect((await admin.get(`/api/v1/customers/${customerId}/timeline?kinds=email`)).status).toBe(422);
    const other = await makeTenant(h);
    expect((await client(h.app, other.adminToken).get(`/api/v1/customers/${customerId}/timeline`)).status).toBe(404);
  });
});
