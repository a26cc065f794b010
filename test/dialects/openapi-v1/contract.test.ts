import { beforeAll, describe, expect, it } from 'vitest';
import { setupHarness, type Harness } from '../../helpers/harness.ts';
import { SEED_IDS, seedWorld } from './fixtures.ts';
import { SAMPLE_CREATE_REQUEST, SAMPLE_CREATED, SAMPLE_DELETED, SAMPLE_DETAIL, SAMPLE_LIST, SAMPLE_RECORD_TYPES, shapeDiff, TYPE_EXCEPTIONS } from './seed-samples.ts';

/** Seed 003's samples: the create request verbatim, and every answer's shape field by field. */
describe('openapi-v1 contract (seed samples)', () => {
  let h: Harness;
  let world: Awaited<ReturnType<typeof seedWorld>>;
  const raw = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: string, token = world.agent.token) =>
    h.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) }, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    h = await setupHarness();
    world = await seedWorld(h);
  });

  it('lists the follow-up types as {id, dic_name}, id being the stable code', async () => {
    const res = await raw('GET', '/openapi/v1/followupRecord/recordTypes');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(shapeDiff(body, SAMPLE_RECORD_TYPES)).toEqual([]);
    expect(body.data).toContainEqual({ id: 36, dic_name: '系统自动' });
    expect(body.data).toContainEqual({ id: 1, dic_name: '电话' });
  });

  it('accepts the sample create request verbatim and answers the id as string and exact number', async () => {
    expect(world.customer.id).toBe(SEED_IDS.customer);
    expect(world.opportunity.id).toBe(SEED_IDS.opportunity);
    const res = await raw('POST', '/openapi/v1/followupRecord', SAMPLE_CREATE_REQUEST);
    expect(res.statusCode).toBe(200);
    expect(shapeDiff(res.json(), SAMPLE_CREATED)).toEqual([]);
    expect(res.body).toBe(`{"code":200,"message":"ok","data":{"id":"${SEED_IDS.followUp}","_id":${SEED_IDS.followUp}}}`);
    const stored = await h.services.followUps.get(world.tenant.ctx, SEED_IDS.followUp);
    expect(stored).toMatchObject({ customer_id: SEED_IDS.customer, opportunity_id: SEED_IDS.opportunity, content: '跟进记录', user_id: world.agent.user.id });
    expect(stored.type).toMatchObject({ code: 36, name: '系统自动' });
  });

  it('lists rows carrying every field of the sample row, with the same JSON types', async () => {
    const res = await raw('GET', '/openapi/v1/followupRecord/followupRecords');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(shapeDiff(body, SAMPLE_LIST, '', TYPE_EXCEPTIONS)).toEqual([]);
    expect(body.data.total).toBe(1);
    expect(body.data.cursor).toBe('');
    const row = body.data.rows[0];
    expect(row).toMatchObject({
      opty_id: expect.any(Number),
      record_type: 36,
      record_type_name: '系统自动',
      cle_id: SEED_IDS.customer,
      cle_name: '1112321323',
      record_content: '跟进记录',
      record_content_name: '跟进记录',
      create_user_name: '8002 8002坐席',
      create_role_name: '管理员',
      create_department_name: '公司',
      update_user_name: '8002 8002坐席',
      update_department_name: '公司',
      id: SEED_IDS.followUp,
    });
    expect(row.client).toMatchObject({
      cle_name: '1112321323',
      cle_phone: '3121123123',
      cle_source_name: '电话营销',
      is_win_order: 2,
      is_win_order_name: '否',
      select_6470108723137462273: 2,
      select_6470108723137462273_name: '222222222222222',
      datasource_6470223215527706625: ['230101'],
      datasource_6470223215527706625_name: '武汉沌口门店',
      datetime_6470108953748684801: 1542556800,
      number_6470109847739416577: 3,
      checkbox_6470108890934788097: [],
      checkbox_6470108890934788097_name: '',
      select_6470213535355092993: 0,
      sale_charge_user_name: '1214 luquan',
      sale_charge_department_name: '测试分配策略',
      create_user_name: '1214 luquan',
      create_role_name: '销售',
      create_type: 0,
      create_type_name: '手动创建',
      last_contact_user_name: '8002 8002坐席',
      last_contact_department_name: '公司',
      opportunity_num: 1,
      cle_pinyin: '1112321323',
      no_contact_days: 0,
      id: SEED_IDS.customer,
    });
    expect(row.opportunity).toMatchObject({ opty_name: '商机1', opty_type: 1, opty_type_name: '新客户商机', opty_stage_name: '初步接洽', cle_name: '1112321323', id: SEED_IDS.opportunity });
    expect(row.vcc_id).toBe(Number(world.tenant.id));
    // Exact digits in the text: the ids as numbers, not rounded.
    expect(res.body).toContain(`"_id":${SEED_IDS.followUp},"opty_id":${SEED_IDS.opportunity}`);
    expect(res.body).toContain(`"client":{"_id":${SEED_IDS.customer},`);
    expect(res.body).toContain(`"opportunity":{"_id":${SEED_IDS.opportunity},"opty_name":"商机1","cle_id":${SEED_IDS.customer},`);
  });

  it('answers the detail with every field of the sample detail, cle_id a number there', async () => {
    const res = await raw('GET', `/openapi/v1/followupRecord/${SEED_IDS.followUp}`);
    expect(res.statusCode).toBe(200);
    expect(shapeDiff(res.json(), SAMPLE_DETAIL)).toEqual([]);
    expect(res.body).toContain(`"_id":${SEED_IDS.followUp},"opty_id":${SEED_IDS.opportunity},"record_type":36,"cle_id":${SEED_IDS.customer},`);
    expect(res.json().data).not.toHaveProperty('client');
  });

  it('deletes with the sample body shape and answers data: []', async () => {
    const res = await raw('DELETE', '/openapi/v1/followupRecord', `{"ids":[${SEED_IDS.followUp}]}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(SAMPLE_DELETED);
    expect((await raw('GET', `/openapi/v1/followupRecord/${SEED_IDS.followUp}`)).statusCode).toBe(404);
    const customer = await h.services.customers.get(world.tenant.ctx, SEED_IDS.customer);
    expect(customer.last_follow_at).toBeNull();
  });

  it('reads what the native API wrote, and lists only active follow-up types', async () => {
    const typeId = (await h.services.dictionaries.listItems(world.tenant.ctx, 'follow_up_type')).find((i) => i.code === 2)!.id;
    const native = await world.agent.http.post('/api/v1/follow-ups', { customerId: SEED_IDS.customer, typeId, content: '<p>上门<b>演示</b></p>' });
    expect(native.status).toBe(201);
    const res = await raw('GET', `/openapi/v1/followupRecord/${native.body.id}`);
    expect(res.json().data).toMatchObject({ record_type: 2, record_type_name: '上门拜访', record_content: '<p>上门<b>演示</b></p>', record_content_name: '上门演示', opty_id: 0 });
    const list = (await raw('GET', '/openapi/v1/followupRecord/followupRecords')).json().data;
    expect(list.rows[0]).toMatchObject({ id: native.body.id, opty_id: 0, opportunity: {} });
    await h.services.dictionaries.updateItem(world.tenant.ctx, 'follow_up_type', typeId, { isActive: false });
    const types = (await raw('GET', '/openapi/v1/followupRecord/recordTypes')).json().data;
    expect(types.map((t: { id: number }) => t.id)).not.toContain(2);
  });
});
