import { beforeAll, describe, expect, it } from 'vitest';
import { DICTIONARY_NAMES } from '../../src/core/dictionaries/catalog.ts';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

interface Item {
  id: string;
  dictionary: string;
  code: number;
  parentId: string | null;
  name: string;
  color: string | null;
  sort: number;
  isDefault: boolean;
  isActive: boolean;
  version: number;
}

const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

/** The code → name pairs the seed documents rely on (seeds 004 and 001). */
const SEEDED: Record<string, [number, string][]> = {
  contact_purpose: [
    [1, '销售联系'],
    [2, '客户关怀'],
    [3, '售后回访'],
    [4, '投诉回访'],
    [5, '服务支持'],
    [6, '维修维护'],
    [7, '实施培训'],
  ],
  contact_route: [
    [1, '电话'],
    [2, '信函'],
    [3, '邮件'],
    [4, '上门'],
  ],
  visit_event: [
    [1, '接入'],
    [2, '走访拜访'],
    [3, '电话拜访'],
    [4, '签约'],
    [5, '售后'],
  ],
  customer_kind: [
    [1, '企业客户'],
    [2, '个人客户'],
  ],
};

const WITH_ONE_DEFAULT = ['follow_up_type', 'customer_source', 'lifecycle_stage', 'customer_grade', 'opportunity_stage', 'favourite_marker'];

describe('dictionaries', () => {
  let h: Harness;
  let tenant: TestTenant;
  let admin: ReturnType<typeof client>;
  let sales: ReturnType<typeof client>;
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    admin = client(h.app, tenant.adminToken);
    sales = client(h.app, (await makeUser(h, tenant, { role: 'sales' })).token);
  });

  const items = async (dictionary: string, query = ''): Promise<Item[]> => {
    const res = await admin.get(`/api/v1/dictionaries/${dictionary}/items${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items;
  };

  describe('catalogue and seeded defaults', () => {
    it('lists every dictionary with a description and whether it is a tree', async () => {
      const res = await admin.get('/api/v1/dictionaries');
      expect(res.status).toBe(200);
      const names = res.body.items.map((d: { name: string }) => d.name);
      expect(names.sort()).toEqual([...DICTIONARY_NAMES].sort());
      for (const required of [...Object.keys(SEEDED), ...WITH_ONE_DEFAULT, 'customer_type']) expect(names).toContain(required);
      for (const d of res.body.items) {
        expect(d.description.length, d.name).toBeGreaterThan(0);
        expect(d.hierarchical, d.name).toBe(d.name === 'customer_type');
      }
    });

    it('lets any signed-in user read the catalogue and items', async () => {
      expect((await sales.get('/api/v1/dictionaries')).status).toBe(200);
      const res = await sales.get('/api/v1/dictionaries/contact_route/items');
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(4);
      expect((await client(h.app).get('/api/v1/dictionaries')).status).toBe(401);
    });

    for (const [dictionary, expected] of Object.entries(SEEDED)) {
      it(`seeds ${dictionary} with codes ${expected[0]![0]}–${expected.at(-1)![0]} as the seeds document them`, async () => {
        const list = await items(dictionary);
        expect(list.map((i) => [i.code, i.name])).toEqual(expected);
        for (const item of list) {
          expect(item.dictionary).toBe(dictionary);
          expect(item.parentId).toBeNull();
          expect(item.isActive).toBe(true);
          expect(item.id).toMatch(/^\d+$/);
        }
      });
    }

    it('seeds customer_type as a tree', async () => {
      const list = await items('customer_type');
      const ids = new Set(list.map((i) => i.id));
      const roots = list.filter((i) => i.parentId === null);
      const children = list.filter((i) => i.parentId !== null);
      expect(roots.length).toBeGreaterThan(0);
      expect(children.length).toBeGreaterThan(0);
      for (const child of children) expect(ids.has(child.parentId!), child.name).toBe(true);
      for (const child of children) expect(roots.map((r) => r.id)).toContain(child.parentId);
      expect(list.filter((i) => i.isDefault)).toHaveLength(1);
    });

    for (const dictionary of WITH_ONE_DEFAULT) {
      it(`seeds ${dictionary} non-empty with exactly one default`, async () => {
        const list = await items(dictionary);
        expect(list.length).toBeGreaterThan(1);
        expect(list.filter((i) => i.isDefault)).toHaveLength(1);
        expect(new Set(list.map((i) => i.code)).size).toBe(list.length);
        for (const item of list) expect(item.name.trim().length).toBeGreaterThan(0);
      });
    }

    it('gives favourite markers colours', async () => {
      for (const item of await items('favourite_marker')) expect(item.color).toMatch(/^#[0-9a-f]{6}$/i);
    });

    it('lists items in display order', async () => {
      const list = await items('contact_purpose');
      const sorts = list.map((i) => i.sort);
      expect(sorts).toEqual([...sorts].sort((a, b) => a - b));
    });

    it('reads several dictionaries in one call exactly as one by one, in the tenant only', async () => {
      const other = await makeTenant(h);
      const names = ['customer_kind', 'contact_route', 'favourite_marker'] as const;
      const together = await h.services.dictionaries.listItemsOf(tenant.ctx, names, { includeInactive: true });
      expect([...together.keys()]).toEqual(names);
      for (const name of names) {
        const alone = await h.services.dictionaries.listItems(tenant.ctx, name, { includeInactive: true });
        expect(alone.length).toBeGreaterThan(0);
        expect(together.get(name)).toEqual(alone);
        expect(together.get(name)!.map((i) => i.tenant_id)).toEqual(alone.map(() => tenant.ctx.tenant.id));
      }
      expect((await h.services.dictionaries.listItemsOf(other.ctx, ['contact_route'])).get('contact_route')!.map((i) => i.tenant_id)).toEqual(
        SEEDED.contact_route!.map(() => other.ctx.tenant.id),
      );
    });

    it('seeds every new tenant with its own copy', async () => {
      const other = await makeTenant(h);
      const theirs = (await client(h.app, other.adminToken).get('/api/v1/dictionaries/contact_purpose/items')).body.items as Item[];
      const mine = await items('contact_purpose');
      expect(theirs.map((i) => [i.code, i.name])).toEqual(SEEDED.contact_purpose);
      const mineIds = new Set(mine.map((i) => i.id));
      for (const item of theirs) expect(mineIds.has(item.id)).toBe(false);
      // Another tenant's item is as absent as a missing one.
      expect((await admin.get(`/api/v1/dictionaries/contact_purpose/items/${theirs[0]!.id}`)).status).toBe(404);
      expect((await admin.patch(`/api/v1/dictionaries/contact_purpose/items/${theirs[0]!.id}`, { name: 'x' })).status).toBe(404);
    });
  });

  describe('creating items', () => {
    it('gives a new item the next free code when none is given', async () => {
      const before = await items('follow_up_type', '?includeInactive=true');
      const max = Math.max(...before.map((i) => i.code));
      const res = await admin.post('/api/v1/dictionaries/follow_up_type/items', { name: '展会邀约' });
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`/api/v1/dictionaries/follow_up_type/items/${res.body.id}`);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toMatchObject({ dictionary: 'follow_up_type', code: max + 1, name: '展会邀约', parentId: null, color: null, isDefault: false, isActive: true, version: 1 });
      const next = await admin.post('/api/v1/dictionaries/follow_up_type/items', { name: '直播' });
      expect(next.body.code).toBe(max + 2);
      const read = await admin.get(`/api/v1/dictionaries/follow_up_type/items/${res.body.id}`);
      expect(read.body).toEqual(res.body);
    });

    it('takes an explicit code, and the next free one continues after it', async () => {
      const res = await admin.post('/api/v1/dictionaries/customer_source/items', { name: '老客户转介绍', code: 100, color: '#1677ff', sort: 5 });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ code: 100, color: '#1677ff', sort: 5 });
      const next = await admin.post('/api/v1/dictionaries/customer_source/items', { name: '地推' });
      expect(next.body.code).toBe(101);
    });

    it('refuses an explicit code that is taken with 409 naming code', async () => {
      const res = await admin.post('/api/v1/dictionaries/contact_route/items', { name: '微信', code: 2 });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ type: '/problems/conflict', code: 'code_taken' });
      expect(fields(res.body)).toEqual(['code']);
      expect((await items('contact_route')).map((i) => i.name)).not.toContain('微信');
    });

    it('allows the same code in different dictionaries', async () => {
      const res = await admin.post('/api/v1/dictionaries/lifecycle_stage/items', { name: 'Code 500', code: 500 });
      const other = await admin.post('/api/v1/dictionaries/customer_grade/items', { name: 'Code 500', code: 500 });
      expect(res.status).toBe(201);
      expect(other.status).toBe(201);
    });

    it('refuses a parent on a flat dictionary with 422 naming parentId', async () => {
      const [phone] = await items('contact_route');
      const res = await admin.post('/api/v1/dictionaries/contact_route/items', { name: '手机', parentId: phone!.id });
      expect(res.status).toBe(422);
      expect(fields(res.body)).toEqual(['parentId']);
      expect((await items('contact_route')).map((i) => i.name)).not.toContain('手机');
    });

    it('adds a child in the customer_type tree', async () => {
      const direct = (await items('customer_type')).find((i) => i.name === '直接客户')!;
      const res = await admin.post('/api/v1/dictionaries/customer_type/items', { name: '战略客户', parentId: direct.id });
      expect(res.status).toBe(201);
      expect(res.body.parentId).toBe(direct.id);
    });

    it('refuses a parent from another dictionary or that does not exist', async () => {
      const [route] = await items('contact_route');
      const foreign = await admin.post('/api/v1/dictionaries/customer_type/items', { name: 'Foreign parent', parentId: route!.id });
      expect(foreign.status).toBe(422);
      expect(foreign.body.code).toBe('reference_not_found');
      expect(fields(foreign.body)).toEqual(['parentId']);
      const missing = await admin.post('/api/v1/dictionaries/customer_type/items', { name: 'No parent', parentId: '987654321' });
      expect(missing.status).toBe(422);
      expect(fields(missing.body)).toEqual(['parentId']);
    });

    it('refuses a bad colour, a zero code and a blank name, naming each', async () => {
      const colour = await admin.post('/api/v1/dictionaries/customer_grade/items', { name: 'Bad colour', color: 'red' });
      expect(colour.status).toBe(422);
      expect(fields(colour.body)).toEqual(['color']);
      const code = await admin.post('/api/v1/dictionaries/customer_grade/items', { name: 'Zero', code: 0 });
      expect(code.status).toBe(422);
      expect(fields(code.body)).toEqual(['code']);
      const blank = await admin.post('/api/v1/dictionaries/customer_grade/items', { name: '   ' });
      expect(blank.status).toBe(422);
      expect(fields(blank.body)).toEqual(['name']);
    });

    it('moves the default when a new item is created as the default', async () => {
      const res = await admin.post('/api/v1/dictionaries/opportunity_stage/items', { name: '新默认', isDefault: true });
      expect(res.status).toBe(201);
      const defaults = (await items('opportunity_stage')).filter((i) => i.isDefault);
      expect(defaults.map((i) => i.id)).toEqual([res.body.id]);
    });
  });

  describe('changing items', () => {
    it('moves the default with isDefault: true', async () => {
      const list = await items('lifecycle_stage');
      const former = list.find((i) => i.isDefault)!;
      const chosen = list.find((i) => !i.isDefault)!;
      const res = await admin.patch(`/api/v1/dictionaries/lifecycle_stage/items/${chosen.id}`, { isDefault: true });
      expect(res.status).toBe(200);
      expect(res.body.isDefault).toBe(true);
      const after = await items('lifecycle_stage');
      expect(after.filter((i) => i.isDefault).map((i) => i.id)).toEqual([chosen.id]);
      const formerNow = after.find((i) => i.id === former.id)!;
      expect(formerNow.isDefault).toBe(false);
      expect(formerNow.version).toBe(former.version + 1);
    });

    it('hides a deactivated item from the list unless includeInactive=true, and still reads it by id', async () => {
      const target = (await items('visit_event')).find((i) => i.code === 5)!;
      const res = await admin.patch(`/api/v1/dictionaries/visit_event/items/${target.id}`, { isActive: false });
      expect(res.status).toBe(200);
      expect(res.body.isActive).toBe(false);

      expect((await items('visit_event')).map((i) => i.code)).toEqual([1, 2, 3, 4]);
      const all = await items('visit_event', '?includeInactive=true');
      expect(all.map((i) => i.code)).toEqual([1, 2, 3, 4, 5]);
      expect(all.find((i) => i.code === 5)!.isActive).toBe(false);
      expect(await items('visit_event', '?includeInactive=false')).toHaveLength(4);

      const read = await admin.get(`/api/v1/dictionaries/visit_event/items/${target.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ code: 5, name: '售后', isActive: false });

      expect((await admin.patch(`/api/v1/dictionaries/visit_event/items/${target.id}`, { isActive: true })).status).toBe(200);
      expect((await items('visit_event')).map((i) => i.code)).toEqual([1, 2, 3, 4, 5]);
    });

    it('renames, recolours and reorders an item, keeping its code', async () => {
      const target = (await items('favourite_marker'))[0]!;
      const res = await admin.patch(`/api/v1/dictionaries/favourite_marker/items/${target.id}`, { name: '非常重要', color: '#000000', sort: 1 }, { 'if-match': `"${target.version}"` });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ code: target.code, name: '非常重要', color: '#000000', sort: 1, version: target.version + 1 });
      expect(res.headers.etag).toBe(`"${target.version + 1}"`);
    });

    it('refuses to change a code (422 naming code)', async () => {
      const target = (await items('contact_purpose'))[0]!;
      const res = await admin.patch(`/api/v1/dictionaries/contact_purpose/items/${target.id}`, { code: 42 });
      expect(res.status).toBe(422);
      expect(fields(res.body)).toEqual(['code']);
      const after = await admin.get(`/api/v1/dictionaries/contact_purpose/items/${target.id}`);
      expect(after.body.code).toBe(1);
      expect(after.body.version).toBe(target.version);
    });

    it('refuses to move a tree item under its own child', async () => {
      const list = await items('customer_type');
      const parent = list.find((i) => i.name === '渠道客户')!;
      const child = list.find((i) => i.parentId === parent.id)!;
      const res = await admin.patch(`/api/v1/dictionaries/customer_type/items/${parent.id}`, { parentId: child.id });
      expect(res.status).toBe(422);
      expect(fields(res.body)).toEqual(['parentId']);
      const self = await admin.patch(`/api/v1/dictionaries/customer_type/items/${parent.id}`, { parentId: parent.id });
      expect(self.status).toBe(422);
      expect((await admin.get(`/api/v1/dictionaries/customer_type/items/${parent.id}`)).body.parentId).toBeNull();
    });

    it('refuses a parent on a flat dictionary when changing', async () => {
      const [a, b] = await items('contact_route');
      const res = await admin.patch(`/api/v1/dictionaries/contact_route/items/${b!.id}`, { parentId: a!.id });
      expect(res.status).toBe(422);
      expect(fields(res.body)).toEqual(['parentId']);
    });

    it("answers an item under another dictionary's path with 404", async () => {
      const [route] = await items('contact_route');
      expect((await admin.get(`/api/v1/dictionaries/contact_purpose/items/${route!.id}`)).status).toBe(404);
      expect((await admin.patch(`/api/v1/dictionaries/contact_purpose/items/${route!.id}`, { name: 'x' })).status).toBe(404);
      expect((await items('contact_route'))[0]!.name).toBe(route!.name);
    });
  });

  describe('bad input and permissions', () => {
    it('answers an unknown dictionary with a 4xx problem, never a 500', async () => {
      const attempts = [
        await admin.get('/api/v1/dictionaries/no_such_dict/items'),
        await admin.post('/api/v1/dictionaries/no_such_dict/items', { name: 'x' }),
        await admin.get('/api/v1/dictionaries/no_such_dict/items/1'),
        await admin.patch('/api/v1/dictionaries/no_such_dict/items/1', { name: 'x' }),
      ];
      for (const res of attempts) {
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.code).toBeTruthy();
      }
    });

    it('refuses a sales user every write with 403', async () => {
      const [route] = await items('contact_route');
      const create = await sales.post('/api/v1/dictionaries/contact_route/items', { name: '传真' });
      expect(create.status).toBe(403);
      expect(create.body).toMatchObject({ type: '/problems/forbidden', code: 'missing_permission' });
      expect(create.body.detail).toContain('dictionaries:manage');
      const update = await sales.patch(`/api/v1/dictionaries/contact_route/items/${route!.id}`, { name: '座机' });
      expect(update.status).toBe(403);
      const after = await items('contact_route');
      expect(after.map((i) => i.name)).not.toContain('传真');
      expect(after[0]!.name).toBe(route!.name);
    });

    it('refuses unknown fields when creating', async () => {
      const res = await admin.post('/api/v1/dictionaries/contact_route/items', { name: 'x', label: 'y' });
      expect(res.status).toBe(422);
      expect(fields(res.body)).toEqual(['label']);
    });
  });
});
