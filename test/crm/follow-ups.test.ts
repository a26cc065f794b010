import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';
import { crmRows } from './follow-ups.factory.ts';

describe('follow-ups', () => {
  let h: Harness;
  let tenant: TestTenant;
  let admin: ReturnType<typeof client>;
  let rows: ReturnType<typeof crmRows>;
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    admin = client(h.app, tenant.adminToken);
    rows = crmRows(h, tenant);
  });

  const lastFollow = async (customerId: string) => {
    const res = await admin.get(`/api/v1/customers/${customerId}`);
    expect(res.status).toBe(200);
    return { at: res.body.lastFollowAt, summary: res.body.lastFollowSummary, userId: res.body.lastFollowUserId };
  };

  it('writes a follow-up with every field and reads it back', async () => {
    const customerId = await rows.customer('星河科技');
    const [c1, c2] = [await rows.contact(customerId, '张三'), await rows.contact(customerId, '李四')];
    const opportunityId = await rows.opportunity(customerId);
    const { user: colleague } = await makeUser(h, tenant, { role: 'sales' });
    const body = {
      customerId,
      contactIds: [c1, c2],
      opportunityId,
      typeId: await rows.item('follow_up_type', 2),
      purposeId: await rows.item('contact_purpose', 1),
      routeId: await rows.item('contact_route', 4),
      eventId: await rows.item('visit_event', 2),
      title: '  上门拜访  ',
      content: '<p>介绍了新产品</p>',
      followedAt: '2024-05-06T10:30:00+08:00',
      site: '武汉市洪山区光谷大道 1 号',
      latitude: 30.5052,
      longitude: 114.4237,
      cost: '128.50',
      costNote: '打车',
      note: '客户很感兴趣',
      attachments: [{ name: '合照.jpg', url: 'https://files.example.com/a/photo.jpg', businessCode: 'visit_photo' }],
      participantIds: [colleague.id],
    };
    const res = await admin.post('/api/v1/follow-ups', body);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/v1/follow-ups/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({
      customerId,
      customerName: '星河科技',
      contactIds: [c1, c2].sort(),
      opportunityId,
      typeId: body.typeId,
      type: { id: body.typeId, code: 2, name: '上门拜访' },
      event: { code: 2, name: '走访拜访' },
      title: '上门拜访',
      content: '<p>介绍了新产品</p>',
      contentText: '介绍了新产品',
      followedAt: '2024-05-06T10:30:00.000+08:00',
      site: body.site,
      latitude: 30.5052,
      longitude: 114.4237,
      cost: '128.50',
      costNote: '打车',
      note: '客户很感兴趣',
      attachments: [{ name: '合照.jpg', url: body.attachments[0]!.url, fileId: null, businessCode: 'visit_photo' }],
      participantIds: [colleague.id],
      userId: tenant.adminId,
      visitReportId: null,
      version: 1,
    });
    const read = await admin.get(`/api/v1/follow-ups/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
    const opportunity = await rows.opportunityRow(opportunityId);
    expect(opportunity.last_contact_at?.toISOString()).toBe('2024-05-06T02:30:00.000Z');
    expect(opportunity.last_contact_user_id).toBe(tenant.adminId);
  });

  it('keeps the HTML and derives its plain text, which q searches', async () => {
    const customerId = await rows.customer('文本客户');
    const content = '<p>Hello&nbsp;<b>world</b> &amp; 你好 &#x4E16;&#30028;</p><p>第二行<br/>第三行</p><script>alert("x")</script><!-- 注释 --><a href="x" title="a>b">链接</a>';
    const res = await admin.post(`/api/v1/customers/${customerId}/follow-ups`, { content });
    expect(res.status).toBe(201);
    expect(res.body.content).toBe(content);
    expect(res.body.contentText).toBe('Hello world & 你好 世界\n第二行\n第三行\n链接');
    const found = await admin.get(`/api/v1/follow-ups?q=${encodeURIComponent('你好 世界')}`);
    expect(found.body.items.map((f: any) => f.id)).toEqual([res.body.id]);
    const tags = await admin.get(`/api/v1/follow-ups?q=${encodeURIComponent('<b>')}`);
    expect(tags.body.items).toEqual([]);
    expect((await lastFollow(customerId)).summary).toBe('Hello world & 你好 世界 第二行 第三行 链接');
  });

  it("maintains the customer's last follow-up on create, edit and delete", async () => {
    const customerId = await rows.customer('派生字段客户');
    const opportunityId = await rows.opportunity(customerId);
    const { user: other } = await makeUser(h, tenant, { role: 'sales' });
    const create = async (followedAt: string, content: string, extra: object = {}) => {
      const res = await admin.post('/api/v1/follow-ups', { customerId, followedAt, content, ...extra });
      expect(res.status).toBe(201);
      return res.body;
    };
    expect(await lastFollow(customerId)).toEqual({ at: null, summary: null, userId: null });

    const a = await create('2024-03-01T09:00:00Z', '<p>第一次</p>', { opportunityId });
    expect(await lastFollow(customerId)).toEqual({ at: '2024-03-01T17:00:00.000+08:00', summary: '第一次', userId: tenant.adminId });

    // An older follow-up is not the latest: nothing changes.
    const older = await create('2024-02-01T09:00:00Z', '更早');
    expect((await lastFollow(customerId)).summary).toBe('第一次');

    // A newer one by someone else becomes the latest; a long text is shortened.
    const long = '很'.repeat(150);
    const b = await create('2024-04-01T09:00:00Z', long, { userId: other.id, opportunityId });
    const latest = await lastFollow(customerId);
    expect(latest).toMatchObject({ at: '2024-04-01T17:00:00.000+08:00', userId: other.id });
    expect(Array.from(latest.summary as string)).toHaveLength(100);
    expect(latest.summary.endsWith('…')).toBe(true);
    expect((await rows.opportunityRow(opportunityId)).last_contact_user_id).toBe(other.id);

    // Editing a follow-up that is not the latest leaves the customer as it is.
    expect((await admin.patch(`/api/v1/follow-ups/${older.id}`, { content: '改过的更早' })).status).toBe(200);
    expect((await lastFollow(customerId)).at).toBe('2024-04-01T17:00:00.000+08:00');

    // Editing the latest: moved back in time, the other one becomes the latest again.
    const moved = await admin.patch(`/api/v1/follow-ups/${b.id}`, { followedAt: '2024-01-01T09:00:00Z' });
    expect(moved.status).toBe(200);
    expect(await lastFollow(customerId)).toEqual({ at: '2024-03-01T17:00:00.000+08:00', summary: '第一次', userId: tenant.adminId });
    expect((await rows.opportunityRow(opportunityId)).last_contact_at?.toISOString()).toBe('2024-03-01T09:00:00.000Z');

    // Editing the content of the latest changes the summary.
    await admin.patch(`/api/v1/follow-ups/${a.id}`, { content: '<b>第一次（补充）</b>' });
    expect((await lastFollow(customerId)).summary).toBe('第一次（补充）');

    // Deleting a follow-up that is not the latest changes nothing; deleting the latest recomputes.
    expect((await admin.delete(`/api/v1/follow-ups/${b.id}`)).status).toBe(204);
    expect((await lastFollow(customerId)).summary).toBe('第一次（补充）');
    expect((await admin.delete(`/api/v1/follow-ups/${a.id}`)).status).toBe(204);
    expect(await lastFollow(customerId)).toEqual({ at: '2024-02-01T17:00:00.000+08:00', summary: '改过的更早', userId: tenant.adminId });
    const opportunity = await rows.opportunityRow(opportunityId);
    expect([opportunity.last_contact_at, opportunity.last_contact_user_id]).toEqual([null, null]);
    expect((await admin.delete(`/api/v1/follow-ups/${older.id}`)).status).toBe(204);
    expect(await lastFollow(customerId)).toEqual({ at: null, summary: null, userId: null });
    expect((await admin.get(`/api/v1/follow-ups/${older.id}`)).status).toBe(404);
  });

  it('moves a follow-up to another customer and recomputes both', async () => {
    const from = await rows.customer('原客户');
    const to = await rows.customer('新客户');
    const contact = await rows.contact(from);
    const res = await admin.post('/api/v1/follow-ups', { customerId: from, contactIds: [contact], content: '要搬走的' });
    const refused = await admin.patch(`/api/v1/follow-ups/${res.body.id}`, { customerId: to });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].field).toBe('contactIds[0]');
    const moved = await admin.patch(`/api/v1/follow-ups/${res.body.id}`, { customerId: to, contactIds: [] });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ customerId: to, customerName: '新客户', contactIds: [] });
    expect((await lastFollow(from)).summary).toBeNull();
    expect((await lastFollow(to)).summary).toBe('要搬走的');
  });

  describe('refuses references that do not fit', () => {
    let customerId: string;
    let otherCustomer: string;
    beforeAll(async () => {
      customerId = await rows.customer('校验客户');
      otherCustomer = await rows.customer('别的客户');
    });
    const refused = async (body: object, field: string, status = 422) => {
      const res = await admin.post('/api/v1/follow-ups', { customerId, content: 'x', ...body });
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors.map((e: any) => e.field)).toContain(field);
      return res.body;
    };

    it('an opportunity of another customer', async () => {
      const problem = await refused({ opportunityId: await rows.opportunity(otherCustomer) }, 'opportunityId');
      expect(problem.code).toBe('opportunity_of_other_customer');
    });

    it('contacts of another customer', async () => {
      const mine = await rows.contact(customerId);
      const theirs = await rows.contact(otherCustomer);
      const problem = await refused({ contactIds: [mine, theirs] }, 'contactIds[1]');
      expect(problem.code).toBe('contact_of_other_customer');
      await refused({ contactIds: ['999999999'] }, 'contactIds[0]');
    });

    it('an item of the wrong dictionary', async () => {
      await refused({ purposeId: await rows.item('follow_up_type', 1) }, 'purposeId');
      await refused({ eventId: await rows.item('contact_route', 1) }, 'eventId');
    });

    it('half a coordinate, a negative cost, unknown users, a customer that is not there', async () => {
      await refused({ latitude: 30.5 }, 'longitude');
      await refused({ latitude: 91, longitude: 100 }, 'latitude');
      await refused({ cost: '-1' }, 'cost');
      await refused({ participantIds: [tenant.adminId, '999999999'] }, 'participantIds[1]');
      await refused({ userId: '999999999' }, 'userId');
      await refused({ customerId: '999999999' }, 'customerId', 404);
      await refused({ visitReportId: '999999999' }, 'visitReportId', 404);
      await refused({ attachments: [{ name: 'x' }] }, 'attachments[0]');
      await refused({ attachments: [{ url: 'javascript:alert(1)' }] }, 'attachments[0].url');
      await refused({ attachments: [{ fileId: '999999999' }] }, 'attachments[0].fileId');
    });

    it('nothing is half-written when a later check fails', async () => {
      const before = await h.database.db.selectFrom('follow_up').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      await refused({ attachments: [{ url: 'https://ok.example.com/a' }, { fileId: '999999999' }] }, 'attachments[1].fileId');
      const after = await h.database.db.selectFrom('follow_up').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      expect(after.n).toBe(before.n);
    });
  });

  it('replaces attachments: listed ids kept and changed, new ones added, the rest removed', async () => {
    const customerId = await rows.customer('附件客户');
    const created = await admin.post('/api/v1/follow-ups', {
      customerId,
      attachments: [
        { url: 'https://files.example.com/docs/%E6%8A%A5%E4%BB%B7.pdf', businessCode: 'quote' },
        { name: '合同.docx', url: 'https://files.example.com/c.docx' },
      ],
    });
    expect(created.status).toBe(201);
    const [quote, contract] = created.body.attachments;
    expect(quote).toMatchObject({ name: '报价.pdf', businessCode: 'quote' });
    const updated = await admin.patch(
      `/api/v1/follow-ups/${created.body.id}`,
      { attachments: [{ id: quote.id, name: '报价-v2.pdf' }, { name: '照片.png', url: '/files/photo.png', businessCode: 'photo' }] },
      { 'if-match': created.headers.etag as string },
    );
    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(2);
    expect(updated.body.attachments).toEqual([
      { id: quote.id, name: '报价-v2.pdf', url: quote.url, fileId: null, businessCode: 'quote' },
      { id: expect.any(String), name: '照片.png', url: '/files/photo.png', fileId: null, businessCode: 'photo' },
    ]);
    expect(updated.body.attachments.map((a: any) => a.id)).not.toContain(contract.id);
    // An attachment of another follow-up cannot be claimed.
    const other = await admin.post('/api/v1/follow-ups', { customerId, attachments: [{ url: 'https://x.example.com/y' }] });
    const stolen = await admin.patch(`/api/v1/follow-ups/${created.body.id}`, { attachments: [{ id: other.body.attachments[0].id }] });
    expect(stolen.status).toBe(422);
    expect(stolen.body.errors[0].field).toBe('attachments[0].id');
    // Leaving attachments out keeps them; an empty list removes them all.
    expect((await admin.patch(`/api/v1/follow-ups/${created.body.id}`, { title: '改标题' })).body.attachments).toHaveLength(2);
    expect((await admin.patch(`/api/v1/follow-ups/${created.body.id}`, { attachments: [] })).body.attachments).toEqual([]);
    // A stale ETag is refused.
    const stale = await admin.patch(`/api/v1/follow-ups/${created.body.id}`, { title: 'late' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
  });

  it('validates custom field values against the follow_up definitions', async () => {
    const customerId = await rows.customer('自定义字段客户');
    const field = await h.services.customFields.create(tenant.ctx, 'follow_up', { kind: 'select', label: '意向', options: [{ id: '1', name: '高' }, { id: '2', name: '低' }] });
    const ok = await admin.post('/api/v1/follow-ups', { customerId, customFields: { [field.key]: '1' } });
    expect(ok.status).toBe(201);
    expect(ok.body.customFields).toEqual({ [field.key]: '1' });
    expect(ok.body.customFieldNames).toEqual({ [field.key]: '高' });
    const wrong = await admin.patch(`/api/v1/follow-ups/${ok.body.id}`, { customFields: { [field.key]: '3' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0].field).toBe(`customFields.${field.key}`);
    const unknown = await admin.post('/api/v1/follow-ups', { customerId, customFields: { input_1234567: 'x' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe('customFields.input_1234567');
  });

  it('keeps the last follow-up right under concurrent writes', async () => {
    const customerId = await rows.customer('并发客户');
    const times = Array.from({ length: 8 }, (_, i) => new Date(Date.UTC(2024, 6, 1, 0, 0, (i * 7) % 8)).toISOString());
    const results = await Promise.all(times.map((followedAt, i) => admin.post('/api/v1/follow-ups', { customerId, followedAt, content: `并发${i}` })));
    expect(results.map((r) => r.status)).toEqual(times.map(() => 201));
    const newest = times.indexOf([...times].sort().at(-1)!);
    expect(await lastFollow(customerId)).toMatchObject({ at: '2024-07-01T08:00:07.000+08:00', summary: `并发${newest}` });
    // Delete them all at once: nothing stays behind.
    const deleted = await Promise.all(results.map((r) => admin.delete(`/api/v1/follow-ups/${r.body.id}`)));
    expect(deleted.map((r) => r.status)).toEqual(times.map(() => 204));
    expect(await lastFollow(customerId)).toEqual({ at: null, summary: null, userId: null });
  });

  it('resolves stable dictionary codes for wire formats', async () => {
    const ids = await h.services.followUps.idsForCodes(tenant.ctx, { eventCode: 3, routeCode: 1 });
    expect(ids).toEqual({ eventId: await rows.item('visit_event', 3), routeId: await rows.item('contact_route', 1) });
    await expect(h.services.followUps.idsForCodes(tenant.ctx, { typeCode: 99 })).rejects.toMatchObject({ kind: 'invalid', details: { fields: [{ field: 'typeCode' }] } });
  });

  describe('data scope and tenants', () => {
    let alice: { user: { id: string }; token: string };
    let bob: { user: { id: string }; token: string };
    let aliceFollowUp: string;
    let aliceCustomer: string;
    beforeAll(async () => {
      alice = await makeUser(h, tenant, { role: 'sales' });
      bob = await makeUser(h, tenant, { role: 'sales' });
      aliceCustomer = await rows.customer('Alice 的客户', alice.user.id);
      const res = await client(h.app, alice.token).post('/api/v1/follow-ups', { customerId: aliceCustomer, content: 'alice 的跟进' });
      expect(res.status).toBe(201);
      aliceFollowUp = res.body.id;
    });

    it("a sales user does not see another sales user's customer's follow-ups", async () => {
      const api = client(h.app, bob.token);
      expect((await api.get(`/api/v1/follow-ups/${aliceFollowUp}`)).status).toBe(404);
      expect((await api.patch(`/api/v1/follow-ups/${aliceFollowUp}`, { content: 'bob' })).status).toBe(404);
      expect((await api.delete(`/api/v1/follow-ups/${aliceFollowUp}`)).status).toBe(404);
      expect((await api.get(`/api/v1/customers/${aliceCustomer}/follow-ups`)).status).toBe(404);
      const write = await api.post('/api/v1/follow-ups', { customerId: aliceCustomer, content: 'bob' });
      expect(write.status).toBe(404);
      expect(write.body.errors[0].field).toBe('customerId');
      const list = await api.get('/api/v1/follow-ups?withTotal=true');
      expect(list.body.items.map((f: any) => f.id)).not.toContain(aliceFollowUp);
      expect(list.body.total).toBe(0);
    });

    it('the owner and the admin see them', async () => {
      const mine = await client(h.app, alice.token).get(`/api/v1/customers/${aliceCustomer}/follow-ups`);
      expect(mine.body.items.map((f: any) => f.id)).toEqual([aliceFollowUp]);
      expect((await admin.get(`/api/v1/follow-ups/${aliceFollowUp}`)).status).toBe(200);
      expect((await admin.get(`/api/v1/follow-ups?userId=${alice.user.id}`)).body.items.map((f: any) => f.id)).toEqual([aliceFollowUp]);
    });

    it("a customer's list is empty without follow-ups, and 404 once the customer is deleted", async () => {
      const api = client(h.app, alice.token);
      const quiet = await rows.customer('还没跟进的客户', alice.user.id);
      expect(await api.get(`/api/v1/customers/${quiet}/follow-ups`)).toMatchObject({ status: 200, body: { items: [], nextCursor: null } });
      const gone = await rows.customer('将删除的客户', alice.user.id);
      expect((await api.post('/api/v1/follow-ups', { customerId: gone, content: '删除前的跟进' })).status).toBe(201);
      expect((await api.get(`/api/v1/customers/${gone}/follow-ups`)).body.items).toHaveLength(1);
      expect((await admin.delete(`/api/v1/customers/${gone}`)).status).toBe(204);
      expect((await api.get(`/api/v1/customers/${gone}/follow-ups`)).status).toBe(404);
    });

    it("another tenant's ids answer 404", async () => {
      const other = await makeTenant(h);
      const api = client(h.app, other.adminToken);
      expect((await api.get(`/api/v1/follow-ups/${aliceFollowUp}`)).status).toBe(404);
      expect((await api.patch(`/api/v1/follow-ups/${aliceFollowUp}`, { content: 'x' })).status).toBe(404);
      expect((await api.delete(`/api/v1/follow-ups/${aliceFollowUp}`)).status).toBe(404);
      expect((await api.post('/api/v1/follow-ups', { customerId: aliceCustomer, content: 'x' })).status).toBe(404);
      expect((await api.get('/api/v1/follow-ups')).body.items).toEqual([]);
    });
  });

  it('walks every page once while follow-ups are written between pages', async () => {
    const customerId = await rows.customer('分页客户');
    const expected: string[] = [];
    for (let i = 0; i < 12; i++) {
      // Pairs share a time, so the id decides their order.
      const res = await admin.post('/api/v1/follow-ups', { customerId, content: `第${i}条`, followedAt: new Date(Date.UTC(2023, 0, 1 + Math.floor(i / 2))).toISOString() });
      expect(res.status).toBe(201);
      expected.push(res.body.id);
    }
    // The oldest three differ only in microseconds, which a JavaScript Date cannot hold.
    for (const micros of ['000001', '000002', '000003']) {
      const row = await h.database.db
        .insertInto('follow_up')
        .values({ tenant_id: tenant.id, customer_id: customerId, user_id: tenant.adminId, followed_at: sql`${`2022-12-31 23:59:59.${micros}+00`}::timestamptz` as never, content: micros, content_text: micros })
        .returning('id')
        .executeTakeFirstOrThrow();
      expected.push(row.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/customers/${customerId}/follow-ups?limit=4${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await admin.get(url);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((f: any) => f.id));
      cursor = page.body.nextCursor;
      // Newer follow-ups arrive while the client pages; they sort before the cursor.
      await admin.post('/api/v1/follow-ups', { customerId, content: '新来的', followedAt: new Date(Date.UTC(2030, 0, 1 + pages)).toISOString() });
      pages++;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...expected].sort());
    expect(pages).toBe(4);
    // Oldest three are the microsecond rows, newest first among them.
    expect(seen.slice(-3)).toEqual(expected.slice(-3).reverse());
    const total = await admin.get(`/api/v1/customers/${customerId}/follow-ups?withTotal=true&limit=1`);
    expect(total.body.total).toBe(15 + pages);
    expect((await admin.get('/api/v1/follow-ups?cursor=not-a-cursor')).status).toBe(422);
  });
});
