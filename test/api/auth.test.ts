import { beforeAll, describe, expect, it } from 'vitest';
import { client, fixedClock, makeTenant, makeUser, setupHarness, type ApiResponse, type Harness, type TestTenant } from '../helpers/harness.ts';

const MINUTE = 60_000;
// Whole seconds, so Retry-After and stored times compare exactly.
const clock = fixedClock(new Date(Math.floor(Date.now() / 1000) * 1000));

/** The parts of a problem that must not differ between two refusals that should look alike. */
const comparable = (res: ApiResponse) => {
  const { requestId: _requestId, ...body } = res.body;
  return { status: res.status, body, authenticate: res.headers['www-authenticate'], type: res.headers['content-type'] };
};

let h: Harness;
let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  h = await setupHarness({ clock });
  tenant = await makeTenant(h, { slug: 'default' });
  other = await makeTenant(h);
});

describe('POST /api/v1/auth/login', () => {
  const login = (body: unknown) => client(h.app).post('/api/v1/auth/login', body);

  it('trades login and password for a session token usable as a bearer token', async () => {
    const { user } = await makeUser(h, tenant, { login: 'li.lei', password: 'secret-pass-1' });
    const res = await login({ login: 'li.lei', password: 'secret-pass-1' });
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^gjn_[A-Za-z0-9_-]{43}$/);
    expect(res.body.info).toMatchObject({ userId: user.id, kind: 'session', name: 'login', revokedAt: null, prefix: res.body.token.slice(0, 10) });
    expect(new Date(res.body.info.expiresAt).getTime()).toBe(clock.now().getTime() + 7 * 24 * 60 * MINUTE);

    const me = await client(h.app, res.body.token).get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: user.id, login: 'li.lei' });
    expect(me.body.tenant.slug).toBe('default');
  });

  it('matches the login case-insensitively', async () => {
    const { user } = await makeUser(h, tenant, { login: 'Han.Meimei', password: 'secret-pass-2' });
    const res = await login({ login: 'han.meimei', password: 'secret-pass-2' });
    expect(res.status).toBe(200);
    expect(res.body.info.userId).toBe(user.id);
  });

  it('logs into the tenant named in the body', async () => {
    const { user } = await makeUser(h, other, { login: 'wang', password: 'other-pass-1' });
    const res = await login({ tenant: other.slug, login: 'wang', password: 'other-pass-1' });
    expect(res.status).toBe(200);
    expect(res.body.info.userId).toBe(user.id);
    const me = await client(h.app, res.body.token).get('/api/v1/me');
    expect(me.body.tenant).toMatchObject({ id: other.id, slug: other.slug });
  });

  it('sets lastLoginAt to the time of the login', async () => {
    const { user } = await makeUser(h, tenant, { login: 'zhao', password: 'secret-pass-3' });
    const admin = client(h.app, tenant.adminToken);
    expect((await admin.get(`/api/v1/users/${user.id}`)).body.lastLoginAt).toBeNull();

    clock.advance(5 * MINUTE);
    expect((await login({ login: 'zhao', password: 'secret-pass-3' })).status).toBe(200);
    const after = await admin.get(`/api/v1/users/${user.id}`);
    expect(after.body.lastLoginAt).toMatch(/\+08:00$/);
    expect(new Date(after.body.lastLoginAt).getTime()).toBe(clock.now().getTime());
  });

  it('records the login in the audit log', async () => {
    const { user } = await makeUser(h, tenant, { login: 'qian', password: 'secret-pass-4' });
    const res = await login({ login: 'qian', password: 'secret-pass-4' });
    const audit = await client(h.app, tenant.adminToken).get(`/api/v1/audit-log?entity=user&entityId=${user.id}`);
    const entry = audit.body.items.find((e: { action: string }) => e.action === 'login');
    expect(entry).toMatchObject({ userId: user.id, api: 'native', changes: { session_token_id: { after: res.body.info.id } } });
  });

  it('answers a wrong password with 401 wrong_credentials', async () => {
    await makeUser(h, tenant, { login: 'sun', password: 'secret-pass-5' });
    const res = await login({ login: 'sun', password: 'not-the-password' });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: '/problems/unauthenticated', status: 401, code: 'wrong_credentials' });
    expect(res.body).not.toHaveProperty('token');
  });

  it('gives the same answer for an unknown login, an unknown tenant and a wrong password', async () => {
    await makeUser(h, tenant, { login: 'zhou', password: 'secret-pass-6' });
    const wrongPassword = comparable(await login({ login: 'zhou', password: 'not-the-password' }));
    const unknownLogin = comparable(await login({ login: 'nobody-here', password: 'not-the-password' }));
    const unknownTenant = comparable(await login({ tenant: 'no-such-tenant', login: 'zhou', password: 'secret-pass-6' }));
    const otherTenant = comparable(await login({ tenant: other.slug, login: 'zhou', password: 'secret-pass-6' }));
    expect(wrongPassword.status).toBe(401);
    expect(unknownLogin).toEqual(wrongPassword);
    expect(unknownTenant).toEqual(wrongPassword);
    expect(otherTenant).toEqual(wrongPassword);
  });

  it('refuses a disabled user with the same answer as a wrong password', async () => {
    const { user } = await makeUser(h, tenant, { login: 'wu', password: 'secret-pass-7' });
    const disable = await client(h.app, tenant.adminToken).patch(`/api/v1/users/${user.id}`, { status: 'disabled' });
    expect(disable.status).toBe(200);
    const disabled = comparable(await login({ login: 'wu', password: 'secret-pass-7' }));
    const wrong = comparable(await login({ login: 'wu', password: 'not-the-password' }));
    expect(disabled.status).toBe(401);
    expect(disabled).toEqual(wrong);
  });

  it('refuses a user who has no password', async () => {
    await h.services.users.create(tenant.ctx, { login: 'no-password' });
    const res = await login({ login: 'no-password', password: 'anything-at-all' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('wrong_credentials');
  });

  it('names the missing or unknown fields of a malformed body', async () => {
    const missing = await login({ login: 'someone' });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([{ field: 'password', message: 'is required' }]);

    const unknown = await login({ login: 'someone', password: 'x', remember: true });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toContainEqual({ field: 'remember', message: 'is not a known field' });

    const wrongType = await login({ login: 'someone', password: 12345678 });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.errors.map((e: { field: string }) => e.field)).toEqual(['password']);
  });

  describe('lock-out after repeated failures', () => {
    it('locks the account for 15 minutes after 5 wrong passwords in a row, even for the right password', async () => {
      await makeUser(h, tenant, { login: 'locked-1', password: 'right-pass-1' });
      for (let attempt = 1; attempt <= 5; attempt++) {
        const res = await login({ login: 'locked-1', password: `wrong-${attempt}` });
        expect(res.status, `attempt ${attempt}`).toBe(401);
        expect(res.body.code).toBe('wrong_credentials');
      }

      const locked = await login({ login: 'locked-1', password: 'right-pass-1' });
      expect(locked.status).toBe(429);
      expect(locked.headers['content-type']).toContain('application/problem+json');
      expect(locked.headers['retry-after']).toBe('900');
      expect(locked.body).toMatchObject({ type: '/problems/too-many-requests', status: 429, code: 'account_locked' });
      expect(locked.body).not.toHaveProperty('token');

      clock.advance(10 * MINUTE);
      const stillLocked = await login({ login: 'locked-1', password: 'right-pass-1' });
      expect(stillLocked.status).toBe(429);
      expect(stillLocked.headers['retry-after']).toBe('300');

      clock.advance(5 * MINUTE - 1000);
      const lastSecond = await login({ login: 'locked-1', password: 'right-pass-1' });
      expect(lastSecond.status).toBe(429);
      expect(lastSecond.headers['retry-after']).toBe('1');

      clock.advance(1000);
      const unlocked = await login({ login: 'locked-1', password: 'right-pass-1' });
      expect(unlocked.status).toBe(200);
      expect(unlocked.body.token).toMatch(/^gjn_/);
    });

    it('does not count attempts made while locked, nor extend the lock', async () => {
      await makeUser(h, tenant, { login: 'locked-2', password: 'right-pass-2' });
      for (let attempt = 1; attempt <= 5; attempt++) await login({ login: 'locked-2', password: 'wrong-pass' });
      clock.advance(7 * MINUTE);
      for (let attempt = 1; attempt <= 5; attempt++) {
        expect((await login({ login: 'locked-2', password: 'wrong-pass' })).status).toBe(429);
      }
      clock.advance(8 * MINUTE);
      expect((await login({ login: 'locked-2', password: 'right-pass-2' })).status).toBe(200);
    });

    it('starts counting afresh once a lock has passed', async () => {
      await makeUser(h, tenant, { login: 'locked-3', password: 'right-pass-3' });
      for (let attempt = 1; attempt <= 5; attempt++) await login({ login: 'locked-3', password: 'wrong-pass' });
      clock.advance(15 * MINUTE);
      for (let attempt = 1; attempt <= 4; attempt++) {
        expect((await login({ login: 'locked-3', password: 'wrong-pass' })).status).toBe(401);
      }
      expect((await login({ login: 'locked-3', password: 'right-pass-3' })).status).toBe(200);
    });

    it('resets the count on a successful login', async () => {
      await makeUser(h, tenant, { login: 'reset-1', password: 'right-pass-4' });
      for (let attempt = 1; attempt <= 4; attempt++) {
        expect((await login({ login: 'reset-1', password: 'wrong-pass' })).status).toBe(401);
      }
      expect((await login({ login: 'reset-1', password: 'right-pass-4' })).status).toBe(200);
      for (let attempt = 1; attempt <= 4; attempt++) {
        expect((await login({ login: 'reset-1', password: 'wrong-pass' })).status).toBe(401);
      }
      expect((await login({ login: 'reset-1', password: 'right-pass-4' })).status).toBe(200);
      // A fifth failure right after the success would lock only if the count had not restarted.
      expect((await login({ login: 'reset-1', password: 'wrong-pass' })).status).toBe(401);
      expect((await login({ login: 'reset-1', password: 'right-pass-4' })).status).toBe(200);
    });

    it('locks only the account that failed', async () => {
      await makeUser(h, tenant, { login: 'locked-4', password: 'right-pass-5' });
      await makeUser(h, tenant, { login: 'bystander', password: 'right-pass-6' });
      await makeUser(h, other, { login: 'locked-4', password: 'right-pass-7' });
      for (let attempt = 1; attempt <= 5; attempt++) await login({ login: 'locked-4', password: 'wrong-pass' });
      expect((await login({ login: 'locked-4', password: 'right-pass-5' })).status).toBe(429);
      expect((await login({ login: 'bystander', password: 'right-pass-6' })).status).toBe(200);
      expect((await login({ tenant: other.slug, login: 'locked-4', password: 'right-pass-7' })).status).toBe(200);
    });

    it('leaves bearer tokens of a locked account working', async () => {
      const { token } = await makeUser(h, tenant, { login: 'locked-5', password: 'right-pass-8' });
      for (let attempt = 1; attempt <= 5; attempt++) await login({ login: 'locked-5', password: 'wrong-pass' });
      expect((await login({ login: 'locked-5', password: 'right-pass-8' })).status).toBe(429);
      expect((await client(h.app, token).get('/api/v1/me')).status).toBe(200);
    });
  });
});

describe('POST /api/v1/auth/logout', () => {
  const session = async (login: string, password: string) => {
    const res = await client(h.app).post('/api/v1/auth/login', { login, password });
    expect(res.status).toBe(200);
    return res.body.token as string;
  };

  it('revokes the token it is called with, and only that one', async () => {
    const { user, token: apiToken } = await makeUser(h, tenant, { login: 'leaving', password: 'secret-pass-1' });
    const first = await session('leaving', 'secret-pass-1');
    const second = await session('leaving', 'secret-pass-1');

    const res = await client(h.app, first).post('/api/v1/auth/logout');
    expect(res.status).toBe(204);
    expect(res.body).toBe('');

    const after = await client(h.app, first).get('/api/v1/me');
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ type: '/problems/unauthenticated', code: 'token_revoked' });
    expect(after.headers['www-authenticate']).toContain('Bearer');

    expect((await client(h.app, second).get('/api/v1/me')).body.user.id).toBe(user.id);
    expect((await client(h.app, apiToken).get('/api/v1/me')).status).toBe(200);
  });

  it('refuses a second logout with the revoked token', async () => {
    await makeUser(h, tenant, { login: 'twice', password: 'secret-pass-2' });
    const token = await session('twice', 'secret-pass-2');
    expect((await client(h.app, token).post('/api/v1/auth/logout')).status).toBe(204);
    const again = await client(h.app, token).post('/api/v1/auth/logout');
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('token_revoked');
  });

  it('marks the session revoked in the token list', async () => {
    const { user } = await makeUser(h, tenant, { login: 'listed', password: 'secret-pass-3' });
    const token = await session('listed', 'secret-pass-3');
    const me = await client(h.app, token).get('/api/v1/tokens');
    const id = me.body.items.find((t: { kind: string }) => t.kind === 'session').id;
    await client(h.app, token).post('/api/v1/auth/logout');
    const all = await client(h.app, tenant.adminToken).get(`/api/v1/tokens?userId=${user.id}&includeRevoked=true`);
    const revoked = all.body.items.find((t: { id: string }) => t.id === id);
    expect(revoked.revokedAt).not.toBeNull();
    expect(new Date(revoked.revokedAt).getTime()).toBe(clock.now().getTime());
  });

  it('needs a token', async () => {
    const res = await client(h.app).post('/api/v1/auth/logout');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('missing_token');
  });
});

describe('tokens of a disabled user', () => {
  it('answers 401 user_disabled for API and session tokens alike', async () => {
    const { user, token: apiToken } = await makeUser(h, tenant, { login: 'gone', password: 'secret-pass-1' });
    const login = await client(h.app).post('/api/v1/auth/login', { login: 'gone', password: 'secret-pass-1' });
    const sessionToken = login.body.token as string;
    expect((await client(h.app, sessionToken).get('/api/v1/me')).status).toBe(200);

    const disable = await client(h.app, tenant.adminToken).patch(`/api/v1/users/${user.id}`, { status: 'disabled' });
    expect(disable.status).toBe(200);
    expect(disable.body.status).toBe('disabled');

    for (const token of [apiToken, sessionToken]) {
      const res = await client(h.app, token).get('/api/v1/me');
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ type: '/problems/unauthenticated', status: 401, code: 'user_disabled' });
    }
  });

  it('refuses unknown and malformed tokens with their own codes', async () => {
    const unknown = await client(h.app, 'gjn_not-a-real-token').get('/api/v1/me');
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('invalid_token');

    const malformed = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
    expect(malformed.statusCode).toBe(401);
    expect(malformed.json().code).toBe('malformed_authorization');
  });
});
