import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCustomer } from '../../helpers/crm.ts';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { crmRows } from '../../crm/follow-ups.factory.ts';
import { makeFollowUp, post, postJson } from './crm.helpers.ts';

/** What an update changes, read back through the native API. */
describe('api-crm: update semantics', () => {
  let h: Harness;
  let tenant: TestTenant;
  let native: ReturnType<typeof client>;
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h, { timezone: 'Asia/Shanghai' });
    native = client(h.app, tenant.adminToken);
  });

  const update = (body: unknown) => postJson(h, tenant.adminToken, body);

  it('keeps, changes, adds and removes attachments as File lists them', async () => {
    const { ids } = await makeFollowUp(h, tenant);
    const [a1] = ids.attachmentIds;
    const res = await update({ Id: ids.id, File: [{ Id: a1, AttachName: '改名.jpg' }, { AttachUrl: 'https://files.example.com/c.png', BusinessCode: 'new' }] });
    expect(res.json.Code).toBe('000000');
    const after = await native.get(`/api/v1/follow-ups/${ids.id}`);
    expect(after.body.attachments).toEqual([
      { id: a1, name: '改名.jpg', url: 'https://files.example.com/a.jpg', fileId: null, businessCode: 'photo' },
      { id: expect.any(String), name: 'c.png', url: 'https://files.example.com/c.png', fileId: null, businessCode: 'new' },
    ]);
    expect(res.json.Data.File.map((f: { AttachName: string }) => f.AttachName)).toEqual(['改名.jpg', 'c.png']);
  });

  it('leaves attachments alone when File is absent or null, and removes them all for an empty list', async () => {
    const { ids } = await makeFollowUp(h, tenant);
    await update({ Id: ids.id, FResult: 'a' });
    await update({ Id: ids.id, File: null });
    expect((await native.get(`/api/v1/follow-ups/${ids.id}`)).body.attachments).toHaveLength(2);
    await update({ Id: ids.id, File: [] });
    expect((await native.get(`/api/v1/follow-ups/${ids.id}`)).body.attachments).toEqual([]);
  });

  it('changes only what the body gives; 0 ids and DateTime.MinValue count as not given', async () => {
    const { ids } = await makeFollowUp(h, tenant);
    const before = (await native.get(`/api/v1/follow-ups/${ids.id}`)).body;
    const res = await update({ Id: ids.id, CustomerId: 0, EmployeeId: 0, FtypeId: 0, FollowDate: '0001-01-01T00:00:00', FSite: '光谷' });
    expect(res.json.Code).toBe('000000');
    const after = (await native.get(`/api/v1/follow-ups/${ids.id}`)).body;
    expect(after).toMatchObject({ customerId: before.customerId, userId: before.userId, typeId: before.typeId, followedAt: before.followedAt, content: before.content, site: '光谷' });
    expect(res.json.Data).toMatchObject({ FtypeId: 0, FtypeName: '' });
  });

  it('sets the user who followed up and the type by its code; keys match case-insensitively', async () => {
    const { ids } = await makeFollowUp(h, tenant);
    const { user } = await makeUser(h, tenant);
    const res = await update({ id: ids.id, employeeid: user.id, FTYPEID: 2, fresult: '<p>上门</p>' });
    expect(res.json.Data).toMatchObject({ EmployeeId: Number(user.id), EmployeeName: user.name, FtypeId: 2, FtypeName: '上门拜访', FResult: '<p>上门</p>' });
    expect((await native.get(`/api/v1/follow-ups/${ids.id}`)).body).toMatchObject({ userId: user.id, type: { code: 2 }, content: '<p>上门</p>' });
  });

  it('reads FollowDate in the tenant zone, ISO 8601 with an offset or Z, and /Date(ms)/', async () => {
    const { ids } = await makeFollowUp(h, tenant);
    const cases: [string, string][] = [
      ['2026-03-31 21:49:35', '2026-03-31T21:49:35.000+08:00'],
      ['2026-03-31T21:49:35', '2026-03-31T21:49:35.000+08:00'],
      ['2026-03-31', '2026-03-31T00:00:00.000+08:00'],
      ['2026-03-31T13:49:35.5573666Z', '2026-03-31T21:49:35.557+08:00'],
      ['2026-03-31T21:49:35-05:00', '2026-04-01T10:49:35.000+08:00'],
      ['/Date(1774964975000+0800)/', '2026-03-31T21:49:35.000+08:00'],
    ];
    for (const [sent, stored] of cases) {
      expect((await update({ Id: ids.id, FollowDate: sent })).json.Code, sent).toBe('000000');
      expect((await native.get(`/api/v1/follow-ups/${ids.id}`)).body.followedAt, sent).toBe(stored);
    }
  });

  it("moves a follow-up to another customer, dropping the old customer's contacts and opportunity", async () => {
    const rows = crmRows(h, tenant);
    const { ids, customer } = await makeFollowUp(h, tenant);
    const contactId = await rows.contact(customer.id);
    const opportunityId = await rows.opportunity(customer.id);
    await native.patch(`/api/v1/follow-ups/${ids.id}`, { contactIds: [contactId], opportunityId });
    const target = await makeCustomer(h, tenant.ctx, { name: '新客户' });
    const res = await update({ Id: ids.id, CustomerId: target.id, CustomerName: '随便写' });
    expect(res.json.Data).toMatchObject({ CustomerId: Number(target.id), CustomerName: '新客户' });
    expect((await native.get(`/api/v1/follow-ups/${ids.id}`)).body).toMatchObject({ customerId: target.id, contactIds: [], opportunityId: null });
    expect((await native.get(`/api/v1/customers/${target.id}`)).body.lastFollowAt).not.toBeNull();
  });

  it('is editable again through the native API after an update here, and the audit log names this API', async () => {
    const { ids } = await makeFollowUp(h, tenant);
    await update({ Id: ids.id, FResult: '从 000 修改' });
    const got = await native.get(`/api/v1/follow-ups/${ids.id}`);
    const patched = await native.patch(`/api/v1/follow-ups/${ids.id}`, { content: '原生再改' }, { 'if-match': got.headers.etag as string });
    expect(patched.status).toBe(200);
    const entries = await h.database.db
      .selectFrom('audit_log')
      .select(['api'])
      .where('tenant_id', '=', tenant.id)
      .where('entity', '=', 'follow_up')
      .where('entity_id', '=', ids.id)
      .where('action', '=', 'update')
      .orderBy('id')
      .execute();
    expect(entries.map((e) => e.api)).toEqual(['api-crm', 'native']);
  });

  it('writes int64 ids with every digit', async () => {
    const big = '9007199254740993';
    await sql`ALTER TABLE follow_up ALTER COLUMN id RESTART WITH ${sql.raw(big)}`.execute(h.database.db);
    await sql`ALTER TABLE follow_up_attachment ALTER COLUMN id RESTART WITH ${sql.raw(big)}`.execute(h.database.db);
    const { ids } = await makeFollowUp(h, tenant);
    expect(ids.id).toBe(big);
    const res = await post(h, { body: `{"Id": ${big}, "File": [{"Id": ${ids.attachmentIds[1]}}]}`, type: 'application/json', token: tenant.adminToken });
    expect(res.text).toContain(`"Id":${big},`);
    expect(res.text).toContain(`"File":[{"Id":${ids.attachmentIds[1]},`);
    expect((await native.get(`/api/v1/follow-ups/${big}`)).body.attachments.map((a: { id: string }) => a.id)).toEqual([ids.attachmentIds[1]]);
  });
});
