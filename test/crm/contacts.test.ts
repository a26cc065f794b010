import { beforeAll, describe, expect, it } from 'vitest';
import { makeCustomer, makeCustomField, makeMember } from '../helpers/crm.ts';
import { client, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

describe('contacts', () => {
  let h: Harness;
  let tenant: TestTenant;
  let api: ReturnType<typeof client>;
  let customerId: string;

  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    api = client(h.app, tenant.adminToken);
    customerId = (await makeCustomer(h, tenant.ctx, { name: '联系人测试公司' })).id;
  });

  const mainOf = async (id: string) => {
    const res = await api.get(`/api/v1/customers/${id}/contacts`);
    expect(res.status).toBe(200);
    return (res.body.items as { name: string; isMain: boolean }[]).filter((c) => c.isMain).map((c) => c.name);
  };

  it('creates, reads, changes and deletes a contact', async () => {
    const created = await api.post('/api/v1/contacts', {
      customerId,
      name: ' 张伟 ',
      gender: 'male',
      position: '采购经理',
      department: '采购部',
      mobile: '138 0013 8000',
      phone: '027-88886666',
      email: 'zhangwei@example.com',
      wechat: 'zw_wx',
      birthday: '1985-02-28',
      address: '武汉市洪山区',
      note: '喜欢喝茶',
    });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.headers.location).toBe(`/api/v1/contacts/${created.body.id}`);
    expect(created.body).toMatchObject({
      customerId,
      name: '张伟',
      gender: 'male',
      mobile: '138 0013 8000',
      birthday: '1985-02-28',
      isMain: false,
      customFields: {},
      customFieldNames: {},
      version: 1,
    });
    const id = created.body.id;

    const read = await api.get(`/api/v1/contacts/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const changed = await api.patch(`/api/v1/contacts/${id}`, { position: '总经理', wechat: null }, { 'if-match': '"1"' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ position: '总经理', wechat: null, version: 2 });
    expect(changed.headers.etag).toBe('"2"');

    const stale = await api.patch(`/api/v1/contacts/${id}`, { position: '董事长' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);

    expect((await api.delete(`/api/v1/contacts/${id}`)).status).toBe(204);
    expect((await api.get(`/api/v1/contacts/${id}`)).status).toBe(404);
    expect((await api.patch(`/api/v1/contacts/${id}`, { name: 'x' })).status).toBe(404);
    expect((await api.delete(`/api/v1/contacts/${id}`)).status).toBe(404);
    const list = await api.get(`/api/v1/contacts?customerId=${customerId}`);
    expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
  });

  it('refuses bad fields, naming them', async () => {
    const bad = async (body: Record<string, unknown>, field: string) => {
      const res = await api.post(`/api/v1/customers/${customerId}/contacts`, { name: '李四', ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    };
    await bad({ name: '   ' }, 'name');
    await bad({ gender: 'other' }, 'gender');
    await bad({ mobile: '12' }, 'mobile');
    await bad({ phone: 'call me' }, 'phone');
    await bad({ email: 'not-an-email' }, 'email');
    await bad({ birthday: '1990-02-30' }, 'birthday');
    await bad({ birthday: '19900101' }, 'birthday');
    await bad({ customFields: { input_123456: 'x' } }, 'customFields.input_123456');
    await bad({ unknownField: 1 }, 'unknownField');
    const missingCustomer = await api.post('/api/v1/contacts', { customerId: '999999999', name: '王五' });
    expect(missingCustomer.status).toBe(404);
  });

  it('keeps at most one main contact per customer, switching it in one write', async () => {
    const customer = (await makeCustomer(h, tenant.ctx)).id;
    const a = await api.post(`/api/v1/customers/${customer}/contacts`, { name: '甲', isMain: true });
    const b = await api.post(`/api/v1/customers/${customer}/contacts`, { name: '乙' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(await mainOf(customer)).toEqual(['甲']);

    // Creating a new main contact takes the flag from the old one.
    const c = await api.post(`/api/v1/customers/${customer}/contacts`, { name: '丙', isMain: true });
    expect(c.body.isMain).toBe(true);
    expect(await mainOf(customer)).toEqual(['丙']);
    const oldMain = await api.get(`/api/v1/contacts/${a.body.id}`);
    expect(oldMain.body).toMatchObject({ isMain: false, version: 2 });

    // Switching by PATCH.
    const switched = await api.patch(`/api/v1/contacts/${b.body.id}`, { isMain: true });
    expect(switched.body.isMain).toBe(true);
    expect(await mainOf(customer)).toEqual(['乙']);

    // The main contact comes first in the customer's list.
    const list = await api.get(`/api/v1/customers/${customer}/contacts`);
    expect(list.body.items.map((x: { name: string }) => x.name)).toEqual(['乙', '甲', '丙']);

    // Clearing the flag leaves no main contact (seed 004's CancelMainMan).
    await api.patch(`/api/v1/contacts/${b.body.id}`, { isMain: false });
    expect(await mainOf(customer)).toEqual([]);

    // Another customer's main contact is untouched.
    await api.post(`/api/v1/customers/${customerId}/contacts`, { name: '别家主联系人', isMain: true });
    await api.patch(`/api/v1/contacts/${a.body.id}`, { isMain: true });
    expect(await mainOf(customerId)).toEqual(['别家主联系人']);
    expect(await mainOf(customer)).toEqual(['甲']);

    // A deleted main contact frees the flag for another.
    await api.delete(`/api/v1/contacts/${a.body.id}`);
    expect((await api.patch(`/api/v1/contacts/${c.body.id}`, { isMain: true })).status).toBe(200);
    expect(await mainOf(customer)).toEqual(['丙']);
  });

  it('has the database refuse a second main contact written around the service', async () => {
    const customer = (await makeCustomer(h, tenant.ctx)).id;
    await h.services.contacts.create(tenant.ctx, customer, { name: '主', isMain: true });
    const insert = () =>
      h.database.db.insertInto('contact').values({ tenant_id: tenant.id, customer_id: customer, name: '绕过服务', is_main: true } as never).execute();
    await expect(insert()).rejects.toThrow(/contact_one_main/);
  });

  it('backs the rule with the database when two writes race', async () => {
    const customer = (await makeCustomer(h, tenant.ctx)).id;
    const results = await Promise.all(['一', '二', '三', '四'].map((name) => api.post(`/api/v1/customers/${customer}/contacts`, { name, isMain: true })));
    for (const r of results) expect([201, 409]).toContain(r.status);
    expect(await mainOf(customer)).toHaveLength(1);
  });

  it('lists with filters, keyset pages and a total', async () => {
    const customer = (await makeCustomer(h, tenant.ctx)).id;
    for (const [name, mobile] of [
      ['赵一', '13900000001'],
      ['钱二', '13900000002'],
      ['孙三', '13900000003'],
      ['李四', '13900000004'],
      ['周五', '13900000005'],
    ]) {
      await api.post(`/api/v1/customers/${customer}/contacts`, { name, mobile });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { name: string }[]; nextCursor: string | null; total?: number } } = await api.get(
        `/api/v1/customers/${customer}/contacts?limit=2&withTotal=true${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.body.total).toBe(5);
      seen.push(...res.body.items.map((c) => c.name));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['赵一', '钱二', '孙三', '李四', '周五']);

    const byName = await api.get(`/api/v1/contacts?customerId=${customer}&q=${encodeURIComponent('孙')}`);
    expect(byName.body.items.map((c: { name: string }) => c.name)).toEqual(['孙三']);
    const byPhone = await api.get(`/api/v1/contacts?q=0000004`);
    expect(byPhone.body.items.map((c: { name: string }) => c.name)).toEqual(['李四']);

    // The tenant-wide list is newest first and pages the same way.
    const all: string[] = [];
    cursor = null;
    do {
      const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await api.get(`/api/v1/contacts?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...res.body.items.map((c) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(all).toEqual([...all].sort((x, y) => Number(BigInt(y) - BigInt(x))));
    expect(new Set(all).size).toBe(all.length);

    expect((await api.get('/api/v1/contacts?cursor=garbage')).status).toBe(422);
  });

  it('validates custom fields of the contact module and names select options on read', async () => {
    const level = await makeCustomField(h, tenant.ctx, 'contact', 'select', { label: '决策层级', options: [{ id: '1', name: '决策者' }, { id: '2', name: '影响者' }] });
    const hobby = await makeCustomField(h, tenant.ctx, 'contact', 'input', { label: '爱好' });
    const res = await api.post(`/api/v1/customers/${customerId}/contacts`, { name: '周六', customFields: { [level.key]: '2', [hobby.key]: '钓鱼' } });
    expect(res.status).toBe(201);
    expect(res.body.customFields).toEqual({ [level.key]: '2', [hobby.key]: '钓鱼' });
    expect(res.body.customFieldNames).toEqual({ [level.key]: '影响者' });

    const wrong = await api.patch(`/api/v1/contacts/${res.body.id}`, { customFields: { [level.key]: '3' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0].field).toBe(`customFields.${level.key}`);

    // A customer-module field is not a contact field.
    const customerField = await makeCustomField(h, tenant.ctx, 'customer', 'input');
    const misplaced = await api.patch(`/api/v1/contacts/${res.body.id}`, { customFields: { [customerField.key]: 'x' } });
    expect(misplaced.status).toBe(422);

    const kept = await api.patch(`/api/v1/contacts/${res.body.id}`, { customFields: { [hobby.key]: null } });
    expect(kept.body.customFields).toEqual({ [level.key]: '2' });
  });

  it("follows the customer's visibility", async () => {
    const sales = await makeMember(h, tenant, { role: 'sales' });
    const other = await makeMember(h, tenant, { role: 'sales' });
    const salesApi = client(h.app, sales.token);
    const mine = (await makeCustomer(h, sales.ctx, { name: '我的客户' })).id;
    const theirs = (await makeCustomer(h, other.ctx, { name: '别人的客户' })).id;
    const myContact = await salesApi.post(`/api/v1/customers/${mine}/contacts`, { name: '我的联系人' });
    expect(myContact.status).toBe(201);
    const theirContact = await h.services.contacts.create(other.ctx, theirs, { name: '别人的联系人' });

    expect((await salesApi.get(`/api/v1/contacts/${theirContact.id}`)).status).toBe(404);
    expect((await salesApi.patch(`/api/v1/contacts/${theirContact.id}`, { name: '改' })).status).toBe(404);
    expect((await salesApi.delete(`/api/v1/contacts/${theirContact.id}`)).status).toBe(404);
    expect((await salesApi.get(`/api/v1/customers/${theirs}/contacts`)).status).toBe(404);
    expect((await salesApi.post(`/api/v1/customers/${theirs}/contacts`, { name: '偷偷加' })).status).toBe(404);
    const listed = await salesApi.get('/api/v1/contacts');
    expect(listed.body.items.map((c: { name: string }) => c.name)).toEqual(['我的联系人']);

    // Sharing the customer makes its contacts visible too.
    await h.services.shares.share(other.ctx, theirs, [sales.user.id]);
    expect((await salesApi.get(`/api/v1/contacts/${theirContact.id}`)).status).toBe(200);

    // A deleted customer takes its contacts out of sight.
    await h.services.customers.delete(tenant.ctx, mine);
    expect((await salesApi.get(`/api/v1/contacts/${myContact.body.id}`)).status).toBe(404);
    expect((await api.get(`/api/v1/contacts/${myContact.body.id}`)).status).toBe(404);
  });

  it("never shows another tenant's contacts", async () => {
    const otherTenant = await makeTenant(h);
    const foreignCustomer = await makeCustomer(h, otherTenant.ctx);
    const foreign = await h.services.contacts.create(otherTenant.ctx, foreignCustomer.id, { name: '外租户联系人', isMain: true });
    expect((await api.get(`/api/v1/contacts/${foreign.id}`)).status).toBe(404);
    expect((await api.patch(`/api/v1/contacts/${foreign.id}`, { name: '改' })).status).toBe(404);
    expect((await api.delete(`/api/v1/contacts/${foreign.id}`)).status).toBe(404);
    expect((await api.get(`/api/v1/customers/${foreignCustomer.id}/contacts`)).status).toBe(404);
    expect((await api.post('/api/v1/contacts', { customerId: foreignCustomer.id, name: '混入' })).status).toBe(404);
    const all = await api.get('/api/v1/contacts?limit=500');
    expect(all.body.items.map((c: { id: string }) => c.id)).not.toContain(foreign.id);
  });
});
