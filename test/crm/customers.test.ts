import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/shared/clock.ts';
import { dictionaryItem, makeCustomer, makeCustomField, makeDepartment, makeMember, userContext } from '../helpers/crm.ts';
import { client, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

type Api = ReturnType<typeof client>;

let h: Harness;
beforeAll(async () => {
  h = await setupHarness();
});

const fields = (res: { body: { errors?: { field: string }[] } }) => (res.body.errors ?? []).map((e) => e.field);

/** Every page of a list, following nextCursor; `between` runs before each next page. */
async function walk(api: Api, url: string, between: () => Promise<void> = async () => {}) {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await api.get(`${url}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    ids.push(...res.body.items.map((c) => c.id));
    cursor = res.body.nextCursor;
    if (!cursor) return ids;
    await between();
  }
  throw new Error('too many pages');
}

describe('customer CRUD', () => {
  let tenant: TestTenant;
  let api: Api;
  beforeAll(async () => {
    tenant = await makeTenant(h);
    api = client(h.app, tenant.adminToken);
  });

  it('creates a customer with every plain field and reads it back', async () => {
    const source = await dictionaryItem(h, tenant.ctx, 'customer_source', 3);
    const grade = await dictionaryItem(h, tenant.ctx, 'customer_grade', 1);
    const kind = await dictionaryItem(h, tenant.ctx, 'customer_kind', 1);
    const type = await dictionaryItem(h, tenant.ctx, 'customer_type', 2);
    const stage = await dictionaryItem(h, tenant.ctx, 'lifecycle_stage', 2);
    const tag = await h.services.tags.create(tenant.ctx, { name: '重点' });
    const res = await api.post('/api/v1/customers', {
      name: '  武汉光谷科技有限公司 ',
      kindId: kind.id,
      typeId: type.id,
      sourceId: source.id,
      gradeId: grade.id,
      lifecycleId: stage.id,
      category: '制造业',
      phones: ['+86 138-0013-8000', '027-87654321', '13800138000'],
      email: 'info@example.com',
      address: '光谷大道 1 号',
      regionCode: '420100',
      regionName: '湖北省/武汉市',
      note: '老客户介绍',
      isLead: true,
      leadExternalId: 'clue-1',
      leadPlatform: '巨量引擎',
      isLocked: true,
      tagIds: [tag.id],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`/api/v1/customers/${res.body.id}`);
    expect(res.body).toMatchObject({
      name: '武汉光谷科技有限公司',
      namePinyin: 'wuhanguanggukejiyouxiangongsi',
      nameInitials: 'whggkjyxgs',
      kindId: kind.id,
      typeId: type.id,
      sourceId: source.id,
      gradeId: grade.id,
      lifecycleId: stage.id,
      phone: '+86 138-0013-8000',
      phones: ['13800138000', '02787654321'],
      ownerId: tenant.adminId,
      isLead: true,
      leadClaimerId: tenant.adminId,
      isLocked: true,
      createdVia: 'manual',
      tags: [{ id: tag.id, name: '重点', color: null }],
      customFields: {},
      customFieldNames: {},
      isFavourite: false,
      favouriteMarkerId: null,
      pool: { inPool: false, moves: 0, lastMovedAt: null, lastMoveKind: null, reason: null },
      lastFollowAt: null,
      noContactDays: null,
      deletedAt: null,
      version: 1,
    });
    expect(res.body.productLineId).toMatch(/^\d+$/);
    const read = await api.get(`/api/v1/customers/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
    expect(read.headers.etag).toBe('"1"');
  });

  it('changes a customer, remembering the previous owner and life-cycle stage', async () => {
    const member = await makeMember(h, tenant);
    const first = await dictionaryItem(h, tenant.ctx, 'lifecycle_stage', 1);
    const second = await dictionaryItem(h, tenant.ctx, 'lifecycle_stage', 3);
    const created = await makeCustomer(h, await userContext(h, tenant.adminToken), { name: '改名前', lifecycleId: first.id });
    const res = await api.patch(`/api/v1/customers/${created.id}`, { name: '改名后', ownerId: member.user.id, lifecycleId: second.id, note: '' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      name: '改名后',
      namePinyin: 'gaiminghou',
      ownerId: member.user.id,
      lastOwnerId: tenant.adminId,
      lifecycleId: second.id,
      lastLifecycleId: first.id,
      note: null,
      version: 2,
    });
    expect(res.headers.etag).toBe('"2"');
    expect((await api.patch(`/api/v1/customers/${created.id}`, {})).status).toBe(422);
  });

  it('refuses a stale write with 412 and accepts the current ETag', async () => {
    const created = await api.post('/api/v1/customers', { name: '并发客户' });
    const etag = created.headers.etag as string;
    const first = await api.patch(`/api/v1/customers/${created.body.id}`, { note: 'A' }, { 'if-match': etag });
    expect(first.status).toBe(200);
    const second = await api.patch(`/api/v1/customers/${created.body.id}`, { note: 'B' }, { 'if-match': etag });
    expect(second.status).toBe(412);
    expect(second.body.code).toBe('stale_version');
    expect((await api.get(`/api/v1/customers/${created.body.id}`)).body.note).toBe('A');
    expect((await api.patch(`/api/v1/customers/${created.body.id}`, { note: 'C' }, { 'if-match': first.headers.etag as string })).status).toBe(200);
    expect((await api.patch(`/api/v1/customers/${created.body.id}`, { note: 'D' }, { 'if-match': '"abc"' })).status).toBe(412);
    expect((await api.patch(`/api/v1/customers/${created.body.id}`, { note: 'E' }, { 'if-match': '*' })).status).toBe(200);
  });

  it('names the offending field of a bad write and writes nothing', async () => {
    const grade = await dictionaryItem(h, tenant.ctx, 'customer_grade', 1);
    const otherTenant = await makeTenant(h);
    const foreignTag = await h.services.tags.create(otherTenant.ctx, { name: '别家标签' });
    const foreignSource = await dictionaryItem(h, otherTenant.ctx, 'customer_source', 1);
    const cases: [Record<string, unknown>, string][] = [
      [{ name: '' }, 'name'],
      [{ name: '   ' }, 'name'],
      [{}, 'name'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ name: '好名字', phones: ['12'] }, 'phones[0]'],
      [{ name: '好名字', phones: ['13800138000', 'abc'] }, 'phones[1]'],
      [{ name: '好名字', sourceId: grade.id }, 'sourceId'],
      [{ name: '好名字', sourceId: foreignSource.id }, 'sourceId'],
      [{ name: '好名字', typeId: 'abc' }, 'typeId'],
      [{ name: '好名字', ownerId: '987654321' }, 'ownerId'],
      [{ name: '好名字', serviceOwnerId: '987654321' }, 'serviceOwnerId'],
      [{ name: '好名字', tagIds: ['987654321'] }, 'tagIds'],
      [{ name: '好名字', tagIds: [foreignTag.id] }, 'tagIds'],
      [{ name: '好名字', productLineId: '987654321' }, 'productLineId'],
      [{ name: '好名字', isWon: 'yes' }, 'isWon'],
      [{ name: '好名字', colour: 'red' }, 'colour'],
    ];
    const before = await api.get('/api/v1/customers?withTotal=true&limit=1');
    for (const [body, field] of cases) {
      const res = await api.post('/api/v1/customers', body);
      expect(res.status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`).toBe(422);
      expect(res.body.type).toBe('/problems/validation-failed');
      expect(fields(res), JSON.stringify(body)).toContain(field);
    }
    const after = await api.get('/api/v1/customers?withTotal=true&limit=1');
    expect(after.body.total).toBe(before.body.total);

    const existing = await makeCustomer(h, tenant.ctx, { name: '不被改坏' });
    const bad = await api.patch(`/api/v1/customers/${existing.id}`, { name: '改了一半', tagIds: ['987654321'] });
    expect(bad.status).toBe(422);
    const unchanged = await api.get(`/api/v1/customers/${existing.id}`);
    expect(unchanged.body).toMatchObject({ name: '不被改坏', version: 1 });
  });

  it('answers 404 for ids that do not exist or belong to another tenant', async () => {
    const otherTenant = await makeTenant(h);
    const foreign = await makeCustomer(h, otherTenant.ctx);
    for (const id of ['987654321', foreign.id]) {
      expect((await api.get(`/api/v1/customers/${id}`)).status).toBe(404);
      expect((await api.patch(`/api/v1/customers/${id}`, { note: 'x' })).status).toBe(404);
      expect((await api.delete(`/api/v1/customers/${id}`)).status).toBe(404);
      expect((await api.post(`/api/v1/customers/${id}/restore`)).status).toBe(404);
    }
    expect((await api.get('/api/v1/customers/abc')).status).toBe(422);
  });
});

describe('customer custom fields', () => {
  let tenant: TestTenant;
  let api: Api;
  let select: { key: string };
  let checkbox: { key: string };
  let amount: { key: string };
  let city: { key: string };
  let required: { key: string; id: string };
  beforeAll(async () => {
    tenant = await makeTenant(h);
    api = client(h.app, tenant.adminToken);
    select = await makeCustomField(h, tenant.ctx, 'customer', 'select', { label: '行业', options: [{ id: '11', name: '制造' }, { id: '12', name: '零售' }] });
    checkbox = await makeCustomField(h, tenant.ctx, 'customer', 'checkbox', { label: '关注点', options: [{ id: 'a', name: '价格' }, { id: 'b', name: '服务' }, { id: 'c', name: '交期' }] });
    amount = await makeCustomField(h, tenant.ctx, 'customer', 'number', { label: '年采购额' });
    city = await makeCustomField(h, tenant.ctx, 'customer', 'city', { label: '所在城市' });
    required = await makeCustomField(h, tenant.ctx, 'customer', 'input', { label: '统一社会信用代码', required: true });
  });

  it('stores valid values and resolves option names on read', async () => {
    const res = await api.post('/api/v1/customers', {
      name: '自定义字段客户',
      customFields: { [select.key]: '12', [checkbox.key]: ['a', 'c'], [amount.key]: 1500000, [city.key]: ['湖北省', '武汉市'], [required.key]: '91420100MA4K' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.customFields).toEqual({ [select.key]: '12', [checkbox.key]: ['a', 'c'], [amount.key]: 1500000, [city.key]: ['湖北省', '武汉市'], [required.key]: '91420100MA4K' });
    expect(res.body.customFieldNames).toEqual({ [select.key]: '零售', [checkbox.key]: '价格,交期', [city.key]: '湖北省/武汉市' });
    const listed = await api.get(`/api/v1/customers?q=${encodeURIComponent('自定义字段')}`);
    expect(listed.body.items[0].customFieldNames).toEqual(res.body.customFieldNames);

    // A renamed option reads back under its new name; the stored id does not change.
    const definition = (await h.services.customFields.list(tenant.ctx, 'customer')).find((d) => d.key === select.key)!;
    await h.services.customFields.update(tenant.ctx, 'customer', definition.id, { options: [{ id: '11', name: '制造' }, { id: '12', name: '新零售' }] });
    expect((await api.get(`/api/v1/customers/${res.body.id}`)).body.customFieldNames[select.key]).toBe('新零售');

    // A partial update merges; null clears one value.
    const patched = await api.patch(`/api/v1/customers/${res.body.id}`, { customFields: { [select.key]: null, [amount.key]: 2 } });
    expect(patched.status).toBe(200);
    expect(patched.body.customFields).toEqual({ [checkbox.key]: ['a', 'c'], [amount.key]: 2, [city.key]: ['湖北省', '武汉市'], [required.key]: '91420100MA4K' });
    expect(patched.body.customFieldNames).toEqual({ [checkbox.key]: '价格,交期', [city.key]: '湖北省/武汉市' });
  });

  it('refuses unknown keys, wrong types, unknown options and missing required values, naming the key', async () => {
    const base = { [required.key]: 'X1' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, input_1234567: 'x' }, 'customFields.input_1234567'],
      [{ ...base, [amount.key]: 'a lot' }, `customFields.${amount.key}`],
      [{ ...base, [select.key]: '99' }, `customFields.${select.key}`],
      [{ ...base, [select.key]: 11 }, `customFields.${select.key}`],
      [{ ...base, [checkbox.key]: ['a', 'z'] }, `customFields.${checkbox.key}`],
      [{ ...base, [checkbox.key]: 'a' }, `customFields.${checkbox.key}`],
      [{ ...base, [city.key]: '武汉' }, `customFields.${city.key}`],
      [{}, `customFields.${required.key}`],
      [{ [required.key]: '' }, `customFields.${required.key}`],
      [{ 'not a key': 1 }, 'customFields.not a key'],
    ];
    for (const [customFields, field] of cases) {
      const res = await api.post('/api/v1/customers', { name: '字段校验', customFields });
      expect(res.status, `${JSON.stringify(customFields)} → ${JSON.stringify(res.body)}`).toBe(422);
      expect(fields(res).join(' '), JSON.stringify(customFields)).toContain(field);
    }
    // Without any customFields, a required field is still missing.
    const none = await api.post('/api/v1/customers', { name: '字段校验' });
    expect(fields(none)).toEqual([`customFields.${required.key}`]);
    // Updates that leave the required field alone are fine; clearing it is not.
    const ok = await api.post('/api/v1/customers', { name: '字段校验', customFields: base });
    expect((await api.patch(`/api/v1/customers/${ok.body.id}`, { note: 'n' })).status).toBe(200);
    const cleared = await api.patch(`/api/v1/customers/${ok.body.id}`, { customFields: { [required.key]: null } });
    expect(cleared.status).toBe(422);
    expect(fields(cleared)).toEqual([`customFields.${required.key}`]);
  });

  it('filters by custom field equality, including list and number values', async () => {
    const a = await makeCustomer(h, tenant.ctx, { name: '过滤甲', customFields: { [required.key]: '1', [select.key]: '11', [checkbox.key]: ['b'], [amount.key]: 7 } });
    const b = await makeCustomer(h, tenant.ctx, { name: '过滤乙', customFields: { [required.key]: '2', [select.key]: '12', [checkbox.key]: ['a', 'b'] } });
    const ids = async (query: string) => {
      const res = await api.get(`/api/v1/customers?limit=500&${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.items as { id: string }[]).map((c) => c.id).filter((id) => id === a.id || id === b.id).sort();
    };
    expect(await ids(`customField=${select.key}:11`)).toEqual([a.id]);
    expect(await ids(`customField=${checkbox.key}:b`)).toEqual([a.id, b.id].sort());
    expect(await ids(`customField=${checkbox.key}:a&customField=${select.key}:12`)).toEqual([b.id]);
    expect(await ids(`customField=${checkbox.key}:a&customField=${select.key}:11`)).toEqual([]);
    expect(await ids(`customField=${amount.key}:7`)).toEqual([a.id]);
    expect((await api.get('/api/v1/customers?customField=nonsense')).status).toBe(422);

    // The filter follows a change of the values, and a refused change leaves them as they were.
    expect((await api.patch(`/api/v1/customers/${a.id}`, { customFields: { [select.key]: '12', [amount.key]: 8 } })).status).toBe(200);
    expect(await ids(`customField=${select.key}:12`)).toEqual([a.id, b.id].sort());
    expect(await ids(`customField=${amount.key}:7`)).toEqual([]);
    expect((await api.patch(`/api/v1/customers/${a.id}`, { customFields: { [amount.key]: 9 }, tagIds: ['999999'] })).status).toBe(422);
    expect(await ids(`customField=${amount.key}:8`)).toEqual([a.id]);
    expect(await ids(`customField=${amount.key}:9`)).toEqual([]);
  });
});

describe('customer delete and restore', () => {
  let tenant: TestTenant;
  let api: Api;
  beforeAll(async () => {
    tenant = await makeTenant(h);
    api = client(h.app, tenant.adminToken);
  });

  it('hides a deleted customer from lists and reads until it is restored', async () => {
    const customer = await makeCustomer(h, tenant.ctx, { name: '将被删除' });
    const listIds = async (query = '') => ((await api.get(`/api/v1/customers?limit=500${query}`)).body.items as { id: string }[]).map((c) => c.id);
    expect(await listIds()).toContain(customer.id);

    expect((await api.delete(`/api/v1/customers/${customer.id}`)).status).toBe(204);
    expect(await listIds()).not.toContain(customer.id);
    expect((await api.get(`/api/v1/customers/${customer.id}`)).status).toBe(404);
    expect((await api.patch(`/api/v1/customers/${customer.id}`, { note: 'x' })).status).toBe(404);
    expect((await api.delete(`/api/v1/customers/${customer.id}`)).status).toBe(404);
    expect(await listIds('&deleted=true')).toEqual([customer.id]);
    const deleted = await api.get('/api/v1/customers?deleted=true');
    expect(deleted.body.items[0].deletedAt).not.toBeNull();

    const restored = await api.post(`/api/v1/customers/${customer.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ id: customer.id, deletedAt: null, version: 3 });
    expect(await listIds()).toContain(customer.id);
    expect((await api.get(`/api/v1/customers/${customer.id}`)).status).toBe(200);
    expect(await listIds('&deleted=true')).toEqual([]);
    // Restoring what is not deleted changes nothing.
    expect((await api.post(`/api/v1/customers/${customer.id}/restore`)).body.version).toBe(3);
  });

  it('honours If-Match on delete and audits delete and restore by name', async () => {
    const customer = await makeCustomer(h, tenant.ctx, { name: '版本删除' });
    const stale = await api.delete(`/api/v1/customers/${customer.id}`, { 'if-match': '"999"' });
    expect(stale.status).toBe(412);
    expect((await api.get(`/api/v1/customers/${customer.id}`)).status).toBe(200);
    expect((await api.delete(`/api/v1/customers/${customer.id}`, { 'if-match': `"${customer.version}"` })).status).toBe(204);
    expect((await api.post(`/api/v1/customers/${customer.id}/restore`)).status).toBe(200);
    const log = await api.get(`/api/v1/audit-log?entity=customer&entityId=${customer.id}`);
    expect((log.body.items as { action: string }[]).map((e) => e.action)).toEqual(['restore', 'delete', 'create']);
  });

  it('audits a change of tags on update', async () => {
    const customer = await makeCustomer(h, tenant.ctx, { name: '标签审计' });
    const tag = await api.post('/api/v1/tags', { name: `审计标签${Date.now()}` });
    expect(tag.status).toBe(201);
    expect((await api.patch(`/api/v1/customers/${customer.id}`, { tagIds: [tag.body.id] })).status).toBe(200);
    const log = await api.get(`/api/v1/audit-log?entity=customer&entityId=${customer.id}`);
    expect(log.body.items[0]).toMatchObject({ action: 'update', changes: { tag_ids: { before: [], after: [tag.body.id] } } });
  });

  it('needs customers:delete to delete, restore or list deleted customers', async () => {
    const sales = await makeMember(h, tenant, { role: 'sales' });
    const salesApi = client(h.app, sales.token);
    const own = await makeCustomer(h, sales.ctx, { name: '销售自己的' });
    const del = await salesApi.delete(`/api/v1/customers/${own.id}`);
    expect(del.status).toBe(403);
    expect(del.body.code).toBe('missing_permission');
    expect((await salesApi.get(`/api/v1/customers/${own.id}`)).status).toBe(200);
    await h.services.customers.delete(tenant.ctx, own.id);
    expect((await salesApi.post(`/api/v1/customers/${own.id}/restore`)).status).toBe(403);
    expect((await salesApi.get('/api/v1/customers?deleted=true')).status).toBe(403);
  });
});

describe('duplicate check', () => {
  let tenant: TestTenant;
  let api: Api;
  let acme: string;
  let other: string;
  beforeAll(async () => {
    tenant = await makeTenant(h);
    api = client(h.app, tenant.adminToken);
    const admin = await userContext(h, tenant.adminToken);
    acme = (await makeCustomer(h, admin, { name: 'Acme Trading', phones: ['+86 139 0000 1111', '027-1234567'] })).id;
    other = (await makeCustomer(h, tenant.ctx, { name: '其他公司', phones: ['13900001111'] })).id;
  });

  const dup = async (query: string) => {
    const res = await api.get(`/api/v1/customers/duplicates?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.items as { id: string }[]).map((d) => d.id).sort();
  };

  it('finds the same name, whatever the case and surrounding spaces', async () => {
    expect(await dup('name=acme%20trading')).toEqual([acme]);
    expect(await dup('name=%20ACME%20TRADING%20')).toEqual([acme]);
    expect(await dup('name=Acme')).toEqual([]);
    const res = await api.get('/api/v1/customers/duplicates?name=acme%20trading');
    expect(res.body.items[0]).toEqual({ id: acme, name: 'Acme Trading', phones: ['13900001111', '0271234567'], ownerId: tenant.adminId, inPool: false });
  });

  it('finds a shared phone however it is written', async () => {
    expect(await dup('phone=13900001111')).toEqual([acme, other].sort());
    expect(await dup('phone=%2B86-139-0000-1111')).toEqual([acme, other].sort());
    expect(await dup('phone=027%201234567')).toEqual([acme]);
    expect(await dup('phone=1111')).toEqual([]);
  });

  it('leaves out the customer being edited, and deleted ones', async () => {
    expect(await dup(`phone=13900001111&excludeId=${acme}`)).toEqual([other]);
    expect(await dup(`name=acme%20trading&excludeId=${acme}`)).toEqual([]);
    const gone = await makeCustomer(h, tenant.ctx, { name: '已删除重名' });
    await h.services.customers.delete(tenant.ctx, gone.id);
    expect(await dup(`name=${encodeURIComponent('已删除重名')}`)).toEqual([]);
  });

  it('checks the whole tenant, not only what the caller sees, and never another tenant', async () => {
    const sales = await makeMember(h, tenant, { role: 'sales' });
    const res = await client(h.app, sales.token).get('/api/v1/customers/duplicates?name=acme%20trading');
    expect(res.body.items.map((d: { id: string }) => d.id)).toEqual([acme]);
    const otherTenant = await makeTenant(h);
    const foreign = await client(h.app, otherTenant.adminToken).get('/api/v1/customers/duplicates?name=acme%20trading');
    expect(foreign.body.items).toEqual([]);
  });

  it('needs a name or a phone', async () => {
    const res = await api.get('/api/v1/customers/duplicates');
    expect(res.status).toBe(422);
    expect(fields(res)).toContain('name');
  });
});

describe('customer list paging', () => {
  let tenant: TestTenant;
  let api: Api;
  let original: string[];
  beforeAll(async () => {
    tenant = await makeTenant(h);
    api = client(h.app, tenant.adminToken);
    // Groups of customers share the same created/updated time so that ties must be broken by id.
    const clock = fixedClock('2025-03-01T08:00:00.000Z');
    const ctx = { ...tenant.ctx, clock };
    original = [];
    for (let i = 0; i < 13; i++) {
      if (i % 3 === 0) clock.advance(60_000);
      original.push((await makeCustomer(h, ctx, { name: `分页客户${i}` })).id);
    }
    // Latest follow-ups: some tied, some missing (those sort last).
    const at = ['2025-02-01T00:00:00Z', '2025-02-01T00:00:00Z', '2025-02-03T00:00:00Z', null, '2025-01-15T00:00:00Z', null, '2025-02-01T00:00:00Z', null, '2025-03-01T00:00:00Z', null, null, '2025-02-03T00:00:00Z', null];
    for (const [i, id] of original.entries()) {
      await h.database.db.updateTable('customer').set({ last_follow_at: at[i] ? new Date(at[i]!) : null }).where('tenant_id', '=', tenant.id).where('id', '=', id).execute();
    }
  });

  for (const sort of ['updatedAt', 'createdAt', 'lastFollowAt'] as const) {
    for (const order of ['desc', 'asc'] as const) {
      it(`walks every row exactly once sorted by ${sort} ${order}, even while rows are inserted`, async () => {
        const expected = (await walk(api, `/api/v1/customers?limit=500&sort=${sort}&order=${order}`)).filter((id) => original.includes(id));
        expect(expected).toHaveLength(original.length);
        const inserted: string[] = [];
        const seen = await walk(api, `/api/v1/customers?limit=4&sort=${sort}&order=${order}`, async () => {
          inserted.push((await makeCustomer(h, tenant.ctx, { name: '翻页时新增' })).id);
        });
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.filter((id) => original.includes(id))).toEqual(expected);
        expect(seen.every((id) => original.includes(id) || inserted.includes(id))).toBe(true);
        // Clean up so the next walk sees the same original set first.
        for (const id of inserted) await h.services.customers.delete(tenant.ctx, id);
      });
    }
  }

  it('orders by the sort field with customers lacking it last', async () => {
    const res = await api.get('/api/v1/customers?limit=500&sort=lastFollowAt&order=desc');
    const rows = (res.body.items as { id: string; lastFollowAt: string | null }[]).filter((c) => original.includes(c.id));
    const times = rows.map((r) => (r.lastFollowAt ? Date.parse(r.lastFollowAt) : null));
    const firstNull = times.indexOf(null);
    expect(firstNull).toBe(7);
    expect(times.slice(firstNull).every((t) => t === null)).toBe(true);
    const known = times.slice(0, firstNull) as number[];
    expect(known).toEqual([...known].sort((a, b) => b - a));
    const asc = await api.get('/api/v1/customers?limit=500&sort=lastFollowAt&order=asc');
    expect((asc.body.items as { lastFollowAt: string | null }[]).at(-1)!.lastFollowAt).toBeNull();
  });

  it('counts all matches on request', async () => {
    const res = await api.get('/api/v1/customers?limit=2&withTotal=true');
    expect(res.body.items).toHaveLength(2);
    expect(res.body.total).toBe(13);
    expect((await api.get('/api/v1/customers?limit=2')).body.total).toBeUndefined();
    expect((await api.get(`/api/v1/customers?limit=2&withTotal=true&q=${encodeURIComponent('分页客户1')}`)).body.total).toBe(4);
  });

  it('refuses a cursor it did not issue', async () => {
    for (const cursor of ['garbage', Buffer.from('[1]').toString('base64url'), Buffer.from('["x","y"]').toString('base64url')]) {
      const res = await api.get(`/api/v1/customers?cursor=${cursor}`);
      expect(res.status, cursor).toBe(422);
      expect(fields(res)).toContain('cursor');
    }
    expect((await api.get('/api/v1/customers?limit=0')).status).toBe(422);
    expect((await api.get('/api/v1/customers?sort=name')).status).toBe(422);
  });
});

describe('customer list filters', () => {
  let tenant: TestTenant;
  let api: Api;
  const ids: Record<string, string> = {};
  let member: Awaited<ReturnType<typeof makeMember>>;
  let department: { id: string };
  let tag: { id: string };
  let typeA: { id: string };
  let typeB: { id: string };
  let source: { id: string };
  beforeAll(async () => {
    tenant = await makeTenant(h);
    api = client(h.app, tenant.adminToken);
    department = await makeDepartment(h, tenant, '华中大区');
    member = await makeMember(h, tenant, { role: 'sales', departmentId: department.id });
    tag = await h.services.tags.create(tenant.ctx, { name: 'VIP' });
    typeA = await dictionaryItem(h, tenant.ctx, 'customer_type', 2);
    typeB = await dictionaryItem(h, tenant.ctx, 'customer_type', 5);
    source = await dictionaryItem(h, tenant.ctx, 'customer_source', 4);
    const admin = await userContext(h, tenant.adminToken);
    ids.plain = (await makeCustomer(h, admin, { name: '普通', typeId: typeA.id })).id;
    ids.members = (await makeCustomer(h, admin, { name: '成员的', ownerId: member.user.id, typeId: typeB.id, sourceId: source.id })).id;
    ids.tagged = (await makeCustomer(h, admin, { name: '打标签', tagIds: [tag.id], sourceId: source.id })).id;
    ids.pool = (await makeCustomer(h, admin, { name: '公海里', ownerId: null })).id;
    await h.database.db.updateTable('customer').set({ in_pool: true }).where('tenant_id', '=', tenant.id).where('id', '=', ids.pool).execute();
  });

  const names = async (query: string) => {
    const res = await api.get(`/api/v1/customers?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.items as { name: string }[]).map((c) => c.name).sort();
  };

  it('filters by owner and owner department', async () => {
    expect(await names(`ownerId=${member.user.id}`)).toEqual(['成员的']);
    expect(await names(`departmentId=${department.id}`)).toEqual(['成员的']);
    expect(await names(`ownerId=${tenant.adminId}`)).toEqual(['打标签', '普通']);
  });

  it('filters by type, source and tag', async () => {
    expect(await names(`typeId=${typeA.id}`)).toEqual(['普通']);
    expect(await names(`typeId=${typeB.id}`)).toEqual(['成员的']);
    expect(await names(`sourceId=${source.id}`)).toEqual(['成员的', '打标签']);
    expect(await names(`tagId=${tag.id}`)).toEqual(['打标签']);
    expect(await names(`tagId=${tag.id}&sourceId=${source.id}`)).toEqual(['打标签']);
  });

  it('filters by pool state', async () => {
    expect(await names('inPool=true')).toEqual(['公海里']);
    expect(await names('inPool=false')).toEqual(['成员的', '打标签', '普通']);
  });

  it('filters by latest follow-up time', async () => {
    await h.database.db.updateTable('customer').set({ last_follow_at: new Date('2025-05-01T00:00:00Z') }).where('tenant_id', '=', tenant.id).where('id', '=', ids.plain!).execute();
    expect(await names('lastFollowAfter=2025-04-30T00:00:00Z')).toEqual(['普通']);
    expect(await names('lastFollowBefore=2025-04-30T00:00:00Z')).toEqual([]);
    expect(await names('lastFollowBefore=2025-05-02T00:00:00%2B08:00')).toEqual(['普通']);
  });

  it('refuses malformed filters, naming them', async () => {
    for (const [query, field] of [
      ['ownerId=abc', 'ownerId'],
      ['inPool=maybe', 'inPool'],
      ['lastFollowAfter=yesterday', 'lastFollowAfter'],
      ['colour=red', 'colour'],
    ]) {
      const res = await api.get(`/api/v1/customers?${query}`);
      expect(res.status, query).toBe(422);
      expect(fields(res).join(' '), query).toContain(field);
    }
  });
});
