import { beforeAll, describe, expect, it } from 'vitest';
import { client, fixedClock, makeTenant, setupHarness, type Harness, type TestTenant } from '../helpers/harness.ts';
import { dictionaryItem } from '../helpers/crm.ts';
import { adminContext, customerWithContacts, person, recordClient, report, type Send } from './api-record/fixtures.ts';

/**
 * One follow-up, many APIs: written through seed 001 (`/api/record/follow`), read and changed
 * through the native API and seed 000 (`/api/CRM/UpdateFollowUp`), and the other way round.
 */
describe('a follow-up across the native API, seed 000 and seed 001', () => {
  let h: Harness;
  let tenant: TestTenant;
  let record: Send;
  let native: ReturnType<typeof client>;
  let customer: Awaited<ReturnType<typeof customerWithContacts>>;
  let reportId: string;
  let helper: string;

  /** Seed 000's update, as JSON. */
  const updateFollowUp = async (body: Record<string, unknown>) => {
    const res = await h.app.inject({ method: 'POST', url: '/api/CRM/UpdateFollowUp', headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const readNative = async (id: string | number) => {
    const res = await native.get(`/api/v1/follow-ups/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const readRecord = async (id: string | number, protentId = reportId) => {
    const res = await record('GET', `/api/record/follow?protent_id=${protentId}&count=100`);
    expect(res.body.status).toBe(0);
    return res.body.data.find((f: { id: number }) => String(f.id) === String(id));
  };

  beforeAll(async () => {
    h = await setupHarness({ clock: fixedClock('2026-03-31T13:00:00Z') });
    tenant = await makeTenant(h);
    record = recordClient(h, tenant.adminToken);
    native = client(h.app, tenant.adminToken);
    customer = await customerWithContacts(h, tenant);
    reportId = (await report(h, tenant, '2026-03-31T02:00:00Z')).id;
    helper = (await person(h, tenant, '张协作', 'sales')).user.id;
  });

  it('created through 001, read natively and through 000, updated through 000, read back through 001', async () => {
    const created = await record('POST', '/api/record/follow', {
      body: {
        protent_id: reportId,
        customers_id: customer.contactIds,
        follower_id: [helper],
        record_time: '2026-03-31 10:00:00',
        event: 3,
        gain: '电话确认需求',
        event_attach: 'https://files.example.com/note.png',
        event_note: '下周再约',
        cost: '88.80',
        cost_note: '话费',
      },
    });
    expect(created.body).toMatchObject({ status: 0, msg: '创建成功' });
    const id = String(created.body.data.id);

    const natively = await readNative(id);
    expect(natively).toMatchObject({
      customerId: customer.customer.id,
      contactIds: customer.contactIds,
      participantIds: [helper],
      followedAt: '2026-03-31T10:00:00.000+08:00',
      event: { code: 3, name: '电话拜访' },
      content: '电话确认需求',
      note: '下周再约',
      cost: '88.80',
      costNote: '话费',
      visitReportId: reportId,
      attachments: [{ url: 'https://files.example.com/note.png' }],
    });

    // Seed 000 with only the Id changes nothing and answers the record as it stands.
    const seen = await updateFollowUp({ Id: Number(id) });
    expect(seen).toMatchObject({ IsSuccess: true, Code: '000000' });
    expect(seen.Data).toMatchObject({ Id: Number(id), CustomerId: Number(customer.customer.id), FResult: '电话确认需求', FollowDate: '2026-03-31 10:00:00' });
    expect(seen.Data.File.map((f: { AttachUrl: string }) => f.AttachUrl)).toEqual(['https://files.example.com/note.png']);

    const phone = await dictionaryItem(h, tenant.ctx, 'follow_up_type', 1);
    const updated = await updateFollowUp({
      Id: Number(id),
      CustomerId: Number(customer.customer.id),
      CustomerName: 'ignored',
      EmployeeId: Number(tenant.adminId),
      FtypeId: phone.code,
      FResult: '<p>已报价</p>',
      FSite: '客户办公室',
      FollowDate: '2026-03-31 21:49:35',
      File: [{ Id: seen.Data.File[0].Id, BusinessCode: 'photo', AttachName: 'note.png', AttachUrl: 'https://files.example.com/note.png' }],
    });
    expect(updated).toMatchObject({ IsSuccess: true, Code: '000000' });

    expect(await readNative(id)).toMatchObject({
      content: '<p>已报价</p>',
      site: '客户办公室',
      type: { code: 1 },
      followedAt: '2026-03-31T21:49:35.000+08:00',
      event: { code: 3 },
      note: '下周再约',
      cost: '88.80',
      participantIds: [helper],
      contactIds: customer.contactIds,
      visitReportId: reportId,
    });
    expect(await readRecord(id)).toMatchObject({
      gain: '<p>已报价</p>',
      record_time: '2026-03-31 21:49:35',
      event: 3,
      event_note: '下周再约',
      cost: 88.8,
      cost_note: '话费',
      event_attach: 'https://files.example.com/note.png',
      customers_id: customer.contactIds.map(Number),
      follower_id: [Number(helper)],
    });
  });

  it('created natively, updated through 001 and through 000, read back natively and through 001', async () => {
    const admin = await adminContext(h, tenant);
    const visit = await dictionaryItem(h, admin, 'visit_event', 2);
    const created = await native.post('/api/v1/follow-ups', {
      customerId: customer.customer.id,
      contactIds: [customer.contactIds[0]],
      eventId: visit.id,
      title: '原生标题',
      content: '原生内容',
      site: '园区',
      followedAt: '2026-03-30T09:00:00+08:00',
      cost: '10.00',
      visitReportId: reportId,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(await readRecord(id)).toMatchObject({ gain: '原生内容', event: 2, cost: 10, record_time: '2026-03-30 09:00:00', customers_id: [Number(customer.contactIds[0])] });

    const res = await record('POST', '/api/record/follow', { form: `follow_id=${id}&customers_id[]=${customer.contactIds[1]}&follower_id[]=${helper}&event=4&gain=${encodeURIComponent('签约完成')}&cost=1999.99&record_time=2026-03-30%2016:00:00` });
    expect(res.body).toMatchObject({ status: 0, msg: '修改成功' });
    expect(await readNative(id)).toMatchObject({
      title: '原生标题',
      site: '园区',
      content: '签约完成',
      event: { code: 4, name: '签约' },
      cost: '1999.99',
      contactIds: [customer.contactIds[1]],
      participantIds: [helper],
      followedAt: '2026-03-30T16:00:00.000+08:00',
      version: 2,
    });

    const viaCrm = await updateFollowUp({ Id: Number(id), FSite: '会议室' });
    expect(viaCrm).toMatchObject({ IsSuccess: true, Code: '000000', Data: { FResult: '签约完成', FSite: '会议室', FollowDate: '2026-03-30 16:00:00' } });
    expect(await readNative(id)).toMatchObject({ site: '会议室', content: '签约完成', event: { code: 4 }, cost: '1999.99', version: 3 });
    expect(await readRecord(id)).toMatchObject({ gain: '签约完成', event: 4, cost: 1999.99, follower_id: [Number(helper)] });
  });

  it("refuses through 001 and 000 alike another tenant's follow-up", async () => {
    const other = await makeTenant(h);
    const theirCustomer = await customerWithContacts(h, other);
    const theirs = await client(h.app, other.adminToken).post('/api/v1/follow-ups', { customerId: theirCustomer.customer.id, content: '别人的' });
    expect(theirs.status).toBe(201);
    expect((await record('POST', '/api/record/follow', { body: { follow_id: theirs.body.id, gain: 'x' } })).body.msg).toMatch(/^follow_id: 记录不存在/);
    expect(await updateFollowUp({ Id: Number(theirs.body.id), FResult: 'x' })).toMatchObject({ IsSuccess: false, Code: '000001' });
    expect((await client(h.app, other.adminToken).get(`/api/v1/follow-ups/${theirs.body.id}`)).body.content).toBe('别人的');
  });
});
