import { beforeAll, describe, expect, it } from 'vitest';
import { dictionaryItem, makeCustomer, makeMember, userContext } from '../helpers/crm.ts';
import { client, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

type Api = ReturnType<typeof client>;

let h: Harness;
let tenant: TestTenant;
let api: Api;
beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  api = client(h.app, tenant.adminToken);
});

const fields = (res: { body: { errors?: { field: string }[] } }) => (res.body.errors ?? []).map((e) => e.field);

describe('tags', () => {
  it('creates, lists, renames and deletes tags', async () => {
    const created = await api.post('/api/v1/tags', { name: ' 重要客户 ', color: '#f5222d' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: '重要客户', color: '#f5222d' });
    expect(created.headers.location).toBe(`/api/v1/tags/${created.body.id}`);
    await api.post('/api/v1/tags', { name: 'alpha' });
    const list = await api.get('/api/v1/tags');
    expect(list.body.items.map((t: { name: string }) => t.name)).toEqual(['alpha', '重要客户']);
    expect((await api.get(`/api/v1/tags/${created.body.id}`)).body).toEqual(created.body);

    const renamed = await api.patch(`/api/v1/tags/${created.body.id}`, { name: '核心客户', color: null });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: created.body.id, name: '核心客户', color: null });

    expect((await api.delete(`/api/v1/tags/${created.body.id}`)).status).toBe(204);
    expect((await api.get(`/api/v1/tags/${created.body.id}`)).status).toBe(404);
    expect((await api.delete(`/api/v1/tags/${created.body.id}`)).status).toBe(404);
  });

  it('keeps names unique regardless of case (409)', async () => {
    const first = await api.post('/api/v1/tags', { name: 'VIP' });
    expect(first.status).toBe(201);
    const again = await api.post('/api/v1/tags', { name: 'vip' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('tag_name_taken');
    expect(fields(again)).toEqual(['name']);
    const other = await api.post('/api/v1/tags', { name: 'Gold' });
    expect((await api.patch(`/api/v1/tags/${other.body.id}`, { name: ' Vip ' })).status).toBe(409);
    // Renaming a tag to its own name in another case is fine.
    expect((await api.patch(`/api/v1/tags/${first.body.id}`, { name: 'Vip' })).status).toBe(200);
    // Another tenant has its own names.
    const otherTenant = await makeTenant(h);
    expect((await client(h.app, otherTenant.adminToken).post('/api/v1/tags', { name: 'VIP' })).status).toBe(201);
  });

  it('refuses bad input, naming the field', async () => {
    for (const [body, field] of [
      [{ name: '' }, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(51) }, 'name'],
      [{ name: 'ok', color: 'red' }, 'color'],
      [{ color: '#ffffff' }, 'name'],
    ] as const) {
      const res = await api.post('/api/v1/tags', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(fields(res)).toContain(field);
    }
  });

  it('needs dictionaries:manage to change tags, not to read them', async () => {
    const sales = client(h.app, (await makeMember(h, tenant, { role: 'sales' })).token);
    expect((await sales.get('/api/v1/tags')).status).toBe(200);
    const res = await sales.post('/api/v1/tags', { name: '销售自建' });
    expect(res.status).toBe(403);
    const tag = await h.services.tags.create(tenant.ctx, { name: '只读' });
    expect((await sales.patch(`/api/v1/tags/${tag.id}`, { name: '改' })).status).toBe(403);
    expect((await sales.delete(`/api/v1/tags/${tag.id}`)).status).toBe(403);
  });

  it('takes a deleted tag off every customer', async () => {
    const doomed = await h.services.tags.create(tenant.ctx, { name: '待删除' });
    const kept = await h.services.tags.create(tenant.ctx, { name: '保留' });
    const a = await makeCustomer(h, tenant.ctx, { tagIds: [doomed.id, kept.id] });
    const b = await makeCustomer(h, tenant.ctx, { tagIds: [doomed.id] });
    expect((await api.get(`/api/v1/customers?tagId=${doomed.id}`)).body.items).toHaveLength(2);
    await api.delete(`/api/v1/tags/${doomed.id}`);
    expect((await api.get(`/api/v1/customers/${a.id}`)).body.tags.map((t: { name: string }) => t.name)).toEqual(['保留']);
    expect((await api.get(`/api/v1/customers/${b.id}`)).body.tags).toEqual([]);
    // A renamed tag reads back renamed on its customers.
    await api.patch(`/api/v1/tags/${kept.id}`, { name: '保留改名' });
    expect((await api.get(`/api/v1/customers/${a.id}`)).body.tags.map((t: { name: string }) => t.name)).toEqual(['保留改名']);
    // Customers' tags are replaced as a whole.
    const replaced = await api.patch(`/api/v1/customers/${a.id}`, { tagIds: [] });
    expect(replaced.body.tags).toEqual([]);
  });

  it("never shows or uses another tenant's tags", async () => {
    const otherTenant = await makeTenant(h);
    const foreign = await h.services.tags.create(otherTenant.ctx, { name: '外租户标签' });
    expect((await api.get(`/api/v1/tags/${foreign.id}`)).status).toBe(404);
    expect((await api.patch(`/api/v1/tags/${foreign.id}`, { name: 'x' })).status).toBe(404);
    expect((await api.delete(`/api/v1/tags/${foreign.id}`)).status).toBe(404);
    expect((await api.get('/api/v1/tags')).body.items.map((t: { id: string }) => t.id)).not.toContain(foreign.id);
    const res = await api.post('/api/v1/customers', { name: '用外租户标签', tagIds: [foreign.id] });
    expect(res.status).toBe(422);
    expect(fields(res)).toEqual(['tagIds']);
  });
});

describe('shares', () => {
  let owner: Awaited<ReturnType<typeof makeMember>>;
  let colleague: Awaited<ReturnType<typeof makeMember>>;
  let third: Awaited<ReturnType<typeof makeMember>>;
  let ownerApi: Api;
  let colleagueApi: Api;
  beforeAll(async () => {
    owner = await makeMember(h, tenant, { role: 'sales' });
    colleague = await makeMember(h, tenant, { role: 'sales' });
    third = await makeMember(h, tenant, { role: 'sales' });
    ownerApi = client(h.app, owner.token);
    colleagueApi = client(h.app, colleague.token);
  });

  it('shares a customer so that the other user sees it, and takes it back', async () => {
    const customer = await makeCustomer(h, owner.ctx, { name: '共享客户' });
    expect((await colleagueApi.get(`/api/v1/customers/${customer.id}`)).status).toBe(404);

    const shared = await ownerApi.post(`/api/v1/customers/${customer.id}/shares`, { userIds: [colleague.user.id, third.user.id, colleague.user.id] });
    expect(shared.status).toBe(200);
    expect(shared.body.items.map((s: { userId: string }) => s.userId).sort()).toEqual([colleague.user.id, third.user.id].sort());
    expect(shared.body.items[0]).toMatchObject({ sharedBy: owner.user.id });
    expect(shared.body.items[0].userName).toEqual(expect.any(String));

    expect((await colleagueApi.get(`/api/v1/customers/${customer.id}`)).status).toBe(200);
    const listed = await colleagueApi.get('/api/v1/customers');
    expect(listed.body.items.map((c: { id: string }) => c.id)).toContain(customer.id);
    // Sharing again is a no-op.
    expect((await ownerApi.post(`/api/v1/customers/${customer.id}/shares`, { userIds: [colleague.user.id] })).body.items).toHaveLength(2);
    expect((await colleagueApi.get(`/api/v1/customers/${customer.id}/shares`)).body.items).toHaveLength(2);

    expect((await ownerApi.delete(`/api/v1/customers/${customer.id}/shares/${colleague.user.id}`)).status).toBe(204);
    expect((await colleagueApi.get(`/api/v1/customers/${customer.id}`)).status).toBe(404);
    expect((await client(h.app, third.token).get(`/api/v1/customers/${customer.id}`)).status).toBe(200);

    // Without userId, the share is taken back from everyone (seed 004's CancelShare).
    await ownerApi.post(`/api/v1/customers/${customer.id}/shares`, { userIds: [colleague.user.id] });
    expect((await ownerApi.delete(`/api/v1/customers/${customer.id}/shares`)).status).toBe(204);
    expect((await ownerApi.get(`/api/v1/customers/${customer.id}/shares`)).body.items).toEqual([]);
    expect((await client(h.app, third.token).get(`/api/v1/customers/${customer.id}`)).status).toBe(404);

    // With userId, only from those.
    await ownerApi.post(`/api/v1/customers/${customer.id}/shares`, { userIds: [colleague.user.id, third.user.id] });
    await ownerApi.delete(`/api/v1/customers/${customer.id}/shares?userId=${third.user.id}`);
    expect((await ownerApi.get(`/api/v1/customers/${customer.id}/shares`)).body.items.map((s: { userId: string }) => s.userId)).toEqual([colleague.user.id]);
  });

  it('refuses unknown users and customers the caller cannot see', async () => {
    const customer = await makeCustomer(h, owner.ctx);
    const unknown = await ownerApi.post(`/api/v1/customers/${customer.id}/shares`, { userIds: ['987654321'] });
    expect(unknown.status).toBe(422);
    expect(fields(unknown)).toEqual(['userIds']);
    const otherTenant = await makeTenant(h);
    const foreignUser = await makeMember(h, otherTenant);
    const foreign = await ownerApi.post(`/api/v1/customers/${customer.id}/shares`, { userIds: [foreignUser.user.id] });
    expect(foreign.status).toBe(422);
    expect((await ownerApi.post(`/api/v1/customers/${customer.id}/shares`, { userIds: [] })).status).toBe(422);
    expect((await ownerApi.get(`/api/v1/customers/${customer.id}/shares`)).body.items).toEqual([]);

    // The colleague cannot see the customer, so cannot share it, list or withdraw its shares.
    expect((await colleagueApi.post(`/api/v1/customers/${customer.id}/shares`, { userIds: [colleague.user.id] })).status).toBe(404);
    expect((await colleagueApi.get(`/api/v1/customers/${customer.id}/shares`)).status).toBe(404);
    expect((await colleagueApi.delete(`/api/v1/customers/${customer.id}/shares`)).status).toBe(404);
    const foreignCustomer = await makeCustomer(h, otherTenant.ctx);
    expect((await api.post(`/api/v1/customers/${foreignCustomer.id}/shares`, { userIds: [colleague.user.id] })).status).toBe(404);
  });
});

describe('favourites', () => {
  let sales: Awaited<ReturnType<typeof makeMember>>;
  let salesApi: Api;
  let markers: { important: { id: string }; following: { id: string } };
  beforeAll(async () => {
    sales = await makeMember(h, tenant, { role: 'sales' });
    salesApi = client(h.app, sales.token);
    markers = {
      important: await dictionaryItem(h, tenant.ctx, 'favourite_marker', 1),
      following: await dictionaryItem(h, tenant.ctx, 'favourite_marker', 2),
    };
  });

  it("marks a customer as the caller's favourite and shows it on the customer", async () => {
    const customer = await makeCustomer(h, sales.ctx, { name: '收藏客户' });
    const marked = await salesApi.put(`/api/v1/customers/${customer.id}/favourite`, { markerId: markers.following.id });
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({ customerId: customer.id, customerName: '收藏客户', markerId: markers.following.id });

    const read = await salesApi.get(`/api/v1/customers/${customer.id}`);
    expect(read.body).toMatchObject({ isFavourite: true, favouriteMarkerId: markers.following.id });
    const listed = await salesApi.get('/api/v1/customers');
    expect(listed.body.items.find((c: { id: string }) => c.id === customer.id)).toMatchObject({ isFavourite: true });
    // Favourites are personal: the admin sees the customer but has not marked it.
    expect((await api.get(`/api/v1/customers/${customer.id}`)).body).toMatchObject({ isFavourite: false, favouriteMarkerId: null });

    // Changing the marker keeps one favourite (seed 004's SetCustIdentity).
    const changed = await salesApi.put(`/api/v1/customers/${customer.id}/favourite`, { markerId: markers.important.id });
    expect(changed.body.markerId).toBe(markers.important.id);
    expect((await salesApi.get('/api/v1/favourites')).body.items.filter((f: { customerId: string }) => f.customerId === customer.id)).toHaveLength(1);

    expect((await salesApi.delete(`/api/v1/customers/${customer.id}/favourite`)).status).toBe(204);
    expect((await salesApi.get(`/api/v1/customers/${customer.id}`)).body).toMatchObject({ isFavourite: false, favouriteMarkerId: null });
    // Removing again is a no-op for a visible customer.
    expect((await salesApi.delete(`/api/v1/customers/${customer.id}/favourite`)).status).toBe(204);
  });

  it("uses the dictionary's default marker when none is given, and none when null", async () => {
    const customer = await makeCustomer(h, sales.ctx);
    const byDefault = await salesApi.put(`/api/v1/customers/${customer.id}/favourite`);
    expect(byDefault.status).toBe(200);
    expect(byDefault.body.markerId).toBe(markers.important.id);
    const unmarked = await salesApi.put(`/api/v1/customers/${customer.id}/favourite`, { markerId: null });
    expect(unmarked.body.markerId).toBeNull();
    expect((await salesApi.get(`/api/v1/customers/${customer.id}`)).body).toMatchObject({ isFavourite: true, favouriteMarkerId: null });
  });

  it('refuses a marker of another dictionary and customers the caller cannot see', async () => {
    const customer = await makeCustomer(h, sales.ctx);
    const grade = await dictionaryItem(h, tenant.ctx, 'customer_grade', 1);
    const wrong = await salesApi.put(`/api/v1/customers/${customer.id}/favourite`, { markerId: grade.id });
    expect(wrong.status).toBe(422);
    expect(fields(wrong)).toEqual(['markerId']);
    expect((await salesApi.put(`/api/v1/customers/${customer.id}/favourite`, { markerId: 'x' })).status).toBe(422);

    const hidden = await makeCustomer(h, await userContext(h, tenant.adminToken), { name: '看不到' });
    expect((await salesApi.put(`/api/v1/customers/${hidden.id}/favourite`, {})).status).toBe(404);
    expect((await salesApi.delete(`/api/v1/customers/${hidden.id}/favourite`)).status).toBe(404);
    const otherTenant = await makeTenant(h);
    const foreign = await makeCustomer(h, otherTenant.ctx);
    expect((await salesApi.put(`/api/v1/customers/${foreign.id}/favourite`, {})).status).toBe(404);
  });

  it("lists the caller's favourites, newest first, by marker, in pages, leaving out customers out of sight", async () => {
    const member = await makeMember(h, tenant, { role: 'sales' });
    const memberApi = client(h.app, member.token);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const customer = await makeCustomer(h, member.ctx, { name: `收藏${i}` });
      ids.push(customer.id);
      await memberApi.put(`/api/v1/customers/${customer.id}/favourite`, { markerId: i % 2 ? markers.following.id : markers.important.id });
    }
    const all = await memberApi.get('/api/v1/favourites');
    expect(all.body.items.map((f: { customerId: string }) => f.customerId)).toEqual([...ids].reverse());
    const following = await memberApi.get(`/api/v1/favourites?markerId=${markers.following.id}`);
    expect(following.body.items.map((f: { customerName: string }) => f.customerName)).toEqual(['收藏3', '收藏1']);

    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { customerId: string }[]; nextCursor: string | null } } = await memberApi.get(`/api/v1/favourites?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...res.body.items.map((f) => f.customerId));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual([...ids].reverse());

    // Another user's favourites are their own.
    expect((await salesApi.get('/api/v1/favourites')).body.items.map((f: { customerId: string }) => f.customerId)).not.toContain(ids[0]);

    // A customer that moves out of sight, or is deleted, leaves the list.
    await h.services.customers.update(tenant.ctx, ids[0]!, { ownerId: sales.user.id });
    await h.services.customers.delete(tenant.ctx, ids[1]!);
    const after = await memberApi.get('/api/v1/favourites');
    expect(after.body.items.map((f: { customerId: string }) => f.customerId)).toEqual([ids[4], ids[3], ids[2]]);
  });
});
