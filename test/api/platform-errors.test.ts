import { beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../src/api/problems.ts';
import { client, makeTenant, makeUser, setupHarness, type ApiResponse, type Harness, type TestTenant } from '../helpers/harness.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The RFC 9457 envelope every native API error shares, whatever its status. */
function expectProblem(res: ApiResponse, status: number, type: string, code: string, instance: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.type).toBe(`/problems/${type}`);
  expect(res.body.title).toBe(PROBLEM_TYPES[type as keyof typeof PROBLEM_TYPES].title);
  expect(res.body.status).toBe(status);
  expect(typeof res.body.detail).toBe('string');
  expect(res.body.detail.length).toBeGreaterThan(0);
  expect(res.body.code).toBe(code);
  expect(res.body.instance).toBe(instance);
  expect(typeof res.body.requestId).toBe('string');
  expect(res.body.requestId).toBe(res.headers['x-request-id']);
  // Nothing of the server's insides leaks into an error.
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|stack/);
}

/** Field names of a 422's `errors[]`, sorted. */
const fields = (res: ApiResponse) => (res.body.errors as { field: string; message: string }[]).map((e) => e.field).sort();

describe('native API errors (problem+json)', () => {
  let h: Harness;
  let tenant: TestTenant;
  let admin: ReturnType<typeof client>;
  beforeAll(async () => {
    h = await setupHarness({ bodyLimit: 1024 });
    tenant = await makeTenant(h);
    admin = client(h.app, tenant.adminToken);
  });

  const departmentCount = async () =>
    Number((await h.database.db.selectFrom('department').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow()).n);

  describe('malformed bodies', () => {
    it('answers malformed JSON with 400 malformed-request', async () => {
      const before = await departmentCount();
      const res = await admin.post('/api/v1/departments', '{"name": "Sales",');
      expectProblem(res, 400, 'malformed-request', 'malformed_json', '/api/v1/departments');
      expect(res.body.detail).toMatch(/JSON/);
      expect(await departmentCount()).toBe(before);
    });

    it('answers an empty JSON body with 400 empty_json_body', async () => {
      const res = await admin.post('/api/v1/departments', '');
      expectProblem(res, 400, 'malformed-request', 'empty_json_body', '/api/v1/departments');
    });

    it('refuses a body that tries to set __proto__', async () => {
      const res = await admin.post('/api/v1/departments', '{"name":"x","__proto__":{"admin":true}}');
      expect(res.status).toBe(400);
      expect(res.body.type).toBe('/problems/malformed-request');
    });

    it('answers a body over the limit with 413 and writes nothing', async () => {
      const before = await departmentCount();
      const res = await admin.post('/api/v1/departments', { name: 'x'.repeat(2000) });
      expectProblem(res, 413, 'payload-too-large', 'payload_too_large', '/api/v1/departments');
      expect(res.body.detail).toContain('1024');
      expect(await departmentCount()).toBe(before);
    });

    it('accepts a body just under the limit', async () => {
      const res = await admin.post('/api/v1/departments', { name: 'y'.repeat(90) });
      expect(res.status).toBe(201);
    });

    it('answers text/plain on a JSON route with 415', async () => {
      const before = await departmentCount();
      const response = await h.app.inject({
        method: 'POST',
        url: '/api/v1/departments',
        headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'text/plain' },
        payload: '{"name":"Plain"}',
      });
      const res = { status: response.statusCode, headers: response.headers, body: response.json() };
      expectProblem(res, 415, 'unsupported-media-type', 'unsupported_media_type', '/api/v1/departments');
      expect(await departmentCount()).toBe(before);
    });

    it('answers XML and form bodies with 415', async () => {
      for (const [type, payload] of [
        ['application/xml', '<department><name>x</name></department>'],
        ['application/x-www-form-urlencoded', 'name=x'],
      ]) {
        const response = await h.app.inject({
          method: 'POST',
          url: '/api/v1/departments',
          headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': type! },
          payload,
        });
        expect(response.statusCode, type).toBe(415);
        expect(response.json()).toMatchObject({ type: '/problems/unsupported-media-type', status: 415 });
      }
    });
  });

  describe('validation (422 with errors[])', () => {
    it('names an unknown field', async () => {
      const res = await admin.post('/api/v1/departments', { name: 'Ops', colour: 'red' });
      expectProblem(res, 422, 'validation-failed', 'validation_failed', '/api/v1/departments');
      expect(res.body.errors).toEqual([{ field: 'colour', message: 'is not a known field' }]);
      expect(res.body.detail).toContain('colour');
    });

    it('names a field of the wrong type', async () => {
      const res = await admin.post('/api/v1/departments', { name: 'Ops', sort: 'first' });
      expectProblem(res, 422, 'validation-failed', 'validation_failed', '/api/v1/departments');
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].field).toBe('sort');
      expect(res.body.errors[0].message).toMatch(/integer/);
    });

    it('does not coerce a number-like string into a number in a body', async () => {
      const res = await admin.post('/api/v1/departments', { name: 'Ops', sort: '3' });
      expect(res.status).toBe(422);
      expect(fields(res)).toEqual(['sort']);
    });

    it('names a missing required field', async () => {
      const res = await admin.post('/api/v1/departments', { sort: 1 });
      expectProblem(res, 422, 'validation-failed', 'validation_failed', '/api/v1/departments');
      expect(res.body.errors).toEqual([{ field: 'name', message: 'is required' }]);
    });

    it('names every offending field at once', async () => {
      const res = await admin.post('/api/v1/users', { name: 5, extra: true, email: 'not-an-email' });
      expectProblem(res, 422, 'validation-failed', 'validation_failed', '/api/v1/users');
      expect(fields(res)).toEqual(['email', 'extra', 'login', 'name']);
      const message = (field: string) => res.body.errors.find((e: { field: string }) => e.field === field).message;
      expect(message('login')).toBe('is required');
      expect(message('extra')).toBe('is not a known field');
      expect(message('name')).toBe('must be string');
      // A nullable field reports what is wrong with the value, once, not each anyOf branch.
      expect(message('email')).toBe('must match format "email"');
      expect(res.body.detail).toMatch(/\(and 3 more\)$/);
    });

    it('names nested array fields by path', async () => {
      const res = await admin.post('/api/v1/roles', { code: 'auditor', name: 'Auditor', dataScope: 'all', permissions: ['audit:read', 42] });
      expect(res.status).toBe(422);
      expect(fields(res)).toContain('permissions[1]');
    });

    it('names a query parameter of the wrong type or unknown', async () => {
      const bad = await admin.get('/api/v1/users?limit=0');
      expectProblem(bad, 422, 'validation-failed', 'validation_failed', '/api/v1/users');
      expect(fields(bad)).toEqual(['limit']);
      expect(bad.body.detail).toMatch(/^query parameter limit/);

      const unknown = await admin.get('/api/v1/users?color=red');
      expect(unknown.status).toBe(422);
      expect(fields(unknown)).toEqual(['color']);
    });

    it('answers a cursor it never issued with 422 naming cursor', async () => {
      const res = await admin.get('/api/v1/users?cursor=not-a-cursor');
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('invalid_cursor');
      expect(fields(res)).toEqual(['cursor']);
    });

    it('answers a non-numeric id in the path with 422, not 500', async () => {
      const res = await admin.get('/api/v1/users/abc');
      expectProblem(res, 422, 'validation-failed', 'validation_failed', '/api/v1/users/abc');
      expect(fields(res)).toEqual(['id']);
      expect(res.body.detail).toMatch(/^path parameter id/);
    });

    it('answers an id with more digits than int64 with 422, not 500', async () => {
      const res = await admin.get('/api/v1/users/99999999999999999999');
      expectProblem(res, 422, 'validation-failed', 'validation_failed', '/api/v1/users/99999999999999999999');
      expect(fields(res)).toEqual(['id']);
    });

    it('answers a 19-digit id above int64 max with 422, not 500', async () => {
      for (const url of ['/api/v1/users/9999999999999999999', '/api/v1/departments/9223372036854775808', '/api/v1/roles/9999999999999999999']) {
        const res = await admin.get(url);
        expect(res.status, url).toBe(422);
        expect(res.body.type, url).toBe('/problems/validation-failed');
        expect(fields(res), url).toEqual(['id']);
      }
      const patch = await admin.patch('/api/v1/departments/9999999999999999999', { name: 'x' });
      expect(patch.status).toBe(422);
      const del = await admin.delete('/api/v1/departments/9999999999999999999');
      expect(del.status).toBe(422);
    });

    it('answers int64 max itself, which is a valid id, with 404', async () => {
      const res = await admin.get('/api/v1/users/9223372036854775807');
      expectProblem(res, 404, 'not-found', 'user_not_found', '/api/v1/users/9223372036854775807');
    });

    it('answers ids with a leading zero or a sign with 422', async () => {
      for (const id of ['0', '01', '-1', '1.5', '1e3']) {
        const res = await admin.get(`/api/v1/users/${id}`);
        expect(res.status, id).toBe(422);
      }
    });

    it('answers an id-valued body field above int64 max with 422 naming it', async () => {
      const res = await admin.post('/api/v1/departments', { name: 'Deep', parentId: '9999999999999999999' });
      expect(res.status).toBe(422);
      expect(fields(res)).toEqual(['parentId']);
    });
  });

  describe('unknown routes and the problem catalogue', () => {
    it('answers an unknown /api/v1 route with a 404 problem, token or not', async () => {
      const withToken = await admin.get('/api/v1/no-such-thing');
      expectProblem(withToken, 404, 'not-found', 'route_not_found', '/api/v1/no-such-thing');
      expect(withToken.body.detail).toContain('GET /api/v1/no-such-thing');

      const anonymous = await client(h.app).post('/api/v1/no-such-thing?x=1', { a: 1 });
      expectProblem(anonymous, 404, 'not-found', 'route_not_found', '/api/v1/no-such-thing');
    });

    it('answers a known path with an unrouted method with a 404 problem', async () => {
      const res = await admin.delete('/api/v1/users/1');
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('route_not_found');
    });

    it('answers a missing resource with a 404 problem naming the entity', async () => {
      const res = await admin.get('/api/v1/departments/999999');
      expectProblem(res, 404, 'not-found', 'department_not_found', '/api/v1/departments/999999');
    });

    it('gives every problem kind the full envelope', async () => {
      const sales = await makeUser(h, tenant, { role: 'sales' });
      const taken = await admin.post('/api/v1/roles', { code: 'dupe', name: 'Dupe', dataScope: 'own' });
      expect(taken.status).toBe(201);

      expectProblem(await client(h.app).get('/api/v1/me'), 401, 'unauthenticated', 'missing_token', '/api/v1/me');
      expectProblem(await client(h.app, 'nonsense').get('/api/v1/me'), 401, 'unauthenticated', 'invalid_token', '/api/v1/me');
      expectProblem(await client(h.app, sales.token).post('/api/v1/departments', { name: 'x' }), 403, 'forbidden', 'missing_permission', '/api/v1/departments');
      expectProblem(await admin.post('/api/v1/roles', { code: 'dupe', name: 'Again', dataScope: 'own' }), 409, 'conflict', 'role_code_taken', '/api/v1/roles');
      expectProblem(
        await admin.patch(`/api/v1/roles/${taken.body.id}`, { name: 'Stale' }, { 'if-match': '"999"' }),
        412,
        'precondition-failed',
        'stale_version',
        `/api/v1/roles/${taken.body.id}`,
      );
    });

    it('keeps the query string out of instance', async () => {
      const res = await admin.get('/api/v1/users?limit=9999');
      expect(res.status).toBe(422);
      expect(res.body.instance).toBe('/api/v1/users');
    });

    it('describes each problem type at its type URI', async () => {
      for (const [type, entry] of Object.entries(PROBLEM_TYPES)) {
        const res = await client(h.app).get(`/problems/${type}`);
        expect(res.status, type).toBe(200);
        expect(res.body).toEqual({ type: `/problems/${type}`, status: entry.status, title: entry.title, description: entry.description });
      }
      const validation = await client(h.app).get('/problems/validation-failed');
      expect(validation.body.status).toBe(422);
      expect(validation.body.description).toContain('errors');
    });

    it('answers an unknown problem type with 404', async () => {
      const res = await client(h.app).get('/problems/no-such-problem');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ type: '/problems/not-found', code: 'problem_type_not_found' });
    });

    it('answers unknown routes outside /api/v1 with a problem too', async () => {
      const res = await client(h.app).get('/no-such-page');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 404, code: 'route_not_found', instance: '/no-such-page' });
    });
  });

  describe('request ids', () => {
    it('echoes a valid X-Request-Id in the header and the problem', async () => {
      const res = await client(h.app).get('/api/v1/me', { 'x-request-id': 'client-req.42:a_b' });
      expect(res.status).toBe(401);
      expect(res.headers['x-request-id']).toBe('client-req.42:a_b');
      expect(res.body.requestId).toBe('client-req.42:a_b');
    });

    it('echoes it on successful answers too', async () => {
      const res = await admin.get('/api/v1/me', { 'x-request-id': 'ok-request-1' });
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBe('ok-request-1');
    });

    it('generates a UUID when none is sent, different for each request', async () => {
      const first = await admin.get('/api/v1/me');
      const second = await admin.get('/api/v1/me');
      expect(first.headers['x-request-id']).toMatch(UUID);
      expect(second.headers['x-request-id']).toMatch(UUID);
      expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    });

    it('replaces an unusable X-Request-Id with a generated one', async () => {
      for (const given of ['has spaces in it', 'x'.repeat(129), '<script>', 'line\u00e9']) {
        const res = await client(h.app).get('/api/v1/me', { 'x-request-id': given });
        expect(res.headers['x-request-id'], given).toMatch(UUID);
        expect(res.body.requestId, given).toBe(res.headers['x-request-id']);
      }
    });

    it('puts the request id on the health endpoints too', async () => {
      const res = await client(h.app).get('/healthz', { 'x-request-id': 'probe-1' });
      expect(res.headers['x-request-id']).toBe('probe-1');
    });
  });
});
