import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

interface Entry {
  id: string;
  at: string;
  userId: string | null;
  entity: string;
  entityId: string;
  action: string;
  changes: Record<string, { before?: unknown; after?: unknown }>;
  api: string;
  requestId: string | null;
}

describe('audit log', () => {
  let h: Harness;
  let tenant: TestTenant;
  let admin: ReturnType<typeof client>;
  let requestCounter = 0;
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    admin = client(h.app, tenant.adminToken);
  });

  const rid = (label: string) => ({ 'x-request-id': `audit-${label}-${++requestCounter}` });

  const list = async (query = ''): Promise<{ items: Entry[]; nextCursor: string | null }> => {
    const res = await admin.get(`/api/v1/audit-log${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  /** The entries of one record, newest first. */
  const entriesOf = async (entity: string, entityId: string) => (await list(`?entity=${entity}&entityId=${entityId}`)).items;

  const auditRows = async () =>
    Number(
      (await h.database.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow()).n,
    );

  const expectEntry = (entry: Entry | undefined, expected: { entity: string; entityId: string; action: string; requestId: string; userId?: string }) => {
    expect(entry).toBeDefined();
    expect(entry!.entity).toBe(expected.entity);
    expect(entry!.entityId).toBe(expected.entityId);
    expect(entry!.action).toBe(expected.action);
    expect(entry!.userId).toBe(expected.userId ?? tenant.adminId);
    expect(entry!.api).toBe('native');
    expect(entry!.requestId).toBe(expected.requestId);
    expect(entry!.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/);
    expect(entry!.id).toMatch(/^\d+$/);
  };

  const passwordHashOf = async (userId: string) =>
    (await h.database.db.selectFrom('app_user').select('password_hash').where('tenant_id', '=', tenant.id).where('id', '=', userId).executeTakeFirstOrThrow()).password_hash!;

  describe('what mutations write', () => {
    let userId: string;

    it('records a user creation with the caller, the API, the request id and the new values', async () => {
      const headers = rid('user-create');
      const before = await auditRows();
      const res = await admin.post('/api/v1/users', { login: 'auditee', name: 'Auditee', password: 'secret-pass-1', jobNumber: 'J-001' }, headers);
      expect(res.status).toBe(201);
      userId = res.body.id;
      expect(await auditRows()).toBe(before + 1);

      const [entry, ...rest] = await entriesOf('user', userId);
      expect(rest).toEqual([]);
      expectEntry(entry, { entity: 'user', entityId: userId, action: 'create', requestId: headers['x-request-id'] });
      expect(entry!.changes.login).toEqual({ after: 'auditee' });
      expect(entry!.changes.name).toEqual({ after: 'Auditee' });
      expect(entry!.changes.job_number).toEqual({ after: 'J-001' });
      expect(entry!.changes.password_hash).toEqual({ after: '[secret]' });
      for (const [field, change] of Object.entries(entry!.changes)) expect(change, field).not.toHaveProperty('before');
      for (const noise of ['id', 'tenant_id', 'version', 'created_at', 'updated_at']) expect(entry!.changes).not.toHaveProperty(noise);
      // Fields that stay empty on creation are not changes.
      expect(entry!.changes).not.toHaveProperty('email');
      const hash = await passwordHashOf(userId);
      expect(hash).toMatch(/^\$argon2id\$/);
      expect(JSON.stringify(entry)).not.toContain(hash);
    });

    it('records only the fields an update changed, before and after', async () => {
      const headers = rid('user-update');
      const res = await admin.patch(`/api/v1/users/${userId}`, { name: 'Auditee Renamed', mobile: '13800000000', jobNumber: 'J-001' }, headers);
      expect(res.status).toBe(200);
      const [entry] = await entriesOf('user', userId);
      expectEntry(entry, { entity: 'user', entityId: userId, action: 'update', requestId: headers['x-request-id'] });
      expect(entry!.changes).toEqual({
        name: { before: 'Auditee', after: 'Auditee Renamed' },
        mobile: { before: null, after: '13800000000' },
      });
    });

    it('shows a password change as [secret], never the hash', async () => {
      const oldHash = await passwordHashOf(userId);
      const headers = rid('user-password');
      const res = await admin.patch(`/api/v1/users/${userId}`, { password: 'another-pass-2' }, headers);
      expect(res.status).toBe(200);
      const newHash = await passwordHashOf(userId);
      expect(newHash).not.toBe(oldHash);

      const [entry] = await entriesOf('user', userId);
      expectEntry(entry, { entity: 'user', entityId: userId, action: 'update', requestId: headers['x-request-id'] });
      expect(entry!.changes).toEqual({ password_hash: { before: '[secret]', after: '[secret]' } });
      const everything = JSON.stringify((await list('?limit=500')).items);
      expect(everything).not.toContain(oldHash);
      expect(everything).not.toContain(newHash);
      expect(everything).not.toContain('another-pass-2');
      expect(everything).not.toContain('secret-pass-1');
    });

    it('records a department creation and deletion', async () => {
      const createHeaders = rid('dept-create');
      const created = await admin.post('/api/v1/departments', { name: 'Audited dept', sort: 4 }, createHeaders);
      expect(created.status).toBe(201);
      const id = created.body.id;
      const deleteHeaders = rid('dept-delete');
      expect((await admin.delete(`/api/v1/departments/${id}`, deleteHeaders)).status).toBe(204);

      const [deleted, creation] = await entriesOf('department', id);
      expectEntry(creation, { entity: 'department', entityId: id, action: 'create', requestId: createHeaders['x-request-id'] });
      expect(creation!.changes).toEqual({ name: { after: 'Audited dept' }, sort: { after: 4 } });
      expectEntry(deleted, { entity: 'department', entityId: id, action: 'delete', requestId: deleteHeaders['x-request-id'] });
      expect(deleted!.changes).toEqual({ name: { before: 'Audited dept' }, sort: { before: 4 } });
    });

    it('records a role update', async () => {
      const created = await admin.post('/api/v1/roles', { code: 'audited', name: 'Audited', dataScope: 'own', permissions: ['pool:access'] });
      const headers = rid('role-update');
      const res = await admin.patch(`/api/v1/roles/${created.body.id}`, { name: 'Audited 2', permissions: ['audit:read', 'pool:access'], dataScope: 'own' }, headers);
      expect(res.status).toBe(200);
      const [entry, creation] = await entriesOf('role', created.body.id);
      expectEntry(entry, { entity: 'role', entityId: created.body.id, action: 'update', requestId: headers['x-request-id'] });
      expect(entry!.changes).toEqual({
        name: { before: 'Audited', after: 'Audited 2' },
        permissions: { before: ['pool:access'], after: ['audit:read', 'pool:access'] },
      });
      expect(creation!.action).toBe('create');
    });

    it('records a token creation and revocation without the token or its hash', async () => {
      const createHeaders = rid('token-create');
      const created = await admin.post('/api/v1/tokens', { name: 'ci pipeline' }, createHeaders);
      expect(created.status).toBe(201);
      const id = created.body.info.id;
      const revokeHeaders = rid('token-revoke');
      expect((await admin.delete(`/api/v1/tokens/${id}`, revokeHeaders)).status).toBe(204);

      const [revocation, creation] = await entriesOf('api_token', id);
      expectEntry(creation, { entity: 'api_token', entityId: id, action: 'create', requestId: createHeaders['x-request-id'] });
      expect(creation!.changes.name).toEqual({ after: 'ci pipeline' });
      expect(creation!.changes.user_id).toEqual({ after: tenant.adminId });
      expect(creation!.changes.kind).toEqual({ after: 'api' });
      expectEntry(revocation, { entity: 'api_token', entityId: id, action: 'revoke', requestId: revokeHeaders['x-request-id'] });
      expect(Object.keys(revocation!.changes)).toEqual(['revoked_at']);
      expect(revocation!.changes.revoked_at!.before).toBeNull();
      expect(typeof revocation!.changes.revoked_at!.after).toBe('string');

      const hash = (await h.database.db.selectFrom('api_token').select('token_hash').where('tenant_id', '=', tenant.id).where('id', '=', id).executeTakeFirstOrThrow()).token_hash;
      const text = JSON.stringify([revocation, creation]);
      expect(text).not.toContain(created.body.token);
      expect(text).not.toContain(hash);
    });

    it('records a dictionary item creation', async () => {
      const headers = rid('dict-create');
      const created = await admin.post('/api/v1/dictionaries/customer_source/items', { name: '抖音', code: 77 }, headers);
      expect(created.status).toBe(201);
      const [entry] = await entriesOf('dictionary_item', created.body.id);
      expectEntry(entry, { entity: 'dictionary_item', entityId: created.body.id, action: 'create', requestId: headers['x-request-id'] });
      expect(entry!.changes.name).toEqual({ after: '抖音' });
      expect(entry!.changes.code).toEqual({ after: 77 });
      expect(entry!.changes.dictionary).toEqual({ after: 'customer_source' });
    });

    it('records a generated request id when the client sent none', async () => {
      const res = await admin.post('/api/v1/departments', { name: 'No request id' });
      const [entry] = await entriesOf('department', res.body.id);
      expect(entry!.requestId).toBe(res.headers['x-request-id']);
      expect(entry!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('records who made the change when it is not the tenant admin', async () => {
      const other = await makeUser(h, tenant, { role: 'admin' });
      const headers = rid('other-admin');
      const res = await client(h.app, other.token).post('/api/v1/departments', { name: 'By another admin' }, headers);
      const [entry] = await entriesOf('department', res.body.id);
      expectEntry(entry, { entity: 'department', entityId: res.body.id, action: 'create', requestId: headers['x-request-id'], userId: other.user.id });
    });
  });

  describe('failed mutations', () => {
    it('write no entry: conflict, stale write, validation, permission', async () => {
      const { user } = await makeUser(h, tenant, { login: 'taken-login' });
      const sales = await makeUser(h, tenant, { role: 'sales' });
      const before = await auditRows();

      expect((await admin.post('/api/v1/users', { login: 'taken-login' })).status).toBe(409);
      expect((await admin.post('/api/v1/roles', { code: 'admin', name: 'Again', dataScope: 'all' })).status).toBe(409);
      expect((await admin.patch(`/api/v1/users/${user.id}`, { name: 'Stale' }, { 'if-match': '"99"' })).status).toBe(412);
      expect((await admin.post('/api/v1/departments', { name: 'Orphan', parentId: '987654321' })).status).toBe(422);
      expect((await admin.post('/api/v1/users', { login: 'weak-password', password: 'short' })).status).toBe(422);
      expect((await client(h.app, sales.token).post('/api/v1/departments', { name: 'Forbidden' })).status).toBe(403);
      const rootDept = (await admin.get('/api/v1/departments')).body.items.find((d: { parentId: string | null }) => d.parentId === null);
      expect((await admin.delete(`/api/v1/departments/${rootDept.id}`)).status).toBe(409);

      expect(await auditRows()).toBe(before);
      expect((await admin.get(`/api/v1/users/${user.id}`)).body.name).not.toBe('Stale');
    });
  });

  describe('atomicity', () => {
    beforeAll(async () => {
      // Makes the audit insert of one request id fail, as a full disk or a bug would.
      await sql`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.request_id LIKE 'refuse-audit%' THEN RAISE EXCEPTION 'audit refused'; END IF;
          RETURN NEW;
        END $$`.execute(h.database.db);
      await sql`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()`.execute(h.database.db);
    });

    it('rolls the change back when its audit entry cannot be written', async () => {
      const created = await admin.post('/api/v1/departments', { name: 'Unaudited' }, { 'x-request-id': 'refuse-audit-1' });
      expect(created.status).toBe(500);
      expect(created.body).toMatchObject({ type: '/problems/internal-error', requestId: 'refuse-audit-1' });
      expect(JSON.stringify(created.body)).not.toContain('audit refused');
      const rows = await h.database.db.selectFrom('department').select('id').where('tenant_id', '=', tenant.id).where('name', '=', 'Unaudited').execute();
      expect(rows).toEqual([]);

      const { user } = await makeUser(h, tenant);
      const updated = await admin.patch(`/api/v1/users/${user.id}`, { name: 'Unaudited name' }, { 'x-request-id': 'refuse-audit-2' });
      expect(updated.status).toBe(500);
      const after = await admin.get(`/api/v1/users/${user.id}`);
      expect(after.body.name).toBe(user.name);
      expect(after.body.version).toBe(user.version);

      const tokensBefore = (await admin.get('/api/v1/tokens?limit=500')).body.items.length;
      expect((await admin.post('/api/v1/tokens', { name: 'unaudited' }, { 'x-request-id': 'refuse-audit-3' })).status).toBe(500);
      expect((await admin.get('/api/v1/tokens?limit=500')).body.items.length).toBe(tokensBefore);
    });
  });

  describe('reading', () => {
    beforeAll(async () => {
      // Enough entries to span several pages.
      for (let i = 0; i < 7; i++) expect((await admin.post('/api/v1/departments', { name: `Paging ${i}` })).status).toBe(201);
    });

    it('lists newest first', async () => {
      const { items } = await list('?limit=500');
      expect(items.length).toBeGreaterThan(10);
      const ids = items.map((e) => BigInt(e.id));
      for (let i = 1; i < ids.length; i++) expect(ids[i]! < ids[i - 1]!).toBe(true);
      expect(items[0]!.entity).toBe('department');
      expect(items[0]!.changes.name).toEqual({ after: 'Paging 6' });
    });

    it('pages with an opaque cursor, without gaps or repeats', async () => {
      const everything = (await list('?limit=500')).items.map((e) => e.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { items: Entry[]; nextCursor: string | null } = await list(`?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(3);
        if (page.nextCursor) expect(page.items).toHaveLength(3);
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 100);
      expect(seen).toEqual(everything);
      expect(pages).toBe(Math.ceil(everything.length / 3));
    });

    it('refuses a cursor it did not issue', async () => {
      const res = await admin.get('/api/v1/audit-log?cursor=bm90LWEtY3Vyc29y');
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['cursor']);
    });

    it('filters by entity', async () => {
      const { items } = await list('?entity=role&limit=500');
      expect(items.length).toBeGreaterThanOrEqual(2);
      for (const entry of items) expect(entry.entity).toBe('role');
    });

    it('filters by entity id', async () => {
      const dept = await admin.post('/api/v1/departments', { name: 'Filter me' });
      await admin.patch(`/api/v1/departments/${dept.body.id}`, { name: 'Filtered' });
      const { items } = await list(`?entityId=${dept.body.id}`);
      // The same id may belong to other entities; with entity too it is exactly this record.
      expect(items.filter((e) => e.entity === 'department').map((e) => e.action)).toEqual(['update', 'create']);
      for (const entry of items) expect(entry.entityId).toBe(dept.body.id);
      expect((await list(`?entity=department&entityId=${dept.body.id}`)).items).toHaveLength(2);
    });

    it('filters by user', async () => {
      const other = await makeUser(h, tenant, { role: 'admin' });
      const dept = await client(h.app, other.token).post('/api/v1/departments', { name: 'By filtered user' });
      const theirs = await list(`?userId=${other.user.id}`);
      expect(theirs.items.map((e) => e.entityId)).toEqual([dept.body.id]);
      expect(theirs.items[0]!.userId).toBe(other.user.id);
      const mine = await list(`?userId=${tenant.adminId}&limit=500`);
      expect(mine.items.length).toBeGreaterThan(5);
      for (const entry of mine.items) expect(entry.userId).toBe(tenant.adminId);
    });

    it('refuses a sales user and a manager (403)', async () => {
      for (const role of ['sales', 'manager']) {
        const { token } = await makeUser(h, tenant, { role });
        const res = await client(h.app, token).get('/api/v1/audit-log');
        expect(res.status, role).toBe(403);
        expect(res.body).toMatchObject({ type: '/problems/forbidden', code: 'missing_permission' });
        expect(res.body.detail).toContain('audit:read');
      }
    });

    it("never shows another tenant's entries", async () => {
      const other = await makeTenant(h);
      const theirs = client(h.app, other.adminToken);
      const dept = await theirs.post('/api/v1/departments', { name: 'Elsewhere' });
      expect(dept.status).toBe(201);
      expect((await list(`?entity=department&entityId=${dept.body.id}`)).items).toEqual([]);
      const theirLog = (await theirs.get('/api/v1/audit-log?limit=500')).body.items as Entry[];
      expect(theirLog.some((e) => e.entityId === dept.body.id)).toBe(true);
      expect(theirLog.some((e) => e.requestId?.startsWith('audit-'))).toBe(false);
    });
  });
});
