import { beforeAll, describe, expect, it } from 'vitest';
import { makeCustomer, makeMember } from '../helpers/crm.ts';
import { client, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

type Api = ReturnType<typeof client>;

const fields = (res: { body: { errors?: { field: string }[] } }) => (res.body.errors ?? []).map((e) => e.field);

describe('custom field definitions', () => {
  let h: Harness;
  let tenant: TestTenant;
  let api: Api;
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    api = client(h.app, tenant.adminToken);
  });

  it('defines a select field with generated key and option ids, and reads it back', async () => {
    expect((await api.get('/api/v1/custom-fields/customer')).body.items).toEqual([]);
    const created = await api.post('/api/v1/custom-fields/customer', { kind: 'select', label: ' 行业 ', options: [{ name: '制造' }, { name: '零售', id: '484020435193692160' }], sort: 5 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.headers.location).toBe(`/api/v1/custom-fields/customer/${created.body.id}`);
    expect(created.body).toMatchObject({ module: 'customer', kind: 'select', label: '行业', required: false, sort: 5, isActive: true, version: 1 });
    expect(created.body.key).toMatch(/^select_\d{6,19}$/);
    expect(created.body.options).toEqual([
      { id: expect.stringMatching(/^\d+$/), name: '制造', parentId: null },
      { id: '484020435193692160', name: '零售', parentId: null },
    ]);
    const read = await api.get(`/api/v1/custom-fields/customer/${created.body.id}`);
    expect(read.body).toEqual(created.body);
    expect((await api.get('/api/v1/custom-fields/customer')).body.items).toEqual([created.body]);
  });

  it('keeps the seeds\' key style and refuses a key that is taken or does not fit the kind', async () => {
    const created = await api.post('/api/v1/custom-fields/customer', { kind: 'input', key: 'input_1680509561692', label: '备注二' });
    expect(created.status).toBe(201);
    expect(created.body.key).toBe('input_1680509561692');
    const taken = await api.post('/api/v1/custom-fields/customer', { kind: 'input', key: 'input_1680509561692', label: '重复' });
    expect(taken.status).toBe(409);
    expect(fields(taken)).toEqual(['key']);
    // The same key in another module is another field.
    expect((await api.post('/api/v1/custom-fields/contact', { kind: 'input', key: 'input_1680509561692', label: '联系人备注' })).status).toBe(201);
    const mismatch = await api.post('/api/v1/custom-fields/customer', { kind: 'textarea', key: 'input_1680158327352', label: '不对' });
    expect(mismatch.status).toBe(422);
    expect(fields(mismatch)).toEqual(['key']);
  });

  it('refuses bad definitions, naming the field', async () => {
    for (const [body, field] of [
      [{ kind: 'colour', label: 'x' }, 'kind'],
      [{ kind: 'input' }, 'label'],
      [{ kind: 'input', label: '   ' }, 'label'],
      [{ kind: 'select', label: '无选项' }, 'options'],
      [{ kind: 'input', label: '有选项', options: [{ name: 'a' }] }, 'options'],
      [{ kind: 'radio', label: '重复 id', options: [{ id: '1', name: 'a' }, { id: '1', name: 'b' }] }, 'options'],
      [{ kind: 'select', label: '有父级', options: [{ id: '1', name: 'a' }, { id: '2', name: 'b', parentId: '1' }] }, 'options[1].parentId'],
      [{ kind: 'cascade', label: '父级不存在', options: [{ id: '1', name: 'a', parentId: '9' }] }, 'options[0].parentId'],
      [{ kind: 'select', label: '空名', options: [{ name: '  ' }] }, 'options[0].name'],
      [{ kind: 'input', label: 'x', extra: 1 }, 'extra'],
    ] as const) {
      const res = await api.post('/api/v1/custom-fields/customer', body);
      expect(res.status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`).toBe(422);
      expect(fields(res), JSON.stringify(body)).toContain(field);
    }
  });

  it('changes label, options, requiredness and order, but never kind or key', async () => {
    const created = await api.post('/api/v1/custom-fields/opportunity', { kind: 'radio', label: '紧急程度', options: [{ id: '1', name: '低' }, { id: '2', name: '高' }] });
    const url = `/api/v1/custom-fields/opportunity/${created.body.id}`;
    const changed = await api.patch(url, { label: '优先级', options: [{ id: '1', name: '低' }, { id: '2', name: '高' }, { id: '3', name: '最高' }], required: true, sort: 9 }, { 'if-match': '"1"' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ label: '优先级', required: true, sort: 9, version: 2, key: created.body.key, kind: 'radio' });
    expect(changed.body.options).toHaveLength(3);
    expect(changed.headers.etag).toBe('"2"');
    expect((await api.patch(url, { label: '过期写' }, { 'if-match': '"1"' })).status).toBe(412);

    const dropped = await api.patch(url, { options: [{ id: '1', name: '低' }] });
    expect(dropped.status).toBe(422);
    expect(fields(dropped)).toEqual(['options']);
    expect((await api.patch(url, { kind: 'select' })).status).toBe(422);
    expect((await api.patch(url, { key: 'radio_1234567' })).status).toBe(422);
    expect((await api.patch(url, {})).status).toBe(422);
  });

  it('keeps modules apart and accepts follow-up in kebab or snake case', async () => {
    const created = await api.post('/api/v1/custom-fields/follow-up', { kind: 'number', label: '费用' });
    expect(created.status).toBe(201);
    expect(created.body.module).toBe('follow_up');
    const viaSnake = await api.get(`/api/v1/custom-fields/follow_up/${created.body.id}`);
    expect(viaSnake.status).toBe(200);
    expect((await api.get('/api/v1/custom-fields/follow-up')).body.items.map((f: { id: string }) => f.id)).toEqual([created.body.id]);
    // The same id under another module does not exist.
    expect((await api.get(`/api/v1/custom-fields/customer/${created.body.id}`)).status).toBe(404);
    expect((await api.get(`/api/v1/custom-fields/contact/${created.body.id}`)).status).toBe(404);
    const unknown = await api.get('/api/v1/custom-fields/invoice');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('custom_field_module_not_found');
    expect((await api.post('/api/v1/custom-fields/invoice', { kind: 'input', label: 'x' })).status).toBe(404);
  });

  it('lets everyone read definitions but only dictionaries:manage change them', async () => {
    const created = await api.post('/api/v1/custom-fields/contact', { kind: 'input', label: '爱好' });
    const sales = client(h.app, (await makeMember(h, tenant, { role: 'sales' })).token);
    expect((await sales.get('/api/v1/custom-fields/contact')).status).toBe(200);
    expect((await sales.get(`/api/v1/custom-fields/contact/${created.body.id}`)).status).toBe(200);
    const post = await sales.post('/api/v1/custom-fields/contact', { kind: 'input', label: '销售自建' });
    expect(post.status).toBe(403);
    expect(post.body.code).toBe('missing_permission');
    expect((await sales.patch(`/api/v1/custom-fields/contact/${created.body.id}`, { label: '改' })).status).toBe(403);
  });

  it("never shows another tenant's definitions", async () => {
    const otherTenant = await makeTenant(h);
    const foreign = await h.services.customFields.create(otherTenant.ctx, 'customer', { kind: 'input', label: '外租户字段' });
    expect((await api.get(`/api/v1/custom-fields/customer/${foreign.id}`)).status).toBe(404);
    expect((await api.patch(`/api/v1/custom-fields/customer/${foreign.id}`, { label: 'x' })).status).toBe(404);
    expect((await api.get('/api/v1/custom-fields/customer')).body.items.map((f: { id: string }) => f.id)).not.toContain(foreign.id);
    const res = await api.post('/api/v1/customers', { name: '用外租户字段', customFields: { [foreign.key]: 'x' } });
    expect(res.status).toBe(422);
    expect(fields(res)).toEqual([`customFields.${foreign.key}`]);
  });
});

describe('custom field values by kind', () => {
  let h: Harness;
  let tenant: TestTenant;
  let api: Api;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    api = client(h.app, tenant.adminToken);
    const define = async (kind: string, extra: Record<string, unknown> = {}) => {
      const res = await api.post('/api/v1/custom-fields/customer', { kind, label: kind, ...extra });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      keys[kind] = res.body.key;
    };
    await define('input');
    await define('textarea');
    await define('select', { options: [{ id: '1', name: '甲' }, { id: '2', name: '乙' }] });
    await define('radio', { options: [{ id: 'y', name: '是' }, { id: 'n', name: '否' }] });
    await define('checkbox', { options: [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }] });
    await define('datetime');
    await define('number');
    await define('telephone');
    await define('email');
    await define('city');
    await define('cascade', {
      options: [
        { id: 'hb', name: '湖北' },
        { id: 'wh', name: '武汉', parentId: 'hb' },
        { id: 'hs', name: '洪山区', parentId: 'wh' },
        { id: 'gd', name: '广东' },
      ],
    });
    await define('datasource', { options: [{ id: '100', name: '数据一' }, { id: '200', name: '数据二' }] });
    await define('attachment');
  });

  it('accepts a valid value of every kind and names option-like ones', async () => {
    const values = {
      [keys.input!]: '文本',
      [keys.textarea!]: '多行\n文本',
      [keys.select!]: '2',
      [keys.radio!]: 'n',
      [keys.checkbox!]: ['b', 'a'],
      [keys.datetime!]: '2025-04-01T10:00:00+08:00',
      [keys.number!]: 12.5,
      [keys.telephone!]: '027-8888 6666',
      [keys.email!]: 'a@b.cn',
      [keys.city!]: ['湖北省', '武汉市', '洪山区'],
      [keys.cascade!]: ['hb', 'wh', 'hs'],
      [keys.datasource!]: ['200'],
      [keys.attachment!]: [{ name: '合同.pdf', url: 'https://example.com/a.pdf' }],
    };
    const res = await api.post('/api/v1/customers', { name: '全部类型', customFields: values });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.customFields).toEqual(values);
    expect(res.body.customFieldNames).toEqual({
      [keys.select!]: '乙',
      [keys.radio!]: '否',
      [keys.checkbox!]: 'B,A',
      [keys.city!]: '湖北省/武汉市/洪山区',
      [keys.cascade!]: '湖北/武汉/洪山区',
      [keys.datasource!]: '数据二',
    });
  });

  it('refuses a wrong value of every kind, naming the key', async () => {
    const wrong: [string, unknown][] = [
      ['input', 42],
      ['input', 'x'.repeat(501)],
      ['textarea', ['a']],
      ['select', '3'],
      ['radio', ['y']],
      ['checkbox', ['a', 'c']],
      ['datetime', 'next tuesday'],
      ['number', '12'],
      ['telephone', 'call me'],
      ['email', 'nobody'],
      ['city', [1, 2]],
      ['cascade', ['wh']],
      ['cascade', ['hb', 'hs']],
      ['cascade', ['gd', 'wh']],
      ['datasource', '100'],
      ['attachment', [{ name: 'no link' }]],
    ];
    for (const [kind, value] of wrong) {
      const res = await api.post('/api/v1/customers', { name: '错误值', customFields: { [keys[kind]!]: value } });
      expect(res.status, `${kind} ${JSON.stringify(value)}`).toBe(422);
      expect(res.body.code).toBe('invalid_custom_field');
      expect(fields(res), `${kind} ${JSON.stringify(value)}`).toEqual([`customFields.${keys[kind]}`]);
    }
    // Every offending key is named at once.
    const many = await api.post('/api/v1/customers', { name: '多个错误', customFields: { [keys.number!]: 'x', [keys.email!]: 'y', input_999999: 'z' } });
    expect(fields(many).sort()).toEqual([`customFields.${keys.number}`, `customFields.${keys.email}`, 'customFields.input_999999'].sort());
  });

  it('refuses new values for a deactivated field but still reads stored ones', async () => {
    const customer = await makeCustomer(h, tenant.ctx, { customFields: { [keys.select!]: '1' } });
    const definition = (await api.get('/api/v1/custom-fields/customer')).body.items.find((f: { key: string }) => f.key === keys.select);
    expect((await api.patch(`/api/v1/custom-fields/customer/${definition.id}`, { isActive: false })).status).toBe(200);
    const read = await api.get(`/api/v1/customers/${customer.id}`);
    expect(read.body.customFields[keys.select!]).toBe('1');
    expect(read.body.customFieldNames[keys.select!]).toBe('甲');
    const write = await api.patch(`/api/v1/customers/${customer.id}`, { customFields: { [keys.select!]: '2' } });
    expect(write.status).toBe(422);
    expect(fields(write)).toEqual([`customFields.${keys.select}`]);
    // Other writes to the customer are unaffected.
    expect((await api.patch(`/api/v1/customers/${customer.id}`, { note: '仍可修改' })).status).toBe(200);
    await api.patch(`/api/v1/custom-fields/customer/${definition.id}`, { isActive: true });
  });

  it('makes a field required for new records once it is marked so', async () => {
    const definition = (await api.get('/api/v1/custom-fields/customer')).body.items.find((f: { key: string }) => f.key === keys.input);
    const existing = await makeCustomer(h, tenant.ctx);
    await api.patch(`/api/v1/custom-fields/customer/${definition.id}`, { required: true });
    const res = await api.post('/api/v1/customers', { name: '缺必填' });
    expect(res.status).toBe(422);
    expect(fields(res)).toEqual([`customFields.${keys.input}`]);
    expect(res.body.errors[0].message).toContain('required');
    // Existing records stay writable without it.
    expect((await api.patch(`/api/v1/customers/${existing.id}`, { note: '老数据' })).status).toBe(200);
    await api.patch(`/api/v1/custom-fields/customer/${definition.id}`, { required: false });
  });
});
