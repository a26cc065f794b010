import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

describe('departments', () => {
  let h: Harness;
  let tenant: TestTenant;
  let admin: ReturnType<typeof client>;
  let sales: ReturnType<typeof client>;
  let root: { id: string; name: string };
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    admin = client(h.app, tenant.adminToken);
    sales = client(h.app, (await makeUser(h, tenant, { role: 'sales' })).token);
    const list = await admin.get('/api/v1/departments');
    root = list.body.items.find((d: { parentId: string | null }) => d.parentId === null);
  });

  const create = async (name: string, parentId?: string | null) => {
    const res = await admin.post('/api/v1/departments', { name, ...(parentId !== undefined ? { parentId } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; parentId: string | null; name: string; version: number };
  };

  it('starts every tenant with one root department named after it', async () => {
    const res = await admin.get('/api/v1/departments');
    expect(res.status).toBe(200);
    const roots = res.body.items.filter((d: { parentId: string | null }) => d.parentId === null);
    expect(roots).toHaveLength(1);
    expect(roots[0].name).toBe(tenant.slug);
    expect(roots[0].id).toMatch(/^\d+$/);
  });

  it('creates a department under a parent', async () => {
    const res = await admin.post('/api/v1/departments', { name: '  华东区  ', parentId: root.id, sort: 5 });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/v1/departments/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body.name).toBe('华东区');
    expect(res.body.parentId).toBe(root.id);
    expect(res.body.sort).toBe(5);
    expect(res.body.version).toBe(1);
    expect(res.body.createdAt).toMatch(/\+08:00$/);

    const read = await admin.get(`/api/v1/departments/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it('creates a top-level department when no parent is given', async () => {
    const top = await create('Top level');
    expect(top.parentId).toBeNull();
  });

  it('lists the whole tree flat, children pointing at their parents', async () => {
    const region = await create('Tree region', root.id);
    const city = await create('Tree city', region.id);
    const res = await admin.get('/api/v1/departments');
    const byId = new Map(res.body.items.map((d: { id: string }) => [d.id, d]));
    expect(byId.get(region.id)).toMatchObject({ parentId: root.id, name: 'Tree region' });
    expect(byId.get(city.id)).toMatchObject({ parentId: region.id, name: 'Tree city' });
  });

  it('refuses a parent that does not exist, naming parentId', async () => {
    const res = await admin.post('/api/v1/departments', { name: 'Orphan', parentId: '987654321' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('reference_not_found');
    expect(fields(res.body)).toEqual(['parentId']);
  });

  it('refuses a blank name, naming it', async () => {
    const res = await admin.post('/api/v1/departments', { name: '   ' });
    expect(res.status).toBe(422);
    expect(fields(res.body)).toEqual(['name']);
  });

  it('moves a department under another one', async () => {
    const a = await create('Move A', root.id);
    const b = await create('Move B', root.id);
    const res = await admin.patch(`/api/v1/departments/${b.id}`, { parentId: a.id });
    expect(res.status).toBe(200);
    expect(res.body.parentId).toBe(a.id);
    expect(res.body.version).toBe(2);
    expect((await admin.get(`/api/v1/departments/${b.id}`)).body.parentId).toBe(a.id);
  });

  it('moves a department to the top level with parentId null', async () => {
    const d = await create('Move up', root.id);
    const res = await admin.patch(`/api/v1/departments/${d.id}`, { parentId: null });
    expect(res.status).toBe(200);
    expect(res.body.parentId).toBeNull();
  });

  it('renames and reorders without moving', async () => {
    const d = await create('Rename me', root.id);
    const res = await admin.patch(`/api/v1/departments/${d.id}`, { name: 'Renamed', sort: 3 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Renamed', sort: 3, parentId: root.id });
  });

  it('refuses to move a department under itself (422 naming parentId)', async () => {
    const d = await create('Self', root.id);
    const res = await admin.patch(`/api/v1/departments/${d.id}`, { parentId: d.id });
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('/problems/validation-failed');
    expect(fields(res.body)).toEqual(['parentId']);
    expect((await admin.get(`/api/v1/departments/${d.id}`)).body.parentId).toBe(root.id);
  });

  it('refuses to move a department under its own descendant', async () => {
    const top = await create('Cycle top', root.id);
    const mid = await create('Cycle mid', top.id);
    const leaf = await create('Cycle leaf', mid.id);
    for (const target of [mid.id, leaf.id]) {
      const res = await admin.patch(`/api/v1/departments/${top.id}`, { parentId: target });
      expect(res.status, target).toBe(422);
      expect(fields(res.body), target).toEqual(['parentId']);
    }
    const after = await admin.get(`/api/v1/departments/${top.id}`);
    expect(after.body.parentId).toBe(root.id);
    expect(after.body.version).toBe(1);
    // Moving the leaf up is no cycle.
    expect((await admin.patch(`/api/v1/departments/${leaf.id}`, { parentId: top.id })).status).toBe(200);
  });

  it('refuses an empty patch', async () => {
    const d = await create('Empty patch', root.id);
    const res = await admin.patch(`/api/v1/departments/${d.id}`, {});
    expect(res.status).toBe(422);
  });

  it('refuses to delete a department with sub-departments (409)', async () => {
    const parent = await create('Has child', root.id);
    await create('The child', parent.id);
    const res = await admin.delete(`/api/v1/departments/${parent.id}`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ type: '/problems/conflict', code: 'department_not_empty' });
    expect((await admin.get(`/api/v1/departments/${parent.id}`)).status).toBe(200);
  });

  it('refuses to delete a department with users (409)', async () => {
    const d = await create('Has user', root.id);
    await makeUser(h, tenant, { departmentId: d.id });
    const res = await admin.delete(`/api/v1/departments/${d.id}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('department_not_empty');
    expect(res.body.detail).toMatch(/users/);
  });

  it('deletes an empty department (204), after which it is gone', async () => {
    const d = await create('Empty', root.id);
    const res = await admin.delete(`/api/v1/departments/${d.id}`);
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect((await admin.get(`/api/v1/departments/${d.id}`)).status).toBe(404);
    expect((await admin.delete(`/api/v1/departments/${d.id}`)).status).toBe(404);
    const list = await admin.get('/api/v1/departments');
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(d.id);
  });

  it('deletes a leaf, after which its parent is empty and deletable', async () => {
    const parent = await create('Parent to empty', root.id);
    const child = await create('Child to delete', parent.id);
    expect((await admin.delete(`/api/v1/departments/${child.id}`)).status).toBe(204);
    expect((await admin.delete(`/api/v1/departments/${parent.id}`)).status).toBe(204);
  });

  it("answers another tenant's department with 404, and refuses it as a parent", async () => {
    const other = await makeTenant(h);
    const theirs = (await client(h.app, other.adminToken).get('/api/v1/departments')).body.items[0];
    expect((await admin.get(`/api/v1/departments/${theirs.id}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/departments/${theirs.id}`, { name: 'Mine now' })).status).toBe(404);
    expect((await admin.delete(`/api/v1/departments/${theirs.id}`)).status).toBe(404);
    const asParent = await admin.post('/api/v1/departments', { name: 'Sneaky', parentId: theirs.id });
    expect(asParent.status).toBe(422);
    expect(fields(asParent.body)).toEqual(['parentId']);
    expect((await client(h.app, other.adminToken).get(`/api/v1/departments/${theirs.id}`)).body.name).toBe(other.slug);
  });

  describe('permissions', () => {
    let target: { id: string };
    beforeAll(async () => {
      target = await create('Guarded', root.id);
    });

    it('lets a sales user read departments', async () => {
      const list = await sales.get('/api/v1/departments');
      expect(list.status).toBe(200);
      expect(list.body.items.length).toBeGreaterThan(1);
      expect((await sales.get(`/api/v1/departments/${target.id}`)).status).toBe(200);
    });

    it('refuses a sales user every write with 403', async () => {
      const attempts = [
        await sales.post('/api/v1/departments', { name: 'By sales' }),
        await sales.patch(`/api/v1/departments/${target.id}`, { name: 'By sales' }),
        await sales.delete(`/api/v1/departments/${target.id}`),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({ type: '/problems/forbidden', code: 'missing_permission' });
        expect(res.body.detail).toContain('departments:manage');
      }
      const after = await admin.get(`/api/v1/departments/${target.id}`);
      expect(after.body.name).toBe('Guarded');
      expect(after.body.version).toBe(1);
    });

    it('refuses a manager too: the default manager role does not manage departments', async () => {
      const manager = client(h.app, (await makeUser(h, tenant, { role: 'manager' })).token);
      expect((await manager.post('/api/v1/departments', { name: 'By manager' })).status).toBe(403);
    });
  });
});

describe('roles', () => {
  let h: Harness;
  let tenant: TestTenant;
  let admin: ReturnType<typeof client>;
  let adminRole: { id: string; permissions: string[]; dataScope: string; version: number };
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    admin = client(h.app, tenant.adminToken);
    adminRole = (await admin.get('/api/v1/roles')).body.items.find((r: { code: string }) => r.code === 'admin');
  });

  it('starts every tenant with admin, manager and sales', async () => {
    const res = await admin.get('/api/v1/roles');
    expect(res.status).toBe(200);
    const byCode = Object.fromEntries(res.body.items.map((r: { code: string }) => [r.code, r]));
    expect(Object.keys(byCode).sort()).toEqual(['admin', 'manager', 'sales']);
    expect(byCode.admin).toMatchObject({ isSystem: true, dataScope: 'all' });
    expect(byCode.admin.permissions).toContain('roles:manage');
    expect(byCode.admin.permissions).toContain('audit:read');
    expect(byCode.manager).toMatchObject({ isSystem: false, dataScope: 'department_tree' });
    expect(byCode.sales).toMatchObject({ isSystem: false, dataScope: 'own' });
    expect(byCode.sales.permissions).not.toContain('roles:manage');
  });

  it('creates a role with permissions and a data scope', async () => {
    const res = await admin.post('/api/v1/roles', {
      code: 'auditor',
      name: ' 审计员 ',
      permissions: ['users:manage', 'audit:read', 'audit:read'],
      dataScope: 'department',
    });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/v1/roles/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({ code: 'auditor', name: '审计员', dataScope: 'department', isSystem: false, version: 1 });
    // Stored once each, in a stable order.
    expect(res.body.permissions).toEqual(['audit:read', 'users:manage']);
    const read = await admin.get(`/api/v1/roles/${res.body.id}`);
    expect(read.body).toEqual(res.body);
  });

  it('creates a role with no permissions when none are given', async () => {
    const res = await admin.post('/api/v1/roles', { code: 'viewer', name: 'Viewer', dataScope: 'own' });
    expect(res.status).toBe(201);
    expect(res.body.permissions).toEqual([]);
  });

  it('refuses an unknown permission with 422 naming it', async () => {
    const res = await admin.post('/api/v1/roles', { code: 'bogus', name: 'Bogus', dataScope: 'own', permissions: ['audit:read', 'everything:allowed'] });
    expect(res.status).toBe(422);
    expect(fields(res.body)).toEqual(['permissions[1]']);
    expect((await admin.get('/api/v1/roles')).body.items.map((r: { code: string }) => r.code)).not.toContain('bogus');
  });

  it('refuses an unknown data scope or a malformed code with 422 naming the field', async () => {
    const scope = await admin.post('/api/v1/roles', { code: 'scoped', name: 'Scoped', dataScope: 'galaxy' });
    expect(scope.status).toBe(422);
    expect(fields(scope.body)).toEqual(['dataScope']);
    const code = await admin.post('/api/v1/roles', { code: 'Has Spaces', name: 'Bad code', dataScope: 'own' });
    expect(code.status).toBe(422);
    expect(fields(code.body)).toEqual(['code']);
    const missing = await admin.post('/api/v1/roles', { code: 'nodatascope', name: 'No scope' });
    expect(missing.status).toBe(422);
    expect(fields(missing.body)).toEqual(['dataScope']);
  });

  it('refuses a duplicate code with 409 naming code', async () => {
    expect((await admin.post('/api/v1/roles', { code: 'twice', name: 'First', dataScope: 'own' })).status).toBe(201);
    const res = await admin.post('/api/v1/roles', { code: 'twice', name: 'Second', dataScope: 'all' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ type: '/problems/conflict', code: 'role_code_taken' });
    expect(fields(res.body)).toEqual(['code']);
    const clash = await admin.post('/api/v1/roles', { code: 'sales', name: 'Another sales', dataScope: 'own' });
    expect(clash.status).toBe(409);
  });

  it('changes name, permissions and data scope', async () => {
    const role = (await admin.post('/api/v1/roles', { code: 'changing', name: 'Changing', dataScope: 'own' })).body;
    const res = await admin.patch(`/api/v1/roles/${role.id}`, { name: 'Changed', permissions: ['pool:access'], dataScope: 'department_tree' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 'changing', name: 'Changed', permissions: ['pool:access'], dataScope: 'department_tree', version: 2 });
  });

  it('keeps the code immutable: PATCH with code is refused with 422 naming it', async () => {
    const role = (await admin.post('/api/v1/roles', { code: 'fixed', name: 'Fixed', dataScope: 'own' })).body;
    const res = await admin.patch(`/api/v1/roles/${role.id}`, { code: 'renamed' });
    expect(res.status).toBe(422);
    expect(fields(res.body)).toEqual(['code']);
    const after = await admin.get(`/api/v1/roles/${role.id}`);
    expect(after.body.code).toBe('fixed');
    expect(after.body.version).toBe(1);
  });

  it('refuses to reduce the built-in admin role (422)', async () => {
    const fewer = await admin.patch(`/api/v1/roles/${adminRole.id}`, { permissions: ['audit:read'] });
    expect(fewer.status).toBe(422);
    expect(fields(fewer.body)).toEqual(['permissions']);
    const narrower = await admin.patch(`/api/v1/roles/${adminRole.id}`, { dataScope: 'own' });
    expect(narrower.status).toBe(422);
    expect(fields(narrower.body)).toEqual(['dataScope']);
    const after = await admin.get(`/api/v1/roles/${adminRole.id}`);
    expect(after.body.permissions).toEqual(adminRole.permissions);
    expect(after.body.dataScope).toBe('all');
    expect(after.body.version).toBe(adminRole.version);
  });

  it('lets the admin role be renamed', async () => {
    const res = await admin.patch(`/api/v1/roles/${adminRole.id}`, { name: '超级管理员' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: '超级管理员', isSystem: true, dataScope: 'all' });
    expect(res.body.permissions).toEqual(adminRole.permissions);
  });

  it('refuses to delete the built-in admin role (409)', async () => {
    const res = await admin.delete(`/api/v1/roles/${adminRole.id}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('role_is_system');
    expect((await admin.get(`/api/v1/roles/${adminRole.id}`)).status).toBe(200);
  });

  it('refuses to delete a role in use (409), and deletes it once unused (204)', async () => {
    const role = (await admin.post('/api/v1/roles', { code: 'inuse', name: 'In use', dataScope: 'own' })).body;
    const { user } = await makeUser(h, tenant, { role: 'inuse' });
    expect(user.role_id).toBe(role.id);

    const refused = await admin.delete(`/api/v1/roles/${role.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('role_in_use');
    expect((await admin.get(`/api/v1/roles/${role.id}`)).status).toBe(200);

    const sales = (await admin.get('/api/v1/roles')).body.items.find((r: { code: string }) => r.code === 'sales');
    expect((await admin.patch(`/api/v1/users/${user.id}`, { roleId: sales.id })).status).toBe(200);
    const deleted = await admin.delete(`/api/v1/roles/${role.id}`);
    expect(deleted.status).toBe(204);
    expect((await admin.get(`/api/v1/roles/${role.id}`)).status).toBe(404);
  });

  it('grants what a role says, on the next request of its users', async () => {
    const role = (await admin.post('/api/v1/roles', { code: 'orgadmin', name: 'Org admin', dataScope: 'own' })).body;
    const user = client(h.app, (await makeUser(h, tenant, { role: 'orgadmin' })).token);
    expect((await user.post('/api/v1/departments', { name: 'Before grant' })).status).toBe(403);
    expect((await admin.patch(`/api/v1/roles/${role.id}`, { permissions: ['departments:manage'] })).status).toBe(200);
    expect((await user.post('/api/v1/departments', { name: 'After grant' })).status).toBe(201);
    expect((await user.post('/api/v1/roles', { code: 'nope', name: 'Nope', dataScope: 'own' })).status).toBe(403);
  });

  it('lets a sales user read roles but not write them (403)', async () => {
    const sales = client(h.app, (await makeUser(h, tenant, { role: 'sales' })).token);
    expect((await sales.get('/api/v1/roles')).status).toBe(200);
    expect((await sales.get(`/api/v1/roles/${adminRole.id}`)).status).toBe(200);
    const create = await sales.post('/api/v1/roles', { code: 'mine', name: 'Mine', dataScope: 'all' });
    expect(create.status).toBe(403);
    expect(create.body.code).toBe('missing_permission');
    expect((await sales.patch(`/api/v1/roles/${adminRole.id}`, { name: 'Hacked' })).status).toBe(403);
    expect((await sales.delete(`/api/v1/roles/${adminRole.id}`)).status).toBe(403);
    expect((await admin.get(`/api/v1/roles/${adminRole.id}`)).body.name).not.toBe('Hacked');
  });

  it("answers another tenant's role with 404", async () => {
    const other = await makeTenant(h);
    const theirs = (await client(h.app, other.adminToken).get('/api/v1/roles')).body.items[0];
    expect((await admin.get(`/api/v1/roles/${theirs.id}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/roles/${theirs.id}`, { name: 'x' })).status).toBe(404);
    expect((await admin.delete(`/api/v1/roles/${theirs.id}`)).status).toBe(404);
  });
});
