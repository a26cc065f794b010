import { beforeAll, describe, expect, it } from 'vitest';
import { makeCustomer, makeDepartment, makeMember, makeRole } from '../../helpers/crm.ts';
import { client, makeTenant, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';

const MID = '347772778973233152';

type Member = Awaited<ReturnType<typeof makeMember>>;

/** Who may write what: data scope, locked customers, owners, product lines, and the add companion. */
describe('POST /api/moduleData/update and /add: scope and product lines', () => {
  let h: Harness;
  let tenant: TestTenant;
  let other: TestTenant;
  let alice: Member;
  let bob: Member;
  let manager: Member;
  let defaultLine: string;
  let secondLine: string;
  let otherTenantLine: string;

  const post = async (token: string, body: unknown, headers: Record<string, string> = {}, path = 'update') => {
    const res = await h.app.inject({ method: 'POST', url: `/api/moduleData/${path}`, payload: body as object, headers: { authorization: `Bearer ${token}`, ...headers } });
    return { status: res.statusCode, body: res.json() };
  };

  const productLine = async (t: TestTenant, name: string) =>
    (await h.database.db.insertInto('product_line').values({ tenant_id: t.id, name }).returning('id').executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    other = await makeTenant(h);
    const sales = await makeDepartment(h, tenant, '销售部');
    alice = await makeMember(h, tenant, { role: 'sales', departmentId: sales.id });
    bob = await makeMember(h, tenant, { role: 'sales', departmentId: sales.id });
    manager = await makeMember(h, tenant, { role: (await makeRole(h, tenant, 'department', ['customers:delete'])).code, departmentId: sales.id });
    defaultLine = (await h.services.productLines.resolve(tenant.ctx, undefined)).id;
    secondLine = await productLine(tenant, '第二产品线');
    otherTenantLine = await productLine(other, '别家的产品线');
  });

  it("refuses a sales user editing a colleague's customer with 403, and lets them edit their own", async () => {
    const bobs = await makeCustomer(h, bob.ctx, { name: 'Bob 的客户' });
    const res = await post(alice.token, { mid: MID, id: bobs.id, name: '抢过来' });
    expect(res).toEqual({ status: 403, body: { code: 403, data: null, message: expect.stringContaining(bobs.id) } });
    expect((await h.services.customers.get(tenant.ctx, bobs.id)).name).toBe('Bob 的客户');

    const mine = await makeCustomer(h, alice.ctx, { name: 'Alice 的客户' });
    const ok = await post(alice.token, { mid: MID, id: mine.id, name: '改名' });
    expect(ok.status).toBe(200);
    // Sales may edit but not delete: the role lacks customers:delete.
    expect(ok.body.data.item).toMatchObject({ name: '改名', _can_edit: true, _can_del: false, canedit: true, candelete: false, client_position: 'client', is_clue: 0 });
  });

  it("lets a department manager edit a team member's customer, but not a locked one; the owner still may", async () => {
    const open = await makeCustomer(h, bob.ctx, { name: '未锁定' });
    const managed = await post(manager.token, { mid: MID, id: open.id, note: '经理改的', own_id: bob.user.id });
    expect(managed.status).toBe(200);
    expect(managed.body.data.item).toMatchObject({ note: '经理改的', own_id: { id: bob.user.id }, _can_del: true });

    const locked = await makeCustomer(h, bob.ctx, { name: '锁定的', isLocked: true });
    const refused = await post(manager.token, { mid: MID, id: locked.id, note: '改不了', own_id: bob.user.id });
    expect(refused).toEqual({ status: 403, body: { code: 403, data: null, message: expect.stringContaining('locked') } });
    // The native API keeps the same rule.
    expect((await client(h.app, manager.token).patch(`/api/v1/customers/${locked.id}`, { note: '也改不了' })).status).toBe(403);
    const byOwner = await post(bob.token, { mid: MID, id: locked.id, note: '本人可以' });
    expect(byOwner.status).toBe(200);
    expect(byOwner.body.data.item).toMatchObject({ is_lock: 1, note: '本人可以' });
    expect((await post(tenant.adminToken, { mid: MID, id: locked.id, note: '管理员可以', own_id: bob.user.id })).status).toBe(200);
  });

  it('makes the caller the owner when own_id is absent, as the seed says, and honours a given one', async () => {
    const c = await makeCustomer(h, bob.ctx, { name: '换人' });
    const given = await post(manager.token, { mid: MID, id: c.id, own_id: alice.user.id });
    expect(given.body.data.item).toMatchObject({ own_id: { id: alice.user.id, name: alice.user.name, avatar_url: '' }, last_own_id: { id: bob.user.id } });
    const absent = await post(manager.token, { mid: MID, id: c.id });
    expect(absent.body.data.item.own_id).toMatchObject({ id: manager.user.id });
    expect(absent.body.data.item.last_own_id).toMatchObject({ id: alice.user.id });
  });

  it('answers with the item even when the caller gives the customer to someone it cannot see', async () => {
    const c = await makeCustomer(h, alice.ctx, { name: '送出去' });
    const res = await post(alice.token, { mid: MID, id: c.id, own_id: bob.user.id });
    expect(res.status).toBe(200);
    expect(res.body.data.item.own_id).toMatchObject({ id: bob.user.id });
    expect((await post(alice.token, { mid: MID, id: c.id })).status).toBe(403);
  });

  it('shows shares as _team_info and the caller’s favourite', async () => {
    const c = await makeCustomer(h, alice.ctx, { name: '共享的' });
    await h.services.shares.share(alice.ctx, c.id, [bob.user.id]);
    await h.services.favourites.set(bob.ctx, c.id, {});
    const res = await post(bob.token, { mid: MID, id: c.id, own_id: alice.user.id, note: '共享后可改' });
    expect(res.status).toBe(200);
    expect(res.body.data.item).toMatchObject({ _team_info: [{ id: bob.user.id, name: bob.user.name, avatar_url: '' }], is_favorite: true, note: '共享后可改' });
    expect(res.body.data.item.teaminfo).toEqual(res.body.data.item._team_info);
    expect((await post(alice.token, { mid: MID, id: c.id })).body.data.item.is_favorite).toBe(false);
  });

  it('acts in the product line of the default-product-id header', async () => {
    const inDefault = await makeCustomer(h, tenant.ctx, { name: '默认线' });
    const inSecond = await makeCustomer(h, tenant.ctx, { name: '第二线', productLineId: secondLine });
    const admin = tenant.adminToken;
    expect((await post(admin, { mid: MID, id: inDefault.id })).body.data.item.product_line_id).toBe(defaultLine);
    expect((await post(admin, { mid: MID, id: inDefault.id }, { 'default-product-id': defaultLine })).status).toBe(200);
    const elsewhere = await post(admin, { mid: MID, id: inSecond.id }, { 'default-product-id': defaultLine });
    expect(elsewhere).toEqual({ status: 404, body: { code: 404, data: null, message: expect.stringContaining(defaultLine) } });
    expect((await post(admin, { mid: MID, id: inSecond.id })).status).toBe(404);
    const there = await post(admin, { mid: MID, id: inSecond.id }, { 'default-product-id': secondLine });
    expect(there.status).toBe(200);
    expect(there.body.data.item.product_line_id).toBe(secondLine);
    for (const header of ['987654321', otherTenantLine, 'abc']) {
      const res = await post(admin, { mid: MID, id: inDefault.id }, { 'default-product-id': header });
      expect(res, header).toEqual({ status: 400, body: { code: 400, data: null, message: expect.stringContaining('default-product-id') } });
    }
  });

  it('adds a customer in the header’s product line through the companion /add, seen by the native API', async () => {
    const res = await post(alice.token, { mid: MID, name: '新客户', phone: 13800138000, note: '从 add 来' }, { 'default-product-id': secondLine }, 'add');
    expect(res.status).toBe(200);
    const item = res.body.data.item;
    expect(item).toMatchObject({ name: '新客户', phone: '13800138000', product_line_id: secondLine, own_id: { id: alice.user.id }, created_id: { id: alice.user.id } });
    const native = await client(h.app, alice.token).get(`/api/v1/customers/${item.id}`);
    expect(native.body).toMatchObject({ name: '新客户', productLineId: secondLine, ownerId: alice.user.id, phones: ['13800138000'] });
    expect((await post(alice.token, { mid: MID, phone: '13800138000' }, {}, 'add')).body).toEqual({ code: 400, data: null, message: expect.stringContaining('name') });
    expect((await post(alice.token, { mid: MID, name: '带 id', id: '1' }, {}, 'add')).status).toBe(400);
    const unowned = await post(alice.token, { mid: '1', name: '给 Bob 的', own_id: bob.user.id }, {}, 'add');
    expect(unowned.body.data.item.own_id).toMatchObject({ id: bob.user.id });
  });
});
