import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

describe('HTTP plumbing of the native API', () => {
  let h: Harness;
  let tenant: TestTenant;
  let admin: ReturnType<typeof client>;
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    admin = client(h.app, tenant.adminToken);
  });

  const departmentsNamed = async (tenantId: string, name: string) =>
    Number(
      (
        await h.database.db
          .selectFrom('department')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('tenant_id', '=', tenantId)
          .where('name', '=', name)
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe('ETag and If-Match', () => {
    let id: string;
    beforeAll(async () => {
      const created = await admin.post('/api/v1/departments', { name: 'Etag Dept' });
      expect(created.status).toBe(201);
      id = created.body.id;
    });

    it('gives created and read resources a strong ETag of their version', async () => {
      const read = await admin.get(`/api/v1/departments/${id}`);
      expect(read.status).toBe(200);
      expect(read.headers.etag).toBe(`"${read.body.version}"`);
      expect(read.body.version).toBe(1);
    });

    it('applies a write whose If-Match is current and issues the next ETag', async () => {
      const current = await admin.get(`/api/v1/departments/${id}`);
      const res = await admin.patch(`/api/v1/departments/${id}`, { name: 'Etag Dept v2' }, { 'if-match': String(current.headers.etag) });
      expect(res.status).toBe(200);
      expect(res.body.name).toBe('Etag Dept v2');
      expect(res.body.version).toBe(current.body.version + 1);
      expect(res.headers.etag).toBe(`"${current.body.version + 1}"`);
    });

    it('refuses a stale If-Match with 412 and leaves the row untouched', async () => {
      const current = await admin.get(`/api/v1/departments/${id}`);
      const stale = `"${current.body.version - 1}"`;
      const res = await admin.patch(`/api/v1/departments/${id}`, { name: 'Lost update' }, { 'if-match': stale });
      expect(res.status).toBe(412);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ type: '/problems/precondition-failed', status: 412, code: 'stale_version' });
      const after = await admin.get(`/api/v1/departments/${id}`);
      expect(after.body.name).toBe(current.body.name);
      expect(after.body.version).toBe(current.body.version);
    });

    it('accepts If-Match: * (any current version)', async () => {
      const current = await admin.get(`/api/v1/departments/${id}`);
      const res = await admin.patch(`/api/v1/departments/${id}`, { sort: 7 }, { 'if-match': '*' });
      expect(res.status).toBe(200);
      expect(res.body.sort).toBe(7);
      expect(res.body.version).toBe(current.body.version + 1);
    });

    it('applies a write without If-Match (last write wins)', async () => {
      const current = await admin.get(`/api/v1/departments/${id}`);
      const res = await admin.patch(`/api/v1/departments/${id}`, { sort: 8 });
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(current.body.version + 1);
    });

    it('answers an If-Match it never issued with 412, not 400 or 500', async () => {
      const current = await admin.get(`/api/v1/departments/${id}`);
      for (const garbage of ['garbage', '"abc"', '12', '"99999999999999999999"', '""']) {
        const res = await admin.patch(`/api/v1/departments/${id}`, { name: 'Garbage' }, { 'if-match': garbage });
        expect(res.status, garbage).toBe(412);
        expect(res.body.type, garbage).toBe('/problems/precondition-failed');
      }
      const after = await admin.get(`/api/v1/departments/${id}`);
      expect(after.body.version).toBe(current.body.version);
      expect(after.body.name).not.toBe('Garbage');
    });

    it('protects users, roles and dictionary items the same way', async () => {
      const { user } = await makeUser(h, tenant, { role: 'sales' });
      const userRes = await admin.patch(`/api/v1/users/${user.id}`, { name: 'x' }, { 'if-match': `"${user.version + 1}"` });
      expect(userRes.status).toBe(412);

      const role = await admin.post('/api/v1/roles', { code: 'etagrole', name: 'Etag role', dataScope: 'own' });
      const roleRes = await admin.patch(`/api/v1/roles/${role.body.id}`, { name: 'y' }, { 'if-match': '"5"' });
      expect(roleRes.status).toBe(412);
      expect((await admin.patch(`/api/v1/roles/${role.body.id}`, { name: 'y' }, { 'if-match': String(role.headers.etag) })).status).toBe(200);

      const item = await admin.post('/api/v1/dictionaries/customer_source/items', { name: 'Etag source' });
      const itemRes = await admin.patch(`/api/v1/dictionaries/customer_source/items/${item.body.id}`, { name: 'z' }, { 'if-match': '"2"' });
      expect(itemRes.status).toBe(412);
    });
  });

  describe('Idempotency-Key on POST', () => {
    it('replays the first answer for the same key and body, writing one row', async () => {
      const body = { name: 'Idem Once' };
      const first = await admin.post('/api/v1/departments', body, { 'idempotency-key': 'key-once' });
      expect(first.status).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(first.headers.location).toBe(`/api/v1/departments/${first.body.id}`);

      const second = await admin.post('/api/v1/departments', body, { 'idempotency-key': 'key-once' });
      expect(second.status).toBe(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toEqual(first.body);
      expect(second.headers.location).toBe(first.headers.location);
      expect(second.headers.etag).toBe(first.headers.etag);
      expect(second.headers['content-type']).toMatch(/^application\/json/);

      const third = await admin.post('/api/v1/departments', body, { 'idempotency-key': 'key-once' });
      expect(third.body.id).toBe(first.body.id);
      expect(await departmentsNamed(tenant.id, 'Idem Once')).toBe(1);
    });

    it('writes again without a key (the control for the test above)', async () => {
      const body = { name: 'Idem None' };
      expect((await admin.post('/api/v1/departments', body)).status).toBe(201);
      expect((await admin.post('/api/v1/departments', body)).status).toBe(201);
      expect(await departmentsNamed(tenant.id, 'Idem None')).toBe(2);
    });

    it('refuses the same key with a different body: 422 idempotency_key_reused', async () => {
      const first = await admin.post('/api/v1/departments', { name: 'Idem A' }, { 'idempotency-key': 'key-reused' });
      expect(first.status).toBe(201);
      const second = await admin.post('/api/v1/departments', { name: 'Idem B' }, { 'idempotency-key': 'key-reused' });
      expect(second.status).toBe(422);
      expect(second.body).toMatchObject({ type: '/problems/validation-failed', code: 'idempotency_key_reused' });
      expect(second.body.errors).toEqual([{ field: 'Idempotency-Key', message: 'was already used for a different request' }]);
      expect(await departmentsNamed(tenant.id, 'Idem B')).toBe(0);
      expect(await departmentsNamed(tenant.id, 'Idem A')).toBe(1);
    });

    it('refuses the same key on a different route', async () => {
      const first = await admin.post('/api/v1/departments', { name: 'Idem Route' }, { 'idempotency-key': 'key-route' });
      expect(first.status).toBe(201);
      const other = await admin.post('/api/v1/dictionaries/customer_source/items', { name: 'Idem Route' }, { 'idempotency-key': 'key-route' });
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('idempotency_key_reused');
    });

    it('does not burn the key when the request fails in the service (422)', async () => {
      const failed = await admin.post('/api/v1/departments', { name: 'Idem Retry', parentId: '999999999' }, { 'idempotency-key': 'key-retry' });
      expect(failed.status).toBe(422);
      expect(failed.body.code).toBe('reference_not_found');
      expect(failed.headers['idempotent-replayed']).toBeUndefined();

      const fixed = await admin.post('/api/v1/departments', { name: 'Idem Retry' }, { 'idempotency-key': 'key-retry' });
      expect(fixed.status).toBe(201);
      expect(fixed.headers['idempotent-replayed']).toBeUndefined();
      expect(fixed.body.parentId).toBeNull();

      const replay = await admin.post('/api/v1/departments', { name: 'Idem Retry' }, { 'idempotency-key': 'key-retry' });
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(fixed.body.id);
      expect(await departmentsNamed(tenant.id, 'Idem Retry')).toBe(1);
    });

    it('does not burn the key when the body fails validation', async () => {
      const failed = await admin.post('/api/v1/departments', { name: 5 }, { 'idempotency-key': 'key-schema' });
      expect(failed.status).toBe(422);
      const fixed = await admin.post('/api/v1/departments', { name: 'Idem Schema' }, { 'idempotency-key': 'key-schema' });
      expect(fixed.status).toBe(201);
      expect(fixed.headers['idempotent-replayed']).toBeUndefined();
    });

    it('does not burn the key on a conflict (409)', async () => {
      expect((await admin.post('/api/v1/roles', { code: 'idemrole', name: 'One', dataScope: 'own' })).status).toBe(201);
      const conflict = await admin.post('/api/v1/roles', { code: 'idemrole', name: 'Two', dataScope: 'own' }, { 'idempotency-key': 'key-409' });
      expect(conflict.status).toBe(409);
      const again = await admin.post('/api/v1/roles', { code: 'idemrole', name: 'Two', dataScope: 'own' }, { 'idempotency-key': 'key-409' });
      expect(again.status).toBe(409);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      const fixed = await admin.post('/api/v1/roles', { code: 'idemrole2', name: 'Two', dataScope: 'own' }, { 'idempotency-key': 'key-409' });
      expect(fixed.status).toBe(201);
    });

    it('keeps keys per user: another user with the same key gets a fresh write', async () => {
      const other = await makeUser(h, tenant, { role: 'admin' });
      const body = { name: 'Idem Per User' };
      const mine = await admin.post('/api/v1/departments', body, { 'idempotency-key': 'key-shared' });
      const theirs = await client(h.app, other.token).post('/api/v1/departments', body, { 'idempotency-key': 'key-shared' });
      expect(mine.status).toBe(201);
      expect(theirs.status).toBe(201);
      expect(theirs.headers['idempotent-replayed']).toBeUndefined();
      expect(theirs.body.id).not.toBe(mine.body.id);
      expect(await departmentsNamed(tenant.id, 'Idem Per User')).toBe(2);
    });

    it('keeps keys per tenant', async () => {
      const otherTenant = await makeTenant(h);
      const body = { name: 'Idem Per Tenant' };
      const mine = await admin.post('/api/v1/departments', body, { 'idempotency-key': 'key-tenant' });
      const theirs = await client(h.app, otherTenant.adminToken).post('/api/v1/departments', body, { 'idempotency-key': 'key-tenant' });
      expect(mine.status).toBe(201);
      expect(theirs.status).toBe(201);
      expect(theirs.headers['idempotent-replayed']).toBeUndefined();
      expect(await departmentsNamed(tenant.id, 'Idem Per Tenant')).toBe(1);
      expect(await departmentsNamed(otherTenant.id, 'Idem Per Tenant')).toBe(1);
    });

    it('writes once when the same request is retried concurrently', async () => {
      const body = { name: 'Idem Race' };
      const answers = await Promise.all([1, 2, 3, 4].map(() => admin.post('/api/v1/departments', body, { 'idempotency-key': 'key-race' })));
      for (const answer of answers) expect([201, 409]).toContain(answer.status);
      const created = answers.filter((a) => a.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
      for (const busy of answers.filter((a) => a.status === 409)) expect(busy.body.code).toBe('idempotency_in_progress');
      expect(await departmentsNamed(tenant.id, 'Idem Race')).toBe(1);
    });

    it('refuses a key that is too long or not visible ASCII, naming the header', async () => {
      for (const key of ['k'.repeat(256), 'has space']) {
        const res = await admin.post('/api/v1/departments', { name: 'Idem Bad Key' }, { 'idempotency-key': key });
        expect(res.status, key).toBe(422);
        expect(res.body.errors, key).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
      }
      expect(await departmentsNamed(tenant.id, 'Idem Bad Key')).toBe(0);
    });
  });

  describe('health', () => {
    it('answers /healthz without a token', async () => {
      const res = await client(h.app).get('/healthz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('answers /readyz with the database kind once migrations are applied', async () => {
      const res = await client(h.app).get('/readyz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ready', database: h.database.kind });
      expect(['embedded', 'postgres']).toContain(res.body.database);
    });
  });

  describe('OpenAPI document', () => {
    let doc: { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    beforeAll(async () => {
      const res = await client(h.app).get('/api/v1/openapi.json');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      doc = res.body;
    });

    /** Every route the server has under /api/v1, as OpenAPI path → methods (HEAD left out). */
    function routedOperations(): Map<string, Set<string>> {
      const tree = h.app.printRoutes({ commonPrefix: false });
      const stack: string[] = [];
      const routes = new Map<string, Set<string>>();
      for (const line of tree.split('\n')) {
        const match = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]*)\))?/.exec(line);
        if (!match) continue;
        const depth = match[1]!.length / 4;
        stack.length = depth;
        const path = (stack[depth - 1] ?? '') + match[2]!;
        stack[depth] = path;
        if (!match[3] || !path.startsWith('/api/v1/') || path === '/api/v1/openapi.json') continue;
        const methods = match[3].split(',').map((m) => m.trim().toLowerCase()).filter((m) => m !== 'head');
        const openApiPath = path.replace(/:(\w+)/g, '{$1}');
        routes.set(openApiPath, new Set([...(routes.get(openApiPath) ?? []), ...methods]));
      }
      return routes;
    }

    it('is OpenAPI 3.1.0 describing the native API', () => {
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info.title).toBe('Genjin native API');
      expect(doc.info.version).toBe('test');
    });

    it('lists the platform routes with their methods', () => {
      const expected: Record<string, string[]> = {
        '/api/v1/auth/login': ['post'],
        '/api/v1/auth/logout': ['post'],
        '/api/v1/me': ['get'],
        '/api/v1/users': ['get', 'post'],
        '/api/v1/users/{id}': ['get', 'patch'],
        '/api/v1/departments': ['get', 'post'],
        '/api/v1/departments/{id}': ['delete', 'get', 'patch'],
        '/api/v1/roles': ['get', 'post'],
        '/api/v1/roles/{id}': ['delete', 'get', 'patch'],
        '/api/v1/tokens': ['get', 'post'],
        '/api/v1/tokens/{id}': ['delete'],
        '/api/v1/dictionaries': ['get'],
        '/api/v1/dictionaries/{dict}/items': ['get', 'post'],
        '/api/v1/dictionaries/{dict}/items/{id}': ['get', 'patch'],
        '/api/v1/audit-log': ['get'],
      };
      for (const [path, methods] of Object.entries(expected)) {
        expect(doc.paths[path], path).toBeDefined();
        expect(Object.keys(doc.paths[path]!).filter((k) => k !== 'parameters').sort(), path).toEqual(methods);
      }
    });

    it('lists every /api/v1 route the server has, and nothing it does not have', () => {
      const routed = routedOperations();
      expect(routed.size).toBeGreaterThanOrEqual(15);
      const documented = new Map(
        Object.entries(doc.paths)
          .filter(([path]) => path.startsWith('/api/v1/'))
          .map(([path, item]) => [path, new Set(Object.keys(item).filter((k) => k !== 'parameters'))]),
      );
      expect([...documented.keys()].sort()).toEqual([...routed.keys()].sort());
      for (const [path, methods] of routed) expect([...documented.get(path)!].sort(), path).toEqual([...methods].sort());
    });

    it('documents problem responses with the shared Problem schema', () => {
      const createUser = doc.paths['/api/v1/users']!.post!;
      expect(createUser.responses).toHaveProperty('201');
      expect(createUser.responses).toHaveProperty('422');
      expect(JSON.stringify(createUser.responses!['422'])).toContain('Problem');
    });

    it('uses OpenAPI path templates, never Fastify :params', () => {
      for (const path of Object.keys(doc.paths)) expect(path).not.toContain(':');
    });
  });

  describe('docs page', () => {
    it('serves HTML whose assets are all local', async () => {
      const page = await client(h.app).get('/docs');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      const html = String(page.body);
      expect(html).toContain('swagger-ui');
      expect(html).not.toMatch(/https?:\/\//i);
      expect(html).not.toMatch(/(?:src|href)=["']\/\//i);

      const assets = [...html.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((m) => new URL(m[1]!, 'http://local/docs/').pathname);
      expect(assets.length).toBeGreaterThanOrEqual(3);
      expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
      expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
      for (const asset of assets) {
        expect(asset, asset).toMatch(/^\/docs\//);
        const res = await h.app.inject({ method: 'GET', url: asset });
        expect(res.statusCode, asset).toBe(200);
        expect(res.body.length, asset).toBeGreaterThan(0);
      }
    });

    it('loads the spec from this server and calls no outside validator', async () => {
      const init = await h.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
      expect(init.statusCode).toBe(200);
      expect(init.body).toMatch(/validatorUrl:\s*null/);
      const spec = await client(h.app).get('/docs/json');
      expect(spec.status).toBe(200);
      expect(spec.body.openapi).toBe('3.1.0');
    });
  });
});
