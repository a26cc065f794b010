import { beforeAll, describe, expect, it } from 'vitest';
import type { DataScope } from '../../src/db/schema.ts';
import type { Permission } from '../../src/core/shared/permissions.ts';
import { makeCustomer, makeDepartment, makeMember, makeRole } from '../helpers/crm.ts';
import { client, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

/**
 * Departments:            Users (role scope):
 *   root                    all      (all)        in south
 *   ├─ north                own      (own)        in north
 *   │   └─ north-a          ownPool  (own + pool) in north
 *   └─ south                dept     (department) in north
 *                           tree     (dept. tree) in north
 *                           northA   (own)        in north-a
 *                           south    (own)        in south
 *                           loner    (department) in no department
 */
describe('data scope', () => {
  let h: Harness;
  let tenant: TestTenant;
  type Member = Awaited<ReturnType<typeof makeMember>>;
  const users: Record<string, Member> = {};
  const customers: Record<string, string> = {};

  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    const north = await makeDepartment(h, tenant, '华北');
    const northA = await makeDepartment(h, tenant, '华北一组', north.id);
    const south = await makeDepartment(h, tenant, '华南');
    const role = async (scope: DataScope, extra: Permission[] = []) => (await makeRole(h, tenant, scope, ['customers:delete', ...extra])).code;
    const roles = {
      own: await role('own'),
      ownPool: await role('own', ['pool:access']),
      department: await role('department'),
      tree: await role('department_tree'),
      all: await role('all'),
    };
    const member = (role: string, departmentId?: string) => makeMember(h, tenant, { role, departmentId });
    users.all = await member(roles.all, south.id);
    users.own = await member(roles.own, north.id);
    users.ownPool = await member(roles.ownPool, north.id);
    users.dept = await member(roles.department, north.id);
    users.tree = await member(roles.tree, north.id);
    users.northA = await member(roles.own, northA.id);
    users.south = await member(roles.own, south.id);
    users.loner = await member(roles.department);
    for (const name of ['own', 'ownPool', 'dept', 'tree', 'northA', 'south', 'loner']) {
      customers[name] = (await makeCustomer(h, users[name]!.ctx, { name: `${name} 的客户` })).id;
    }
    customers.pool = (await makeCustomer(h, tenant.ctx, { name: '公海客户', ownerId: null })).id;
    customers.orphan = (await makeCustomer(h, tenant.ctx, { name: '无人负责', ownerId: null })).id;
    await h.database.db.updateTable('customer').set({ in_pool: true }).where('tenant_id', '=', tenant.id).where('id', '=', customers.pool).execute();
    // The south customer is shared with the "own" user.
    await h.services.shares.share(users.south!.ctx, customers.south!, [users.own!.user.id]);
  });

  const expected: Record<string, string[]> = {
    own: ['own', 'south'],
    ownPool: ['ownPool', 'pool'],
    dept: ['own', 'ownPool', 'dept', 'tree'],
    tree: ['own', 'ownPool', 'dept', 'tree', 'northA'],
    northA: ['northA'],
    south: ['south'],
    loner: ['loner'],
    all: ['own', 'ownPool', 'dept', 'tree', 'northA', 'south', 'loner', 'pool', 'orphan'],
  };

  const labelOf = (id: string) => Object.entries(customers).find(([, v]) => v === id)?.[0] ?? id;

  for (const [user, visible] of Object.entries(expected)) {
    it(`lets "${user}" list and read exactly the customers its scope allows`, async () => {
      const api = client(h.app, users[user]!.token);
      const list = await api.get('/api/v1/customers?limit=500&withTotal=true');
      expect(list.status).toBe(200);
      expect(list.body.items.map((c: { id: string }) => labelOf(c.id)).sort()).toEqual([...visible].sort());
      expect(list.body.total).toBe(visible.length);
      for (const [label, id] of Object.entries(customers)) {
        const res = await api.get(`/api/v1/customers/${id}`);
        expect(res.status, `${user} GET ${label}`).toBe(visible.includes(label) ? 200 : 404);
      }
    });

    it(`answers 404 to "${user}" writing customers outside its scope`, async () => {
      const api = client(h.app, users[user]!.token);
      for (const [label, id] of Object.entries(customers)) {
        if (visible.includes(label)) continue;
        const patch = await api.patch(`/api/v1/customers/${id}`, { note: 'not mine' });
        expect(patch.status, `${user} PATCH ${label}`).toBe(404);
        expect(patch.body.code).toBe('customer_not_found');
        expect((await api.delete(`/api/v1/customers/${id}`)).status, `${user} DELETE ${label}`).toBe(404);
        expect((await api.post(`/api/v1/customers/${id}/restore`)).status, `${user} restore ${label}`).toBe(404);
      }
    });
  }

  it('shows pool customers only to roles with pool:access', async () => {
    const withPool = await client(h.app, users.ownPool!.token).get('/api/v1/customers?inPool=true');
    expect(withPool.body.items.map((c: { id: string }) => c.id)).toEqual([customers.pool]);
    const without = await client(h.app, users.own!.token).get('/api/v1/customers?inPool=true');
    expect(without.body.items).toEqual([]);
  });

  it('makes a share visible at once and its withdrawal invisible again', async () => {
    const api = client(h.app, users.northA!.token);
    expect((await api.get(`/api/v1/customers/${customers.loner}`)).status).toBe(404);
    await h.services.shares.share(users.loner!.ctx, customers.loner!, [users.northA!.user.id]);
    expect((await api.get(`/api/v1/customers/${customers.loner}`)).status).toBe(200);
    expect((await api.patch(`/api/v1/customers/${customers.loner}`, { note: '共享后可改' })).status).toBe(200);
    await h.services.shares.unshare(users.loner!.ctx, customers.loner!, [users.northA!.user.id]);
    expect((await api.get(`/api/v1/customers/${customers.loner}`)).status).toBe(404);
  });

  it("keeps a customer with its owner's department at assignment, and follows a change of owner", async () => {
    const id = (await makeCustomer(h, users.south!.ctx, { name: '换负责人' })).id;
    const dept = client(h.app, users.dept!.token);
    expect((await dept.get(`/api/v1/customers/${id}`)).status).toBe(404);
    await h.services.customers.update(users.all!.ctx, id, { ownerId: users.own!.user.id });
    const res = await dept.get(`/api/v1/customers/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.ownerDepartmentId).toBe(users.own!.user.department_id);
    // The previous owner no longer sees it.
    expect((await client(h.app, users.south!.token).get(`/api/v1/customers/${id}`)).status).toBe(404);
  });
});
