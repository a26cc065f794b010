import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';

describe('GET /api/v1/me', () => {
  let h: Harness;
  let tenant: TestTenant;
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h, { timezone: 'Asia/Shanghai' });
  });

  it('describes the caller, their role and tenant', async () => {
    const res = await client(h.app, tenant.adminToken).get('/api/v1/me');
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: tenant.adminId, login: 'admin', status: 'active' });
    expect(res.body.role).toMatchObject({ code: 'admin', dataScope: 'all', isSystem: true });
    expect(res.body.tenant).toMatchObject({ id: tenant.id, slug: tenant.slug, timezone: 'Asia/Shanghai' });
    expect(res.body.user.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/);
  });

  it('refuses a request without a token', async () => {
    const res = await client(h.app).get('/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(res.body).toMatchObject({ type: '/problems/unauthenticated', status: 401, code: 'missing_token' });
  });
});
