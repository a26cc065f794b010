import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, fixedClock, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

const MINUTE = 60_000;
const clock = fixedClock(new Date(Math.floor(Date.now() / 1000) * 1000));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let h: Harness;
let tenant: TestTenant;
let sales: { id: string; token: string };
let colleague: { id: string; token: string };

beforeAll(async () => {
  h = await setupHarness({ clock });
  tenant = await makeTenant(h);
  const a = await makeUser(h, tenant, { role: 'sales' });
  const b = await makeUser(h, tenant, { role: 'sales' });
  sales = { id: a.user.id, token: a.token };
  colleague = { id: b.user.id, token: b.token };
});

/** Every row of the tables a token or its echo could end up in, as text. */
async function storedText(): Promise<string> {
  const db = h.database.db;
  const rows = await Promise.all([
    db.selectFrom('api_token').selectAll().execute(),
    db.selectFrom('audit_log').selectAll().execute(),
    db.selectFrom('idempotency_key').selectAll().execute(),
  ]);
  return JSON.stringify(rows);
}

async function tokenRow(id: string) {
  return h.database.db.selectFrom('api_token').selectAll().where('tenant_id', '=', tenant.id).where('id', '=', id).executeTakeFirstOrThrow();
}

describe('POST /api/v1/tokens', () => {
  it('issues a token owned by the caller, shown once in full', async () => {
    const res = await client(h.app, sales.token).post('/api/v1/tokens', { name: 'laptop sync' });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^gjn_[A-Za-z0-9_-]{43}$/);
    expect(res.body.info).toMatchObject({
      userId: sales.id,
      kind: 'api',
      name: 'laptop sync',
      prefix: res.body.token.slice(0, 10),
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(res.body.info.id).toMatch(/^[1-9]\d*$/);

    const me = await client(h.app, res.body.token).get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(sales.id);

    const list = await client(h.app, sales.token).get('/api/v1/tokens');
    expect(list.status).toBe(200);
    const listed = list.body.items.find((t: { id: string }) => t.id === res.body.info.id);
    expect(listed).toMatchObject({ name: 'laptop sync', prefix: res.body.token.slice(0, 10) });
    expect(listed).not.toHaveProperty('token');
    expect(JSON.stringify(list.body)).not.toContain(res.body.token.slice(10));
  });

  it('stores only the SHA-256 of the token', async () => {
    const res = await client(h.app, sales.token).post('/api/v1/tokens', { name: 'hash check' });
    const token: string = res.body.token;
    const row = await tokenRow(res.body.info.id);
    expect(row.token_hash).toBe(sha256(token));
    expect(row.token_prefix).toBe(token.slice(0, 10));
    const stored = await storedText();
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(token.slice(10));
  });

  it('does not store the token when the create carries an Idempotency-Key', async () => {
    const before = (await h.database.db.selectFrom('api_token').select('id').execute()).length;
    const res = await client(h.app, sales.token).post('/api/v1/tokens', { name: 'retried' }, { 'idempotency-key': 'token-create-1' });
    // Replaying this answer would need the plaintext kept on the server, so the key is refused.
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    expect((await h.database.db.selectFrom('api_token').select('id').execute()).length).toBe(before);
    expect(await h.database.db.selectFrom('idempotency_key').selectAll().execute()).toEqual([]);
  });

  it('records the creation in the audit log without the secret', async () => {
    const res = await client(h.app, sales.token).post('/api/v1/tokens', { name: 'audited' });
    const audit = await client(h.app, tenant.adminToken).get(`/api/v1/audit-log?entity=api_token&entityId=${res.body.info.id}`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ action: 'create', userId: sales.id, api: 'native' });
    expect(audit.body.items[0].changes.name).toEqual({ after: 'audited' });
    const text = JSON.stringify(audit.body);
    expect(text).not.toContain(res.body.token.slice(10));
    expect(text).not.toContain(sha256(res.body.token));
  });

  it('accepts an expiry in the future and refuses one in the past', async () => {
    const future = new Date(clock.now().getTime() + 60 * MINUTE).toISOString();
    const ok = await client(h.app, sales.token).post('/api/v1/tokens', { name: 'short-lived', expiresAt: future });
    expect(ok.status).toBe(201);
    expect(new Date(ok.body.info.expiresAt).getTime()).toBe(new Date(future).getTime());

    const past = new Date(clock.now().getTime() - MINUTE).toISOString();
    const res = await client(h.app, sales.token).post('/api/v1/tokens', { name: 'already dead', expiresAt: past });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ field: 'expiresAt', message: 'must be in the future' }]);

    const now = await client(h.app, sales.token).post('/api/v1/tokens', { name: 'dead on arrival', expiresAt: clock.now().toISOString() });
    expect(now.status).toBe(422);
  });

  it('names the field of a malformed body', async () => {
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x', expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ name: 'x', userId: 'me' }, 'userId'],
      [{ name: 'x', scope: 'all' }, 'scope'],
      [{ name: 42 }, 'name'],
    ];
    for (const [body, field] of cases) {
      const res = await client(h.app, sales.token).post('/api/v1/tokens', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.errors.map((e: { field: string }) => e.field), JSON.stringify(body)).toContain(field);
    }
  });

  it('refuses a sales user creating a token for someone else', async () => {
    const before = (await h.database.db.selectFrom('api_token').select('id').where('user_id', '=', colleague.id).execute()).length;
    const res = await client(h.app, sales.token).post('/api/v1/tokens', { name: 'sneaky', userId: colleague.id });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ type: '/problems/forbidden', code: 'missing_permission' });
    expect((await h.database.db.selectFrom('api_token').select('id').where('user_id', '=', colleague.id).execute()).length).toBe(before);
  });

  it('lets an admin create a token for another user, which then acts as that user', async () => {
    const res = await client(h.app, tenant.adminToken).post('/api/v1/tokens', { name: 'for colleague', userId: colleague.id });
    expect(res.status).toBe(201);
    expect(res.body.info.userId).toBe(colleague.id);
    const me = await client(h.app, res.body.token).get('/api/v1/me');
    expect(me.body.user.id).toBe(colleague.id);
    expect(me.body.role.code).toBe('sales');
  });

  it('refuses an admin creating a token for a user who does not exist', async () => {
    const res = await client(h.app, tenant.adminToken).post('/api/v1/tokens', { name: 'ghost', userId: '987654321' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'reference_not_found', errors: [{ field: 'userId' }] });
  });
});

describe('lastUsedAt', () => {
  it('is set on first use and then kept to the minute', async () => {
    const issued = await client(h.app, sales.token).post('/api/v1/tokens', { name: 'usage' });
    const token: string = issued.body.token;
    const id: string = issued.body.info.id;
    expect((await tokenRow(id)).last_used_at).toBeNull();

    const firstUse = clock.now().getTime();
    expect((await client(h.app, token).get('/api/v1/me')).status).toBe(200);
    expect((await tokenRow(id)).last_used_at?.getTime()).toBe(firstUse);

    clock.advance(30_000);
    await client(h.app, token).get('/api/v1/me');
    expect((await tokenRow(id)).last_used_at?.getTime()).toBe(firstUse);

    clock.advance(2 * MINUTE);
    await client(h.app, token).get('/api/v1/me');
    expect((await tokenRow(id)).last_used_at?.getTime()).toBe(clock.now().getTime());

    const listed = (await client(h.app, sales.token).get('/api/v1/tokens')).body.items.find((t: { id: string }) => t.id === id);
    expect(new Date(listed.lastUsedAt).getTime()).toBe(clock.now().getTime());
  });
});

describe('DELETE /api/v1/tokens/:id', () => {
  it('revokes a token: the next use answers 401 token_revoked', async () => {
    const issued = await client(h.app, sales.token).post('/api/v1/tokens', { name: 'to revoke' });
    const token: string = issued.body.token;
    expect((await client(h.app, token).get('/api/v1/me')).status).toBe(200);

    const res = await client(h.app, sales.token).delete(`/api/v1/tokens/${issued.body.info.id}`);
    expect(res.status).toBe(204);

    const after = await client(h.app, token).get('/api/v1/me');
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ type: '/problems/unauthenticated', code: 'token_revoked' });
    expect((await tokenRow(issued.body.info.id)).revoked_at?.getTime()).toBe(clock.now().getTime());
  });

  it('hides revoked tokens from the list unless asked for', async () => {
    const issued = await client(h.app, sales.token).post('/api/v1/tokens', { name: 'revoked and listed' });
    await client(h.app, sales.token).delete(`/api/v1/tokens/${issued.body.info.id}`);
    const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((t) => t.id);
    expect(ids(await client(h.app, sales.token).get('/api/v1/tokens'))).not.toContain(issued.body.info.id);
    const all = await client(h.app, sales.token).get('/api/v1/tokens?includeRevoked=true');
    const revoked = all.body.items.find((t: { id: string }) => t.id === issued.body.info.id);
    expect(revoked.revokedAt).not.toBeNull();
  });

  it('is idempotent', async () => {
    const issued = await client(h.app, sales.token).post('/api/v1/tokens', { name: 'revoked twice' });
    expect((await client(h.app, sales.token).delete(`/api/v1/tokens/${issued.body.info.id}`)).status).toBe(204);
    const revokedAt = (await tokenRow(issued.body.info.id)).revoked_at;
    clock.advance(MINUTE);
    expect((await client(h.app, sales.token).delete(`/api/v1/tokens/${issued.body.info.id}`)).status).toBe(204);
    expect((await tokenRow(issued.body.info.id)).revoked_at).toEqual(revokedAt);
  });

  it("answers 404 to a sales user revoking someone else's token, which keeps working", async () => {
    const theirs = await client(h.app, colleague.token).post('/api/v1/tokens', { name: 'colleague token' });
    const res = await client(h.app, sales.token).delete(`/api/v1/tokens/${theirs.body.info.id}`);
    expect(res.status).toBe(404);
    const missing = await client(h.app, sales.token).delete('/api/v1/tokens/987654321');
    expect(missing.status).toBe(404);
    expect(res.body.code).toBe(missing.body.code);
    expect(res.body.type).toBe(missing.body.type);
    expect((await tokenRow(theirs.body.info.id)).revoked_at).toBeNull();
    expect((await client(h.app, theirs.body.token).get('/api/v1/me')).status).toBe(200);
  });

  it("lets an admin revoke anyone's token", async () => {
    const theirs = await client(h.app, colleague.token).post('/api/v1/tokens', { name: 'admin revokes' });
    expect((await client(h.app, tenant.adminToken).delete(`/api/v1/tokens/${theirs.body.info.id}`)).status).toBe(204);
    expect((await client(h.app, theirs.body.token).get('/api/v1/me')).body.code).toBe('token_revoked');
  });

  it('names a malformed id', async () => {
    const res = await client(h.app, sales.token).delete('/api/v1/tokens/abc');
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['id']);
  });
});

describe('expiry', () => {
  it('answers 401 token_expired once the clock passes expiresAt', async () => {
    const expiresAt = new Date(clock.now().getTime() + 10 * MINUTE);
    const issued = await client(h.app, sales.token).post('/api/v1/tokens', { name: 'expiring', expiresAt: expiresAt.toISOString() });
    const token: string = issued.body.token;

    clock.advance(10 * MINUTE - 1000);
    expect((await client(h.app, token).get('/api/v1/me')).status).toBe(200);

    clock.advance(1000);
    const res = await client(h.app, token).get('/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ type: '/problems/unauthenticated', code: 'token_expired' });
  });
});

describe('GET /api/v1/tokens', () => {
  it("shows a sales user only their own tokens", async () => {
    await client(h.app, colleague.token).post('/api/v1/tokens', { name: 'not for your eyes' });
    const res = await client(h.app, sales.token).get('/api/v1/tokens?limit=500');
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(new Set(res.body.items.map((t: { userId: string }) => t.userId))).toEqual(new Set([sales.id]));
  });

  it("refuses a sales user listing another user's tokens", async () => {
    const res = await client(h.app, sales.token).get(`/api/v1/tokens?userId=${colleague.id}`);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ type: '/problems/forbidden', code: 'missing_permission' });
    const own = await client(h.app, sales.token).get(`/api/v1/tokens?userId=${sales.id}`);
    expect(own.status).toBe(200);
  });

  it("lets an admin list everyone's tokens, or one user's", async () => {
    const all = await client(h.app, tenant.adminToken).get('/api/v1/tokens?limit=500');
    const owners = new Set(all.body.items.map((t: { userId: string }) => t.userId));
    expect(owners).toContain(sales.id);
    expect(owners).toContain(colleague.id);
    expect(owners).toContain(tenant.adminId);

    const one = await client(h.app, tenant.adminToken).get(`/api/v1/tokens?userId=${colleague.id}&limit=500`);
    expect(one.body.items.length).toBeGreaterThan(0);
    expect(new Set(one.body.items.map((t: { userId: string }) => t.userId))).toEqual(new Set([colleague.id]));
  });

  it('pages through tokens with a cursor without gaps or repeats', async () => {
    const expected = (await h.database.db
      .selectFrom('api_token')
      .select('id')
      .where('tenant_id', '=', tenant.id)
      .where('revoked_at', 'is', null)
      .orderBy('id')
      .execute()).map((r) => r.id);
    expect(expected.length).toBeGreaterThan(4);
    const seen: string[] = [];
    let url = '/api/v1/tokens?limit=2';
    for (let page = 0; page < 100; page++) {
      const res = await client(h.app, tenant.adminToken).get(url);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((t: { id: string }) => t.id));
      if (!res.body.nextCursor) break;
      url = `/api/v1/tokens?limit=2&cursor=${encodeURIComponent(res.body.nextCursor)}`;
    }
    expect(seen).toEqual(expected);
  });

  it('refuses a cursor it did not issue', async () => {
    const res = await client(h.app, tenant.adminToken).get('/api/v1/tokens?cursor=not-a-cursor');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'invalid_cursor', errors: [{ field: 'cursor' }] });
  });
});
