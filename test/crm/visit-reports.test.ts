import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';
import { crmRows } from './follow-ups.factory.ts';

describe('visit reports', () => {
  let h: Harness;
  let tenant: TestTenant;
  let admin: ReturnType<typeof client>;
  let rows: ReturnType<typeof crmRows>;
  let sales: { user: { id: string; name: string }; token: string };
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    admin = client(h.app, tenant.adminToken);
    rows = crmRows(h, tenant);
    sales = await makeUser(h, tenant, { role: 'sales' });
    api = client(h.app, sales.token);
  });

  const report = async (as: ReturnType<typeof client>, body: object = {}) => {
    const res = await as.post('/api/v1/visit-reports', { title: '2024.05.06-周报-', ...body });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('writes, reads, changes and deletes a report', async () => {
    const created = await api.post('/api/v1/visit-reports', {
      title: '2024.05.06-汪小嘉-',
      reportedAt: '2024-05-06T18:00:00+08:00',
      effect: '拜访三家客户',
      problems: '无',
      suggestion: '无建议',
      workPlan: '下周回访',
      status: 1,
      kind: 2,
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/v1/visit-reports/${created.body.id}`);
    expect(created.body).toMatchObject({
      authorId: sales.user.id,
      authorName: sales.user.name,
      reportedAt: '2024-05-06T18:00:00.000+08:00',
      title: '2024.05.06-汪小嘉-',
      effect: '拜访三家客户',
      workPlan: '下周回访',
      status: 1,
      kind: 2,
      note: null,
      followUpCount: 0,
      commentCount: 0,
      readCount: 0,
      version: 1,
    });
    const changed = await api.patch(`/api/v1/visit-reports/${created.body.id}`, { problems: null, status: 2 }, { 'if-match': created.headers.etag as string });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ problems: null, status: 2, version: 2 });
    expect((await api.patch(`/api/v1/visit-reports/${created.body.id}`, { status: 3 }, { 'if-match': '"1"' })).status).toBe(412);
    expect((await api.patch(`/api/v1/visit-reports/${created.body.id}`, { title: '' })).status).toBe(422);
    expect((await api.delete(`/api/v1/visit-reports/${created.body.id}`)).status).toBe(204);
    expect((await api.get(`/api/v1/visit-reports/${created.body.id}`)).status).toBe(404);
  });

  it('holds follow-ups, and is kept while it does', async () => {
    const r = await report(api);
    const customerId = await rows.customer('拜访客户', sales.user.id);
    const followUp = await api.post('/api/v1/follow-ups', { customerId, visitReportId: r.id, content: '拜访小记录', eventId: await rows.item('visit_event', 2), cost: '30' });
    expect(followUp.status).toBe(201);
    expect(followUp.body.visitReportId).toBe(r.id);
    const held = await api.get(`/api/v1/visit-reports/${r.id}/follow-ups`);
    expect(held.body.items.map((f: any) => f.id)).toEqual([followUp.body.id]);
    expect((await api.get(`/api/v1/follow-ups?visitReportId=${r.id}`)).body.items).toHaveLength(1);
    expect((await api.get(`/api/v1/visit-reports/${r.id}`)).body.followUpCount).toBe(1);
    expect((await api.get(`/api/v1/visit-reports?customerId=${customerId}`)).body.items.map((x: any) => x.id)).toEqual([r.id]);
    const refused = await api.delete(`/api/v1/visit-reports/${r.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('visit_report_not_empty');
    // Taking the follow-up out frees the report.
    expect((await api.patch(`/api/v1/follow-ups/${followUp.body.id}`, { visitReportId: null })).status).toBe(200);
    expect((await api.delete(`/api/v1/visit-reports/${r.id}`)).status).toBe(204);
  });

  it('takes comments, newest first', async () => {
    const r = await report(api);
    const first = await admin.post(`/api/v1/visit-reports/${r.id}/comments`, { content: '测试评论发布' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ reportId: r.id, userId: tenant.adminId, content: '测试评论发布' });
    await api.post(`/api/v1/visit-reports/${r.id}/comments`, { content: '  收到  ' });
    const list = await api.get(`/api/v1/visit-reports/${r.id}/comments`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: any) => [c.content, c.userId])).toEqual([
      ['收到', sales.user.id],
      ['测试评论发布', tenant.adminId],
    ]);
    const paged = await api.get(`/api/v1/visit-reports/${r.id}/comments?limit=1`);
    const next = await api.get(`/api/v1/visit-reports/${r.id}/comments?limit=1&cursor=${paged.body.nextCursor}`);
    expect([paged.body.items[0].content, next.body.items[0].content, next.body.nextCursor]).toEqual(['收到', '测试评论发布', null]);
    const empty = await api.post(`/api/v1/visit-reports/${r.id}/comments`, { content: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.body.errors[0].field).toBe('content');
    expect((await api.get(`/api/v1/visit-reports/${r.id}`)).body.commentCount).toBe(2);
  });

  it("records a read receipt when someone other than the author opens it, once per user", async () => {
    const r = await report(api);
    expect((await api.get(`/api/v1/visit-reports/${r.id}`)).status).toBe(200);
    expect((await api.get(`/api/v1/visit-reports/${r.id}/reads`)).body.items).toEqual([]);
    const opened = await admin.get(`/api/v1/visit-reports/${r.id}`);
    expect(opened.status).toBe(200);
    await admin.get(`/api/v1/visit-reports/${r.id}`);
    const reads = await api.get(`/api/v1/visit-reports/${r.id}/reads`);
    expect(reads.body.items).toEqual([{ userId: tenant.adminId, userName: expect.any(String), readAt: expect.any(String) }]);
    expect((await api.get(`/api/v1/visit-reports/${r.id}`)).body.readCount).toBe(1);
    // Listing does not count as opening.
    const { token } = await makeUser(h, tenant, { role: 'admin' });
    await client(h.app, token).get('/api/v1/visit-reports');
    expect((await api.get(`/api/v1/visit-reports/${r.id}/reads`)).body.items).toHaveLength(1);
  });

  describe('data scope', () => {
    let north: string;
    let south: string;
    let northSales: ReturnType<typeof client>;
    let northReport: string;
    let southReport: string;
    let northManager: ReturnType<typeof client>;
    beforeAll(async () => {
      north = (await h.services.departments.create(tenant.ctx, { name: '华北' })).id;
      const beijing = (await h.services.departments.create(tenant.ctx, { name: '北京', parentId: north })).id;
      south = (await h.services.departments.create(tenant.ctx, { name: '华南' })).id;
      northSales = client(h.app, (await makeUser(h, tenant, { role: 'sales', departmentId: beijing })).token);
      northManager = client(h.app, (await makeUser(h, tenant, { role: 'manager', departmentId: north })).token);
      northReport = (await report(northSales, { title: '北京周报' })).id;
      southReport = (await report(client(h.app, (await makeUser(h, tenant, { role: 'sales', departmentId: south })).token), { title: '华南周报' })).id;
    });

    it('a sales user sees only their own reports', async () => {
      expect((await northSales.get(`/api/v1/visit-reports/${southReport}`)).status).toBe(404);
      expect((await northSales.post(`/api/v1/visit-reports/${southReport}/comments`, { content: 'x' })).status).toBe(404);
      expect((await northSales.get(`/api/v1/visit-reports/${southReport}/reads`)).status).toBe(404);
      expect((await northSales.patch(`/api/v1/visit-reports/${southReport}`, { title: 'x' })).status).toBe(404);
      const list = await northSales.get('/api/v1/visit-reports?withTotal=true');
      expect(list.body.items.map((r: any) => r.id)).toEqual([northReport]);
      expect(list.body.total).toBe(1);
      // Nor can they file a follow-up under someone else's report.
      const customerId = await rows.customer('北京客户', null);
      await h.database.db.updateTable('customer').set({ in_pool: true }).where('id', '=', customerId).execute();
      const refused = await northSales.post('/api/v1/follow-ups', { customerId, visitReportId: southReport });
      expect(refused.status).toBe(404);
      expect(refused.body.errors[0].field).toBe('visitReportId');
    });

    it("a manager sees the reports of their department's tree, the admin all", async () => {
      const managed = await northManager.get('/api/v1/visit-reports');
      expect(managed.body.items.map((r: any) => r.id)).toContain(northReport);
      expect(managed.body.items.map((r: any) => r.id)).not.toContain(southReport);
      expect((await northManager.get(`/api/v1/visit-reports/${southReport}`)).status).toBe(404);
      expect((await admin.get(`/api/v1/visit-reports/${southReport}`)).status).toBe(200);
      const all = (await admin.get('/api/v1/visit-reports?limit=500')).body.items.map((r: any) => r.id);
      expect(all).toEqual(expect.arrayContaining([northReport, southReport]));
    });

    it("another tenant's ids answer 404", async () => {
      const other = client(h.app, (await makeTenant(h)).adminToken);
      expect((await other.get(`/api/v1/visit-reports/${northReport}`)).status).toBe(404);
      expect((await other.get(`/api/v1/visit-reports/${northReport}/comments`)).status).toBe(404);
      expect((await other.delete(`/api/v1/visit-reports/${northReport}`)).status).toBe(404);
      expect((await other.get('/api/v1/visit-reports')).body.items).toEqual([]);
    });
  });

  it('pages newest first without gaps or repeats', async () => {
    const { token } = await makeUser(h, tenant, { role: 'sales' });
    const writer = client(h.app, token);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await report(writer, { reportedAt: new Date(Date.UTC(2022, 0, 1 + (i % 3))).toISOString() })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await writer.get(`/api/v1/visit-reports?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.items.map((r: any) => r.id));
      cursor = page.body.nextCursor;
      await report(writer, { reportedAt: '2031-01-01T00:00:00Z' });
    } while (cursor);
    expect([...seen].sort()).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(seen.length);
  });
});
