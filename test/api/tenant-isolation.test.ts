import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, makeUser, setupHarness, type ApiResponse, type Harness, type TestTenant } from '../helpers/harness.ts';

/** Larger than any id either tenant will reach in this file. */
const MISSING = '900000000000';

let h: Harness;
let a: TestTenant;
let b: TestTenant;

/** Ids of tenant B's rows that tenant A's callers try to reach. */
const theirs = { userId: '', departmentId: '', roleId: '', adminRoleId: '', tokenId: '', token: '', itemId: '' };
/** Tenant A's own rows, to aim writes at B's references. */
const ours = { userId: '', departmentId: '', salesToken: '' };

beforeAll(async () => {
  h = await setupHarness();
  a = await makeTenant(h);
  b = await makeTenant(h);
  const asB = client(h.app, b.adminToken);

  const department = await asB.post('/api/v1/departments', { name: 'B 部门' });
  const role = await asB.post('/api/v1/roles', { code: 'b-role', name: 'B role', dataScope: 'own' });
  const user = await asB.post('/api/v1/users', { login: 'b.user', password: 'b-user-pass', departmentId: department.body.id, roleId: role.body.id });
  const token = await asB.post('/api/v1/tokens', { name: 'b token', userId: user.body.id });
  const item = await asB.post('/api/v1/dictionaries/customer_type/items', { name: 'B 类型' });
  for (const res of [department, role, user, token, item]) expect(res.status).toBe(201);
  const bRoles = (await asB.get('/api/v1/roles')).body.items as { id: string; code: string }[];
  Object.assign(theirs, {
    userId: user.body.id,
    departmentId: department.body.id,
    roleId: role.body.id,
    adminRoleId: bRoles.find((r) => r.code === 'admin')!.id,
    tokenId: token.body.info.id,
    token: token.body.token,
    itemId: item.body.id,
  });

  const asA = client(h.app, a.adminToken);
  const ourDepartment = await asA.post('/api/v1/departments', { name: 'A 部门' });
  const sales = await makeUser(h, a, { role: 'sales', departmentId: ourDepartment.body.id });
  Object.assign(ours, { userId: sales.user.id, departmentId: ourDepartment.body.id, salesToken: sales.token });
});

/** A refusal with the id taken out of its prose, so two 404s for different ids can be compared whole. */
function normalised(res: ApiResponse, id: string) {
  const { requestId: _requestId, detail, instance, ...body } = res.body;
  const strip = (text: string) => text.replace(new RegExp(`\\b${id}\\b`, 'g'), ':id');
  return { status: res.status, contentType: res.headers['content-type'], body, detail: strip(detail), instance: strip(instance) };
}

/** Every row of tenant B that A's callers might touch, to prove nothing changed. */
async function snapshotOfB() {
  const db = h.database.db;
  const tables = ['app_user', 'department', 'role', 'api_token', 'dictionary_item', 'audit_log'] as const;
  const out: Record<string, unknown> = {};
  for (const table of tables) {
    out[table] = await db.selectFrom(table).selectAll().where('tenant_id', '=', b.id).orderBy('id').execute();
  }
  return out;
}

type Method = 'GET' | 'PATCH' | 'DELETE';
const routes: { name: string; method: Method; path: (ids: typeof theirs) => string; id: (ids: typeof theirs) => string; body?: unknown }[] = [
  { name: 'GET user', method: 'GET', path: (t) => `/api/v1/users/${t.userId}`, id: (t) => t.userId },
  { name: 'PATCH user', method: 'PATCH', path: (t) => `/api/v1/users/${t.userId}`, id: (t) => t.userId, body: { name: 'hijacked' } },
  { name: 'PATCH user status', method: 'PATCH', path: (t) => `/api/v1/users/${t.userId}`, id: (t) => t.userId, body: { status: 'disabled' } },
  { name: 'GET department', method: 'GET', path: (t) => `/api/v1/departments/${t.departmentId}`, id: (t) => t.departmentId },
  { name: 'PATCH department', method: 'PATCH', path: (t) => `/api/v1/departments/${t.departmentId}`, id: (t) => t.departmentId, body: { name: 'hijacked' } },
  { name: 'DELETE department', method: 'DELETE', path: (t) => `/api/v1/departments/${t.departmentId}`, id: (t) => t.departmentId },
  { name: 'GET role', method: 'GET', path: (t) => `/api/v1/roles/${t.roleId}`, id: (t) => t.roleId },
  { name: 'PATCH role', method: 'PATCH', path: (t) => `/api/v1/roles/${t.roleId}`, id: (t) => t.roleId, body: { permissions: ['users:manage'] } },
  { name: 'PATCH admin role', method: 'PATCH', path: (t) => `/api/v1/roles/${t.adminRoleId}`, id: (t) => t.adminRoleId, body: { name: 'hijacked' } },
  { name: 'DELETE role', method: 'DELETE', path: (t) => `/api/v1/roles/${t.roleId}`, id: (t) => t.roleId },
  { name: 'DELETE token', method: 'DELETE', path: (t) => `/api/v1/tokens/${t.tokenId}`, id: (t) => t.tokenId },
  { name: 'GET dictionary item', method: 'GET', path: (t) => `/api/v1/dictionaries/customer_type/items/${t.itemId}`, id: (t) => t.itemId },
  {
    name: 'PATCH dictionary item',
    method: 'PATCH',
    path: (t) => `/api/v1/dictionaries/customer_type/items/${t.itemId}`,
    id: (t) => t.itemId,
    body: { name: 'hijacked', isActive: false },
  },
];

function send(token: string, method: Method, path: string, body?: unknown, headers?: Record<string, string>) {
  const c = client(h.app, token);
  if (method === 'GET') return c.get(path, headers);
  if (method === 'DELETE') return c.delete(path, headers);
  return c.patch(path, body, headers);
}

describe("another tenant's ids", () => {
  it('answer 404 on every id-addressed route, exactly like a missing id, and change nothing', async () => {
    const before = await snapshotOfB();
    const missing = Object.fromEntries(Object.keys(theirs).map((k) => [k, MISSING])) as typeof theirs;
    for (const route of routes) {
      const foreign = await send(a.adminToken, route.method, route.path(theirs), route.body);
      const absent = await send(a.adminToken, route.method, route.path(missing), route.body);
      expect(foreign.status, route.name).toBe(404);
      expect(foreign.body.type, route.name).toBe('/problems/not-found');
      expect(normalised(foreign, route.id(theirs)), route.name).toEqual(normalised(absent, MISSING));
    }
    expect(await snapshotOfB()).toEqual(before);
  });

  it('answer 404 rather than 412 to a write with an If-Match', async () => {
    const before = await snapshotOfB();
    for (const route of routes.filter((r) => r.method === 'PATCH')) {
      const res = await send(a.adminToken, 'PATCH', route.path(theirs), route.body, { 'if-match': '"1"' });
      expect(res.status, route.name).toBe(404);
    }
    expect(await snapshotOfB()).toEqual(before);
  });

  it('answer 404 to a sales user too, not 403', async () => {
    const user = await client(h.app, ours.salesToken).get(`/api/v1/users/${theirs.userId}`);
    expect(user.status).toBe(404);
    const token = await client(h.app, ours.salesToken).delete(`/api/v1/tokens/${theirs.tokenId}`);
    expect(token.status).toBe(404);
    expect(normalised(token, theirs.tokenId)).toEqual(normalised(await client(h.app, ours.salesToken).delete(`/api/v1/tokens/${MISSING}`), MISSING));
  });

  it("leave the other tenant's token working after an attempt to revoke it", async () => {
    const me = await client(h.app, theirs.token).get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(theirs.userId);
    expect(me.body.tenant.id).toBe(b.id);
  });

  it('are refused as references, naming the field, with nothing written', async () => {
    const asA = client(h.app, a.adminToken);
    const auditBefore = await h.database.db.selectFrom('audit_log').select('id').execute();
    const cases: { name: string; res: () => Promise<ApiResponse>; field: string }[] = [
      { name: 'user in their department', res: () => asA.post('/api/v1/users', { login: 'x.dept', departmentId: theirs.departmentId }), field: 'departmentId' },
      { name: 'user with their role', res: () => asA.post('/api/v1/users', { login: 'x.role', roleId: theirs.roleId }), field: 'roleId' },
      { name: 'move our user to their department', res: () => asA.patch(`/api/v1/users/${ours.userId}`, { departmentId: theirs.departmentId }), field: 'departmentId' },
      { name: 'give our user their role', res: () => asA.patch(`/api/v1/users/${ours.userId}`, { roleId: theirs.adminRoleId }), field: 'roleId' },
      { name: 'token for their user', res: () => asA.post('/api/v1/tokens', { name: 'x', userId: theirs.userId }), field: 'userId' },
      { name: 'department under theirs', res: () => asA.post('/api/v1/departments', { name: 'x', parentId: theirs.departmentId }), field: 'parentId' },
      { name: 'move our department under theirs', res: () => asA.patch(`/api/v1/departments/${ours.departmentId}`, { parentId: theirs.departmentId }), field: 'parentId' },
      { name: 'item under theirs', res: () => asA.post('/api/v1/dictionaries/customer_type/items', { name: 'x', parentId: theirs.itemId }), field: 'parentId' },
    ];
    for (const c of cases) {
      const res = await c.res();
      expect(res.status, c.name).toBe(422);
      expect(res.body.code, c.name).toBe('reference_not_found');
      expect(res.body.errors.map((e: { field: string }) => e.field), c.name).toEqual([c.field]);
    }
    expect(await h.database.db.selectFrom('audit_log').select('id').execute()).toEqual(auditBefore);
    const our = await h.database.db.selectFrom('app_user').selectAll().where('tenant_id', '=', a.id).where('id', '=', ours.userId).executeTakeFirstOrThrow();
    expect(our.department_id).toBe(ours.departmentId);
    expect(our.version).toBe(1);
  });
});

describe('lists', () => {
  const ids = (res: ApiResponse) => (res.body.items as { id: string }[]).map((i) => i.id);
  const dbIds = async (table: 'app_user' | 'department' | 'role' | 'api_token', tenantId: string) =>
    (await h.database.db.selectFrom(table).select('id').where('tenant_id', '=', tenantId).execute()).map((r) => r.id).sort();

  it("hold exactly the caller's tenant's users, departments, roles and tokens", async () => {
    const asA = client(h.app, a.adminToken);
    expect(ids(await asA.get('/api/v1/users?limit=500')).sort()).toEqual(await dbIds('app_user', a.id));
    expect(ids(await asA.get('/api/v1/departments')).sort()).toEqual(await dbIds('department', a.id));
    expect(ids(await asA.get('/api/v1/roles')).sort()).toEqual(await dbIds('role', a.id));
    expect(ids(await asA.get('/api/v1/tokens?limit=500&includeRevoked=true')).sort()).toEqual(await dbIds('api_token', a.id));

    const asB = client(h.app, b.adminToken);
    const theirUsers = ids(await asB.get('/api/v1/users?limit=500'));
    expect(theirUsers).toContain(theirs.userId);
    expect(theirUsers.sort()).toEqual(await dbIds('app_user', b.id));
  });

  it("hold exactly the caller's tenant's dictionary items", async () => {
    const asA = client(h.app, a.adminToken);
    const dictionaries = (await asA.get('/api/v1/dictionaries')).body.items as { name: string }[];
    expect(dictionaries.length).toBeGreaterThan(5);
    for (const { name } of dictionaries) {
      const listed = ids(await asA.get(`/api/v1/dictionaries/${name}/items?includeInactive=true`)).sort();
      const stored = (
        await h.database.db.selectFrom('dictionary_item').select('id').where('tenant_id', '=', a.id).where('dictionary', '=', name).execute()
      ).map((r) => r.id).sort();
      expect(listed, name).toEqual(stored);
    }
    expect(ids(await asA.get('/api/v1/dictionaries/customer_type/items'))).not.toContain(theirs.itemId);
  });

  it("come back empty when filtered by the other tenant's ids", async () => {
    const asA = client(h.app, a.adminToken);
    expect((await asA.get(`/api/v1/users?departmentId=${theirs.departmentId}`)).body.items).toEqual([]);
    expect((await asA.get(`/api/v1/users?roleId=${theirs.roleId}`)).body.items).toEqual([]);
    expect((await asA.get(`/api/v1/tokens?userId=${theirs.userId}`)).body.items).toEqual([]);
    expect((await asA.get(`/api/v1/users?q=b.user`)).body.items).toEqual([]);
  });

  it("does not let a cursor from one tenant's list reveal the other's rows", async () => {
    const asB = client(h.app, b.adminToken);
    const first = await asB.get('/api/v1/users?limit=1');
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const asA = client(h.app, a.adminToken);
    const res = await asA.get(`/api/v1/users?limit=500&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(res.status).toBe(200);
    for (const id of ids(res)) expect(await dbIds('app_user', a.id)).toContain(id);
  });
});

describe('GET /api/v1/audit-log', () => {
  async function walk(token: string) {
    const entries: { id: string; entity: string; entityId: string; userId: string | null }[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 500; page++) {
      const url: string = `/api/v1/audit-log?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await client(h.app, token).get(url);
      expect(res.status).toBe(200);
      entries.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    return entries;
  }

  it("shows each tenant only its own entries, all of them", async () => {
    for (const tenant of [a, b]) {
      const listed = (await walk(tenant.adminToken)).map((e) => e.id);
      const stored = (await h.database.db.selectFrom('audit_log').select('id').where('tenant_id', '=', tenant.id).orderBy('id', 'desc').execute()).map((r) => r.id);
      expect(stored.length).toBeGreaterThan(0);
      expect(listed).toEqual(stored);
    }
  });

  it("finds nothing when asked for the other tenant's entities or users", async () => {
    const asA = client(h.app, a.adminToken);
    expect((await asA.get(`/api/v1/audit-log?entity=user&entityId=${theirs.userId}`)).body.items).toEqual([]);
    expect((await asA.get(`/api/v1/audit-log?entity=api_token&entityId=${theirs.tokenId}`)).body.items).toEqual([]);
    expect((await asA.get(`/api/v1/audit-log?userId=${b.adminId}`)).body.items).toEqual([]);
    const asB = client(h.app, b.adminToken);
    expect((await asB.get(`/api/v1/audit-log?entity=user&entityId=${theirs.userId}`)).body.items).toHaveLength(1);
  });
});
