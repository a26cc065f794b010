import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { CredentialCache } from '../../src/core/auth/credentials.ts';
import { hashToken } from '../../src/core/auth/secrets.ts';
import type { Credential } from '../../src/core/auth/tokens.repository.ts';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const credential = (name: string) => ({ name }) as unknown as Credential;

describe('CredentialCache', () => {
  it('keeps what it read for its time to live, then reads again', async () => {
    const cache = new CredentialCache(80);
    let reads = 0;
    const read = async () => credential(`read ${++reads}`);
    expect(await cache.read('h', read)).toEqual({ name: 'read 1' });
    expect(await cache.read('h', read)).toEqual({ name: 'read 1' });
    await sleep(120);
    expect(await cache.read('h', read)).toEqual({ name: 'read 2' });
    expect(reads).toBe(2);
  });

  it('keeps nothing with a time to live of 0, and never keeps a token that does not exist', async () => {
    const off = new CredentialCache(0);
    let reads = 0;
    await off.read('h', async () => credential(`read ${++reads}`));
    await off.read('h', async () => credential(`read ${++reads}`));
    expect(reads).toBe(2);

    const on = new CredentialCache(60_000);
    expect(await on.read('h', async () => undefined)).toBeUndefined();
    expect(await on.read('h', async () => credential('created since'))).toEqual({ name: 'created since' });
  });

  it('forgets everything on a change, and does not keep a lookup that began before it', async () => {
    const cache = new CredentialCache(60_000);
    await cache.read('a', async () => credential('old a'));
    cache.changed();
    expect(await cache.read('a', async () => credential('new a'))).toEqual({ name: 'new a' });

    let finish!: () => void;
    const slow = cache.read('b', () => new Promise<Credential>((resolve) => (finish = () => resolve(credential('old b')))));
    await cache.changing(async () => {});
    finish();
    expect(await slow).toEqual({ name: 'old b' });
    expect(await cache.read('b', async () => credential('new b'))).toEqual({ name: 'new b' });
  });

  it('is set by GENJIN_CREDENTIAL_CACHE_SECONDS: 10 by default, 0 allowed, anything else refused', () => {
    expect(loadConfig({}, {}).credentialCacheSeconds).toBe(10);
    expect(loadConfig({}, { GENJIN_CREDENTIAL_CACHE_SECONDS: '0' }).credentialCacheSeconds).toBe(0);
    expect(loadConfig({}, { GENJIN_CREDENTIAL_CACHE_SECONDS: '30' }).credentialCacheSeconds).toBe(30);
    expect(() => loadConfig({}, { GENJIN_CREDENTIAL_CACHE_SECONDS: 'soon' })).toThrow('GENJIN_CREDENTIAL_CACHE_SECONDS');
  });
});

describe('credentials kept by the server', () => {
  let h: Harness;
  let tenant: TestTenant;

  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
  });

  /** Changes a token's row behind the server's back, as another process would. */
  const revokeElsewhere = (token: string) =>
    sql`UPDATE api_token SET revoked_at = now() WHERE token_hash = ${hashToken(token)}`.execute(h.database.db);

  it('answers from what it read while another process revokes the token, until the time to live ends', async () => {
    const { token } = await makeUser(h, tenant);
    expect((await client(h.app, token).get('/api/v1/me')).status).toBe(200);
    await revokeElsewhere(token);
    expect((await client(h.app, token).get('/api/v1/me')).status).toBe(200);

    // What the time to live ending does: the token is read again.
    h.services.auth.credentials.changed();
    const res = await client(h.app, token).get('/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('token_revoked');
  });

  it('refuses a token revoked through this server at once', async () => {
    const { token } = await makeUser(h, tenant);
    const me = await client(h.app, token).get('/api/v1/tokens');
    expect(me.status).toBe(200);
    const id = me.body.items[0].id as string;
    expect((await client(h.app, token).delete(`/api/v1/tokens/${id}`)).status).toBe(204);
    expect((await client(h.app, token).get('/api/v1/me')).body.code).toBe('token_revoked');
  });

  it("applies a role's new permissions at once", async () => {
    const admin = client(h.app, tenant.adminToken);
    const role = await admin.post('/api/v1/roles', { code: 'cleaner', name: 'Cleaner', dataScope: 'all', permissions: ['customers:delete'] });
    expect(role.status).toBe(201);
    const { token } = await makeUser(h, tenant, { role: 'cleaner' });
    expect((await client(h.app, token).get('/api/v1/customers?deleted=true')).status).toBe(200);
    expect((await admin.patch(`/api/v1/roles/${role.body.id}`, { permissions: [] })).status).toBe(200);
    const res = await client(h.app, token).get('/api/v1/customers?deleted=true');
    expect(res.status).toBe(403);
  });

  it("applies a tenant's new time zone at once", async () => {
    const { token } = await makeUser(h, tenant);
    // Times are shown in the tenant's zone, which the caller's context carries.
    expect((await client(h.app, token).get('/api/v1/me')).body.user.createdAt).toMatch(/\+08:00$/);
    expect((await client(h.app, tenant.adminToken).patch('/api/v1/tenant', { timezone: 'Asia/Tokyo' })).status).toBe(200);
    expect((await client(h.app, token).get('/api/v1/me')).body.user.createdAt).toMatch(/\+09:00$/);
  });
});
