import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

describe('customer search', () => {
  let h: Harness;
  let tenant: TestTenant;
  let api: ReturnType<typeof client>;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    api = client(h.app, tenant.adminToken);
    for (const [name, phone] of [
      ['张三丰科技有限公司', '13812345678'],
      ['李四贸易', '+86 139-0000-1111'],
      ['王五 Studio', '021-55556666'],
      ['张小三', '18600001234'],
    ] as const) {
      const res = await api.post('/api/v1/customers', { name, phones: [phone] });
      expect(res.status).toBe(201);
      ids[name] = res.body.id;
    }
  });

  const names = async (query: string) => {
    const res = await api.get(`/api/v1/customers?${query}`);
    expect(res.status).toBe(200);
    return (res.body.items as { name: string }[]).map((c) => c.name).sort();
  };

  it('finds two-character Chinese fragments', async () => {
    expect(await names(`q=${encodeURIComponent('张三')}`)).toEqual(['张三丰科技有限公司']);
    expect(await names(`q=${encodeURIComponent('小三')}`)).toEqual(['张小三']);
    expect(await names(`q=${encodeURIComponent('三')}`)).toEqual(['张三丰科技有限公司', '张小三']);
  });

  it('finds full pinyin and pinyin initials', async () => {
    expect(await names('q=zhangsan')).toEqual(['张三丰科技有限公司']);
    expect(await names('q=zs')).toEqual(['张三丰科技有限公司']);
    expect(await names('q=zxs')).toEqual(['张小三']);
    expect(await names('q=studio')).toEqual(['王五 Studio']);
  });

  it('finds phones exactly and by their last digits', async () => {
    expect(await names('phone=13900001111')).toEqual(['李四贸易']);
    expect(await names('phone=1111')).toEqual(['李四贸易']);
    expect(await names('phone=5556666')).toEqual(['王五 Studio']);
    expect(await names('phone=999999')).toEqual([]);
  });

  it('computes pinyin on write and keeps it after a rename', async () => {
    const res = await api.patch(`/api/v1/customers/${ids['李四贸易']}`, { name: '赵六贸易' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ namePinyin: 'zhaoliumaoyi', nameInitials: 'zlmy' });
    expect(await names('q=zl')).toEqual(['赵六贸易']);
    expect(await names('q=ls')).toEqual([]);
  });

  it('follows a change of phones, and a refused change leaves the search as it was', async () => {
    const id = ids['王五 Studio']!;
    expect((await api.patch(`/api/v1/customers/${id}`, { phones: ['13700007777', '0755-12345678'] })).status).toBe(200);
    expect(await names('phone=021-55556666')).toEqual([]);
    expect(await names('phone=7777')).toEqual(['王五 Studio']);
    expect(await names('phone=075512345678')).toEqual(['王五 Studio']);
    // The unknown tag is found after the customer and its search row were written: both roll back.
    const refused = await api.patch(`/api/v1/customers/${id}`, { name: '改名', phones: ['13611112222'], tagIds: ['999999'] });
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(await names('phone=2222')).toEqual([]);
    expect(await names('q=gm')).toEqual([]);
    expect(await names('phone=7777')).toEqual(['王五 Studio']);
  });

  it('keeps each search row equal to its customer, and never shows another tenant', async () => {
    const rows = await h.database.db
      .selectFrom('customer as c')
      .innerJoin('customer_search as s', (j) => j.onRef('s.tenant_id', '=', 'c.tenant_id').onRef('s.customer_id', '=', 'c.id'))
      .select(['c.name_pinyin', 'c.phones', 'c.custom_fields', 's.name_pinyin as s_pinyin', 's.phones as s_phones', 's.custom_fields as s_custom_fields'])
      .where('c.tenant_id', '=', tenant.id)
      .execute();
    expect(rows).toHaveLength(4);
    for (const r of rows) expect([r.s_pinyin, r.s_phones, r.s_custom_fields]).toEqual([r.name_pinyin, r.phones, r.custom_fields]);

    const other = await makeTenant(h);
    const otherApi = client(h.app, other.adminToken);
    expect((await otherApi.post('/api/v1/customers', { name: '张三丰科技有限公司', phones: ['13812345678'] })).status).toBe(201);
    expect(await names(`q=${encodeURIComponent('张三')}`)).toEqual(['张三丰科技有限公司']);
    expect(await names('phone=13812345678')).toHaveLength(1);
    const dup = await api.get('/api/v1/customers/duplicates?phone=13812345678');
    expect(dup.status, JSON.stringify(dup.body)).toBe(200);
    expect(dup.body.items.map((d: { id: string }) => d.id)).toEqual([ids['张三丰科技有限公司']]);
  });
});
