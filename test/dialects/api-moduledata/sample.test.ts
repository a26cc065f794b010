import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCustomer, makeCustomField } from '../../helpers/crm.ts';
import { client, makeTenant, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { SAMPLE_ANSWER, shapeDifferences, TABLE_ONLY_FIELDS } from './shape.ts';

/** The seed's sample request (输入示例), verbatim. */
const SAMPLE_REQUEST = `{
"name":"单单",
"source":"514465485002113024",
"note":"",
"phone":"18888282822",
"textarea_1680158327352":"",
"select_1680162080347":"484020435193692160",
"input_1680509561692":"",
"mid":"347772778973233152",
"id":"688346218203447296"
}`;

/**
 * The seed's sample, sent verbatim: the test gives its customer, source item and custom fields
 * the very ids and keys of the sample (identity sequences restarted in this file's own database),
 * which are also beyond 2^53.
 */
describe('seed 002 sample: POST /api/moduleData/update', () => {
  let h: Harness;
  let tenant: TestTenant;
  let productLineId: string;
  const post = (body: string, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url: '/api/moduleData/update', payload: body, headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.adminToken}`, ...headers } });

  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    await sql`ALTER TABLE dictionary_item ALTER COLUMN id RESTART WITH 514465485002113024`.execute(h.database.db);
    await sql`ALTER TABLE customer ALTER COLUMN id RESTART WITH 688346218203447296`.execute(h.database.db);
    const source = await h.services.dictionaries.createItem(tenant.ctx, 'customer_source', { name: '熟人介绍', color: '#606266', sort: 200 });
    expect(source.id).toBe('514465485002113024');
    await makeCustomField(h, tenant.ctx, 'customer', 'textarea', { key: 'textarea_1680158327352', label: '备注说明' });
    await makeCustomField(h, tenant.ctx, 'customer', 'select', { key: 'select_1680162080347', label: '客户级别', options: [{ id: '484020435193692160', name: '重要' }, { id: '484020435193692161', name: '一般' }] });
    await makeCustomField(h, tenant.ctx, 'customer', 'input', { key: 'input_1680509561692', label: '微信号' });
    // Like the sample's customer: a lead nobody has taken yet.
    const customer = await makeCustomer(h, tenant.ctx, { name: '赵六', isLead: true, ownerId: null });
    expect(customer.id).toBe('688346218203447296');
    productLineId = customer.product_line_id!;
  });

  it('succeeds and answers every key of the sample answer with the same JSON type', async () => {
    const res = await post(SAMPLE_REQUEST, { 'default-product-id': productLineId });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(shapeDifferences(SAMPLE_ANSWER, body)).toEqual([]);
    for (const field of TABLE_ONLY_FIELDS) expect(body.data.item, field).toHaveProperty(field);
    const item = body.data.item;
    expect(body.code).toBe(200);
    expect(body.message).toBe('');
    expect(item).toMatchObject({
      id: '688346218203447296',
      name: '单单',
      title: '单单',
      phone: '18888282822',
      note: '',
      textarea_1680158327352: '',
      input_1680509561692: '',
      select_1680162080347: [{ id: '484020435193692160', name: '重要' }],
      source: { id: '514465485002113024', name: '熟人介绍', group_id: 'customer_source', is_active: true, color: '#606266', sort_num: 200, is_default: 0 },
      product_line_id: productLineId,
      is_clue: 1,
      is_public: 0,
      client_position: 'clue',
      _can_edit: true,
      _can_del: true,
      _flow: false,
    });
    // No own_id sent: the owner is the calling user (the seed's rule).
    expect(item.own_id).toEqual({ id: tenant.adminId, name: '管理员', avatar_url: '' });
    expect(item.updated_id).toEqual({ id: tenant.adminId, name: '管理员', avatar_url: '' });
    expect(item.updated_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('matches ids sent as bare JSON numbers beyond 2^53 exactly, never rounded', async () => {
    // JSON.parse would read 688346218203447296 as 688346218203447300.
    const res = await post(
      '{"mid":347772778973233152,"id":688346218203447296,"source":514465485002113024,"select_1680162080347":484020435193692161,"name":"数字id"}',
    );
    expect(res.statusCode).toBe(200);
    const item = res.json().data.item;
    expect(item.id).toBe('688346218203447296');
    expect(item.source.id).toBe('514465485002113024');
    expect(item.select_1680162080347).toEqual([{ id: '484020435193692161', name: '一般' }]);
    const rounded = await post('{"mid":347772778973233152,"id":688346218203447300}');
    expect(rounded.statusCode).toBe(404);
    expect(rounded.json().message).toContain('688346218203447300');
  });

  it('refuses an id of 2^53 + 1 sent as a number by its exact digits', async () => {
    const res = await post('{"mid":"347772778973233152","id":9007199254740993,"name":"x"}');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 404, data: null, message: expect.stringContaining('9007199254740993') });
  });

  it('is seen by the native API, and the native API’s changes are seen here', async () => {
    const api = client(h.app, tenant.adminToken);
    await post(SAMPLE_REQUEST);
    const native = await api.get('/api/v1/customers/688346218203447296');
    expect(native.status).toBe(200);
    expect(native.body).toMatchObject({ name: '单单', phone: '18888282822', phones: ['18888282822'], sourceId: '514465485002113024', ownerId: tenant.adminId });
    expect(native.body.customFields).toMatchObject({ select_1680162080347: '484020435193692160', textarea_1680158327352: '', input_1680509561692: '' });

    const stage = (await h.services.dictionaries.listItems(tenant.ctx, 'lifecycle_stage'))[1]!;
    const tag = await api.post('/api/v1/tags', { name: '回头客', color: '#1677ff' });
    const patched = await api.patch('/api/v1/customers/688346218203447296', { name: '双双', lifecycleId: stage.id, tagIds: [tag.body.id], isLocked: true });
    expect(patched.status).toBe(200);
    await api.put('/api/v1/customers/688346218203447296/favourite', {});

    const res = await post('{"mid":"347772778973233152","id":"688346218203447296"}');
    expect(res.statusCode).toBe(200);
    const item = res.json().data.item;
    expect(item).toMatchObject({
      name: '双双',
      life_cycle_id: { id: stage.id, name: stage.name, group_id: 'lifecycle_stage' },
      tags: [{ id: tag.body.id, name: '回头客', color: '#1677ff' }],
      is_lock: 1,
      phone: '18888282822',
    });
    expect(shapeDifferences(SAMPLE_ANSWER, res.json())).toEqual([]);
  });

  it('compares shapes strictly enough to fail', () => {
    const item = { ...SAMPLE_ANSWER.data.item } as Record<string, unknown>;
    delete item.title;
    item._can_edit = 'yes';
    item.own_id = 'nobody';
    expect(shapeDifferences(SAMPLE_ANSWER, { ...SAMPLE_ANSWER, data: { item } })).toEqual([
      '$.data.item.own_id: expected array, got string',
      '$.data.item.title: missing',
      '$.data.item._can_edit: expected boolean, got string',
    ]);
  });
});
