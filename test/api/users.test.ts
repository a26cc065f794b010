import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

let h: Harness;
let tenant: TestTenant;
let roles: Record<string, string>;
let rootDepartmentId: string;

beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  const list = await client(h.app, tenant.adminToken).get('/api/v1/roles');
  roles = Object.fromEntries(list.body.items.map((r: { code: string; id: string }) => [r.code, r.id]));
  rootDepartmentId = (await client(h.app, tenant.adminToken).get('/api/v1/departments')).body.items[0].id;
});

const admin = () => client(h.app, tenant.adminToken);
const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

async function userRow(id: string) {
  return h.database.db.selectFrom('app_user').selectAll().where('tenant_id', '=', tenant.id).where('id', '=', id).executeTakeFirstOrThrow();
}

async function countByLogin(login: string) {
  const rows = await h.database.db.selectFrom('app_user').select('login').where('tenant_id', '=', tenant.id).execute();
  return rows.filter((u) => u.login.toLowerCase() === login.toLowerCase()).length;
}

async function makeDepartment(name: string) {
  const res = await admin().post('/api/v1/departments', { name, parentId: rootDepartmentId });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('POST /api/v1/users', () => {
  it('creates a user: 201 with Location, ETag and every field', async () => {
    const departmentId = await makeDepartment('华东销售部');
    const res = await admin().post('/api/v1/users', {
      login: 'zhang.san',
      name: '张三',
      password: 'zhangsan-pass',
      jobNumber: 'E1001',
      email: 'zhang.san@example.com',
      mobile: '13800138000',
      avatarUrl: 'https://example.com/a.png',
      departmentId,
      roleId: roles.manager,
    });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/v1/users/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({
      login: 'zhang.san',
      name: '张三',
      jobNumber: 'E1001',
      email: 'zhang.san@example.com',
      mobile: '13800138000',
      avatarUrl: 'https://example.com/a.png',
      departmentId,
      roleId: roles.manager,
      status: 'active',
      lastLoginAt: null,
      version: 1,
    });
    expect(res.body.id).toMatch(/^[1-9]\d*$/);
    expect(res.body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/);
    for (const secret of ['password', 'passwordHash', 'password_hash', 'failedLogins', 'lockedUntil']) {
      expect(res.body).not.toHaveProperty(secret);
    }

    const read = await admin().get(res.headers.location as string);
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.body).toEqual(res.body);

    const row = await userRow(res.body.id);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('defaults the name to the login and the role to sales', async () => {
    const res = await admin().post('/api/v1/users', { login: 'minimal' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ login: 'minimal', name: 'minimal', roleId: roles.sales, departmentId: null, jobNumber: null, email: null });
  });

  it('lets a user created with a password log in with it', async () => {
    const created = await admin().post('/api/v1/users', { login: 'can.login', password: 'can-login-pass' });
    const login = await client(h.app).post('/api/v1/auth/login', { tenant: tenant.slug, login: 'can.login', password: 'can-login-pass' });
    expect(login.status).toBe(200);
    const me = await client(h.app, login.body.token).get('/api/v1/me');
    expect(me.body.user.id).toBe(created.body.id);
  });

  it('refuses a login taken in any letter case with 409 naming login', async () => {
    expect((await admin().post('/api/v1/users', { login: 'Li.Si' })).status).toBe(201);
    for (const login of ['Li.Si', 'li.si', 'LI.SI']) {
      const res = await admin().post('/api/v1/users', { login, name: 'someone else' });
      expect(res.status, login).toBe(409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ type: '/problems/conflict', code: 'login_taken' });
      expect(fields(res.body)).toEqual(['login']);
    }
    expect(await countByLogin('li.si')).toBe(1);
  });

  it('refuses a taken job number with 409 naming jobNumber', async () => {
    expect((await admin().post('/api/v1/users', { login: 'job.one', jobNumber: 'J-77' })).status).toBe(201);
    const res = await admin().post('/api/v1/users', { login: 'job.two', jobNumber: 'J-77' });
    expect(res.status).toBe(409);
    expect(fields(res.body)).toEqual(['jobNumber']);
    expect(await countByLogin('job.two')).toBe(0);

    const other = await admin().post('/api/v1/users', { login: 'job.three', jobNumber: 'J-78' });
    const patch = await admin().patch(`/api/v1/users/${other.body.id}`, { jobNumber: 'J-77' });
    expect(patch.status).toBe(409);
    expect(fields(patch.body)).toEqual(['jobNumber']);
    expect((await userRow(other.body.id)).job_number).toBe('J-78');
    // Keeping one's own number is not a clash.
    expect((await admin().patch(`/api/v1/users/${other.body.id}`, { jobNumber: 'J-78', name: 'Three' })).status).toBe(200);
  });

  it('refuses an unknown roleId or departmentId with 422 naming the field, writing nothing', async () => {
    const role = await admin().post('/api/v1/users', { login: 'bad.role', roleId: '987654321' });
    expect(role.status).toBe(422);
    expect(role.body).toMatchObject({ type: '/problems/validation-failed', code: 'reference_not_found' });
    expect(fields(role.body)).toEqual(['roleId']);

    const department = await admin().post('/api/v1/users', { login: 'bad.department', departmentId: '987654321' });
    expect(department.status).toBe(422);
    expect(department.body.code).toBe('reference_not_found');
    expect(fields(department.body)).toEqual(['departmentId']);

    expect(await countByLogin('bad.role')).toBe(0);
    expect(await countByLogin('bad.department')).toBe(0);
  });

  it('refuses malformed bodies with 422 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ login: 'extra.field', nickname: 'x' }, 'nickname'],
      [{ login: 12345 }, 'login'],
      [{ name: 'no login' }, 'login'],
      [{ login: 'short.pw', password: 'short' }, 'password'],
      [{ login: 'typed.pw', password: 12345678 }, 'password'],
      [{ login: 'bad.dept.type', departmentId: 5 }, 'departmentId'],
      [{ login: 'bad.role.id', roleId: 'sales' }, 'roleId'],
      [{ login: 'bad.email', email: 'not-an-email' }, 'email'],
      [{ login: 'has space' }, 'login'],
      [{ login: 'x' }, 'login'],
    ];
    for (const [body, field] of cases) {
      const res = await admin().post('/api/v1/users', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(fields(res.body), JSON.stringify(body)).toContain(field);
      expect(res.body.detail, JSON.stringify(body)).toContain(field);
    }
    expect((await admin().post('/api/v1/users', { login: 'extra.field', nickname: 'x' })).body.errors).toEqual([
      { field: 'nickname', message: 'is not a known field' },
    ]);
    expect(await countByLogin('extra.field')).toBe(0);
    expect(await countByLogin('short.pw')).toBe(0);
  });

  it('refuses a sales user with 403', async () => {
    const { token } = await makeUser(h, tenant, { role: 'sales' });
    const res = await client(h.app, token).post('/api/v1/users', { login: 'by.sales' });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ type: '/problems/forbidden', code: 'missing_permission' });
    expect(await countByLogin('by.sales')).toBe(0);
  });
});

describe('GET /api/v1/users', () => {
  let departmentId: string;
  let otherDepartmentId: string;
  const created: Record<string, string> = {};

  beforeAll(async () => {
    departmentId = await makeDepartment('列表测试部');
    otherDepartmentId = await makeDepartment('别的部门');
    const people: Record<string, unknown>[] = [
      { login: 'list.wang', name: '王小明', jobNumber: 'L-001', departmentId },
      { login: 'list.chen', name: '陈大文', jobNumber: 'L-002', departmentId },
      { login: 'list.zhao', name: 'Zhao Wei', jobNumber: 'L-003', departmentId },
      { login: 'list.disc', name: '打折 50%_off', jobNumber: 'L-004', departmentId },
      { login: 'list.gone', name: 'Gone Person', jobNumber: 'L-005', departmentId },
      { login: 'list.other', name: '外部门', jobNumber: 'L-006', departmentId: otherDepartmentId },
    ];
    for (const person of people) {
      const res = await admin().post('/api/v1/users', person);
      expect(res.status).toBe(201);
      created[person.login as string] = res.body.id;
    }
    expect((await admin().patch(`/api/v1/users/${created['list.gone']}`, { status: 'disabled' })).status).toBe(200);
  });

  async function walk(query: string, limit: number) {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/users?limit=${limit}${query ? `&${query}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await admin().get(url);
      expect(res.status, url).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...res.body.items.map((u: { id: string }) => u.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 200);
    return { ids, pages };
  }

  it('walks every user exactly once, page by page, in id order', async () => {
    const expected = (await h.database.db.selectFrom('app_user').select('id').where('tenant_id', '=', tenant.id).orderBy('id').execute()).map((r) => r.id);
    expect(expected.length).toBeGreaterThan(6);
    const { ids, pages } = await walk('', 2);
    expect(ids).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBe(Math.ceil(expected.length / 2));
  });

  it('answers a null nextCursor on the last page', async () => {
    const res = await admin().get('/api/v1/users?limit=500');
    expect(res.body.nextCursor).toBeNull();
    const first = await admin().get('/api/v1/users?limit=1');
    expect(typeof first.body.nextCursor).toBe('string');
    expect(first.body.items).toHaveLength(1);
  });

  it('filters by department, across pages', async () => {
    const { ids } = await walk(`departmentId=${departmentId}`, 2);
    expect(ids).toEqual(['list.wang', 'list.chen', 'list.zhao', 'list.disc', 'list.gone'].map((l) => created[l]));
  });

  it('filters by status', async () => {
    const disabled = await admin().get('/api/v1/users?status=disabled&limit=500');
    expect(disabled.body.items.map((u: { id: string }) => u.id)).toEqual([created['list.gone']]);
    const active = await admin().get(`/api/v1/users?status=active&departmentId=${departmentId}&limit=500`);
    expect(active.body.items.map((u: { login: string }) => u.login)).toEqual(['list.wang', 'list.chen', 'list.zhao', 'list.disc']);
  });

  it('filters by a fragment of login, name or job number, case-insensitively', async () => {
    const q = async (text: string) =>
      (await admin().get(`/api/v1/users?limit=500&q=${encodeURIComponent(text)}`)).body.items.map((u: { login: string }) => u.login);
    expect(await q('小明')).toEqual(['list.wang']);
    expect(await q('zhao wei')).toEqual(['list.zhao']);
    expect(await q('LIST.CH')).toEqual(['list.chen']);
    expect(await q('l-003')).toEqual(['list.zhao']);
    expect(await q('list.')).toEqual(['list.wang', 'list.chen', 'list.zhao', 'list.disc', 'list.gone', 'list.other']);
    expect(await q('no-such-person')).toEqual([]);
  });

  it('treats % and _ in q as plain characters', async () => {
    const percent = await admin().get(`/api/v1/users?limit=500&q=${encodeURIComponent('%')}`);
    expect(percent.body.items.map((u: { login: string }) => u.login)).toEqual(['list.disc']);
    const underscore = await admin().get(`/api/v1/users?limit=500&q=${encodeURIComponent('_')}`);
    expect(underscore.body.items.map((u: { login: string }) => u.login)).toEqual(['list.disc']);
  });

  it('combines filters with pagination', async () => {
    const { ids } = await walk(`q=list.&status=active&departmentId=${departmentId}`, 1);
    expect(ids).toEqual(['list.wang', 'list.chen', 'list.zhao', 'list.disc'].map((l) => created[l]));
  });

  it('refuses bad query parameters with 422 naming them', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=abc', 'limit'],
      ['status=gone', 'status'],
      ['departmentId=abc', 'departmentId'],
      ['cursor=garbage', 'cursor'],
      ['colour=red', 'colour'],
    ]) {
      const res = await admin().get(`/api/v1/users?${query}`);
      expect(res.status, query).toBe(422);
      expect(fields(res.body), query).toContain(field);
    }
  });

  it('never shows password hashes', async () => {
    const res = await admin().get('/api/v1/users?limit=500');
    expect(JSON.stringify(res.body)).not.toContain('argon2');
  });
});

describe('PATCH /api/v1/users/:id', () => {
  it('applies a write with the current ETag and answers the new one', async () => {
    const created = await admin().post('/api/v1/users', { login: 'etag.user', name: 'Before' });
    const res = await admin().patch(`/api/v1/users/${created.body.id}`, { name: 'After', jobNumber: 'E-9' }, { 'if-match': created.headers.etag as string });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.body).toMatchObject({ name: 'After', jobNumber: 'E-9', version: 2 });
    const read = await admin().get(`/api/v1/users/${created.body.id}`);
    expect(read.headers.etag).toBe('"2"');
    expect(read.body.name).toBe('After');
  });

  it('refuses a stale If-Match with 412 and changes nothing', async () => {
    const created = await admin().post('/api/v1/users', { login: 'stale.user', name: 'Original' });
    const stale = created.headers.etag as string;
    expect((await admin().patch(`/api/v1/users/${created.body.id}`, { name: 'First writer' }, { 'if-match': stale })).status).toBe(200);

    const res = await admin().patch(`/api/v1/users/${created.body.id}`, { name: 'Second writer' }, { 'if-match': stale });
    expect(res.status).toBe(412);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: '/problems/precondition-failed', status: 412, code: 'stale_version' });
    const row = await userRow(created.body.id);
    expect(row.name).toBe('First writer');
    expect(row.version).toBe(2);
  });

  it('refuses an If-Match that is not one of its ETags with 412', async () => {
    const created = await admin().post('/api/v1/users', { login: 'odd.etag' });
    for (const header of ['W/"abc"', 'garbage', '"99"']) {
      const res = await admin().patch(`/api/v1/users/${created.body.id}`, { name: 'x' }, { 'if-match': header });
      expect(res.status, header).toBe(412);
    }
    expect((await userRow(created.body.id)).version).toBe(1);
  });

  it('applies a write without If-Match (last write wins)', async () => {
    const created = await admin().post('/api/v1/users', { login: 'no.ifmatch' });
    const res = await admin().patch(`/api/v1/users/${created.body.id}`, { mobile: '13900000000' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mobile: '13900000000', version: 2 });
  });

  it('lets an admin change role, department and status, and records it in the audit log', async () => {
    const departmentId = await makeDepartment('调岗部门');
    const created = await admin().post('/api/v1/users', { login: 'moved.user' });
    const res = await admin().patch(`/api/v1/users/${created.body.id}`, { roleId: roles.manager, departmentId, status: 'disabled' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ roleId: roles.manager, departmentId, status: 'disabled' });

    const audit = await admin().get(`/api/v1/audit-log?entity=user&entityId=${created.body.id}`);
    const update = audit.body.items.find((e: { action: string }) => e.action === 'update');
    expect(update.changes).toEqual({
      role_id: { before: roles.sales, after: roles.manager },
      department_id: { before: null, after: departmentId },
      status: { before: 'active', after: 'disabled' },
    });
    expect(update.userId).toBe(tenant.adminId);
  });

  it('refuses unknown references and bad bodies with 422 naming the field', async () => {
    const created = await admin().post('/api/v1/users', { login: 'patch.refs' });
    const url = `/api/v1/users/${created.body.id}`;
    const cases: [unknown, string][] = [
      [{ roleId: '987654321' }, 'roleId'],
      [{ departmentId: '987654321' }, 'departmentId'],
      [{ status: 'deleted' }, 'status'],
      [{ name: '' }, 'name'],
      [{ login: 'renamed' }, 'login'],
      [{ password: 'short' }, 'password'],
    ];
    for (const [body, field] of cases) {
      const res = await admin().patch(url, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(fields(res.body), JSON.stringify(body)).toContain(field);
    }
    const empty = await admin().patch(url, {});
    expect(empty.status).toBe(422);
    expect((await userRow(created.body.id)).version).toBe(1);
  });

  it('answers 404 for a user that does not exist', async () => {
    const res = await admin().patch('/api/v1/users/987654321', { name: 'nobody' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ type: '/problems/not-found', code: 'user_not_found' });
  });

  it('does not let an admin disable their own account', async () => {
    const res = await admin().patch(`/api/v1/users/${tenant.adminId}`, { status: 'disabled' });
    expect(res.status).toBe(422);
    expect(fields(res.body)).toEqual(['status']);
    expect((await userRow(tenant.adminId)).status).toBe('active');
    expect((await admin().get('/api/v1/me')).status).toBe(200);
  });

  it("lets an admin set another user's password without the current one", async () => {
    const created = await admin().post('/api/v1/users', { login: 'reset.pw', password: 'first-password' });
    expect((await admin().patch(`/api/v1/users/${created.body.id}`, { password: 'second-password' })).status).toBe(200);
    const login = (password: string) => client(h.app).post('/api/v1/auth/login', { tenant: tenant.slug, login: 'reset.pw', password });
    expect((await login('second-password')).status).toBe(200);
    expect((await login('first-password')).status).toBe(401);
  });

  describe('a sales user', () => {
    let me: { id: string; token: string };
    let colleagueId: string;

    beforeAll(async () => {
      const self = await makeUser(h, tenant, { role: 'sales', login: 'self.service', password: 'old-password' });
      me = { id: self.user.id, token: self.token };
      colleagueId = (await makeUser(h, tenant, { role: 'sales' })).user.id;
    });

    const mine = () => client(h.app, me.token);
    const login = (password: string) => client(h.app).post('/api/v1/auth/login', { tenant: tenant.slug, login: 'self.service', password });

    it('may change their own name, email, mobile and avatar', async () => {
      const res = await mine().patch(`/api/v1/users/${me.id}`, { name: '自助', email: 'self@example.com', mobile: '13700000000', avatarUrl: 'https://example.com/me.png' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: '自助', email: 'self@example.com', mobile: '13700000000', avatarUrl: 'https://example.com/me.png' });
    });

    it('must give the current password to change their own', async () => {
      const missing = await mine().patch(`/api/v1/users/${me.id}`, { password: 'new-password-1' });
      expect(missing.status).toBe(422);
      expect(fields(missing.body)).toEqual(['currentPassword']);

      const wrong = await mine().patch(`/api/v1/users/${me.id}`, { password: 'new-password-1', currentPassword: 'not-my-password' });
      expect(wrong.status).toBe(422);
      expect(fields(wrong.body)).toEqual(['currentPassword']);
      expect((await login('new-password-1')).status).toBe(401);
      expect((await login('old-password')).status).toBe(200);

      const ok = await mine().patch(`/api/v1/users/${me.id}`, { password: 'new-password-1', currentPassword: 'old-password' });
      expect(ok.status).toBe(200);
      expect((await login('new-password-1')).status).toBe(200);
      expect((await login('old-password')).status).toBe(401);
    });

    it('may not change their own role, status, department or job number', async () => {
      const before = await userRow(me.id);
      for (const body of [{ roleId: roles.admin }, { status: 'disabled' }, { departmentId: rootDepartmentId }, { jobNumber: 'SELF-1' }, { name: 'sneaky', roleId: roles.admin }]) {
        const res = await mine().patch(`/api/v1/users/${me.id}`, body);
        expect(res.status, JSON.stringify(body)).toBe(403);
        expect(res.body).toMatchObject({ type: '/problems/forbidden', code: 'missing_permission' });
      }
      const after = await userRow(me.id);
      expect(after.version).toBe(before.version);
      expect(after.role_id).toBe(roles.sales);
      expect(after.name).toBe(before.name);
      expect((await mine().get('/api/v1/me')).body.role.code).toBe('sales');
    });

    it('may not change another user', async () => {
      const before = await userRow(colleagueId);
      for (const body of [{ name: 'renamed by colleague' }, { password: 'hijacked-password', currentPassword: 'old-password' }, { status: 'disabled' }]) {
        const res = await mine().patch(`/api/v1/users/${colleagueId}`, body);
        expect(res.status, JSON.stringify(body)).toBe(403);
        expect(res.body.code).toBe('missing_permission');
      }
      const after = await userRow(colleagueId);
      expect(after.version).toBe(before.version);
      expect(after.password_hash).toBe(before.password_hash);
    });
  });
});
