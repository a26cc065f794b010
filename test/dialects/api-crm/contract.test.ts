import { beforeAll, describe, expect, it } from 'vitest';
import { client, makeTenant, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import {
  makeFollowUp,
  post,
  SAMPLE_RESPONSE_JSON,
  SAMPLE_RESPONSE_XML,
  sampleForm,
  sampleJson,
  sampleXml,
  type SampleIds,
  xmlShape,
  type XmlShape,
} from './crm.helpers.ts';

const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
const DTO = 'http://schemas.datacontract.org/2004/07/CMS.Domain.Dto';
const SHARE = 'http://schemas.datacontract.org/2004/07/CMS.Core.ShareData';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

describe('api-crm: the seed samples', () => {
  let h: Harness;
  let tenant: TestTenant;
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
  });

  /** The answer carries the seed's fields with the same JSON types, and the record as Data. */
  function expectSampleAnswer(body: Record<string, unknown>, ids: SampleIds) {
    expect(Object.keys(body)).toEqual(Object.keys(SAMPLE_RESPONSE_JSON));
    for (const [key, value] of Object.entries(SAMPLE_RESPONSE_JSON)) expect(typeOf(body[key]), key).toBe(typeOf(value));
    expect(body).toMatchObject({ IsSuccess: true, Code: '000000', Msg: '修改成功', Extra: '' });
    expect(body.Data).toEqual({
      Id: Number(ids.id),
      CustomerId: Number(ids.customerId),
      CustomerName: expect.any(String),
      EmployeeId: Number(ids.employeeId),
      EmployeeName: expect.any(String),
      FtypeId: 1,
      FtypeName: '电话',
      FResult: 'sample string 5',
      FSite: 'sample string 6',
      FollowDate: '2026-03-31 21:49:35',
      File: ids.attachmentIds.map((id) => ({ Id: Number(id), BusinessCode: 'sample string 2', AttachName: 'sample string 3', AttachUrl: 'sample string 4' })),
    });
  }

  async function expectStored(ids: SampleIds, followedAt: string) {
    const native = await client(h.app, tenant.adminToken).get(`/api/v1/follow-ups/${ids.id}`);
    expect(native.status).toBe(200);
    expect(native.body).toMatchObject({
      id: ids.id,
      customerId: ids.customerId,
      userId: ids.employeeId,
      type: { code: 1, name: '电话' },
      content: 'sample string 5',
      site: 'sample string 6',
      followedAt,
      attachments: ids.attachmentIds.map((id) => ({ id, name: 'sample string 3', url: 'sample string 4', businessCode: 'sample string 2' })),
    });
  }

  for (const type of ['application/json', 'text/json']) {
    it(`takes the JSON sample verbatim as ${type} and answers the seed's InfoResult`, async () => {
      const { ids } = await makeFollowUp(h, tenant);
      const res = await post(h, { body: sampleJson(ids), type, token: tenant.adminToken });
      expect(res.status).toBe(200);
      expect(res.type).toBe('application/json; charset=utf-8');
      expectSampleAnswer(res.json, ids);
      await expectStored(ids, '2026-03-31T21:49:35.000+08:00');
    });
  }

  for (const type of ['application/xml', 'text/xml']) {
    it(`takes the XML sample verbatim as ${type}; JSON answer when Accept asks for JSON`, async () => {
      const { ids } = await makeFollowUp(h, tenant);
      const res = await post(h, { body: sampleXml(ids), type, token: tenant.adminToken, accept: 'application/json' });
      expect(res.status).toBe(200);
      expectSampleAnswer(res.json, ids);
      await expectStored(ids, '2026-03-31T21:49:35.557+08:00');
    });
  }

  it('takes the record as a model-binding form', async () => {
    const { ids } = await makeFollowUp(h, tenant);
    const res = await post(h, { body: sampleForm(ids), type: 'application/x-www-form-urlencoded', token: tenant.adminToken });
    expect(res.status).toBe(200);
    expectSampleAnswer(res.json, ids);
    await expectStored(ids, '2026-03-31T21:49:35.000+08:00');
  });

  /** Elements only: names and order, then namespaces, compared with the seed's sample answer. */
  const names = (shape: XmlShape) => shape.children.map((c) => c.name);

  for (const accept of ['application/xml', 'text/xml']) {
    it(`answers DataContract XML when Accept is ${accept}, with the seed's element names, order and namespaces`, async () => {
      const { ids } = await makeFollowUp(h, tenant);
      const res = await post(h, { body: sampleJson(ids), type: 'application/json', token: tenant.adminToken, accept });
      expect(res.status).toBe(200);
      expect(res.type).toBe(`${accept}; charset=utf-8`);
      const got = xmlShape(res.text);
      const sample = xmlShape(SAMPLE_RESPONSE_XML);
      expect(got.name).toBe(sample.name);
      expect(got.attributes).toEqual(sample.attributes);
      expect(got.attributes).toEqual({ 'xmlns:i': XSI, xmlns: SHARE });
      expect(names(got)).toEqual(names(sample));
      const field = (name: string) => got.children.find((c) => c.name === name)!;
      expect([field('Code').text, field('Extra').text, field('IsSuccess').text, field('Msg').text]).toEqual(['000000', '', 'true', '修改成功']);
      // Data holds a FollowUpRecordDto as DataContractSerializer writes an object-typed member.
      const data = field('Data');
      expect(data.attributes).toEqual({ 'xmlns:d2p1': DTO, 'i:type': 'd2p1:FollowUpRecordDto' });
      const dtoOrder = ['CustomerId', 'CustomerName', 'EmployeeId', 'EmployeeName', 'FResult', 'FSite', 'File', 'FollowDate', 'FtypeId', 'FtypeName', 'Id'];
      expect(names(data)).toEqual(dtoOrder.map((n) => `d2p1:${n}`));
      const value = (name: string) => data.children.find((c) => c.name === `d2p1:${name}`)!.text;
      expect(value('Id')).toBe(ids.id);
      expect(value('CustomerId')).toBe(ids.customerId);
      expect(value('FollowDate')).toBe('2026-03-31T21:49:35.000+08:00');
      const files = data.children.find((c) => c.name === 'd2p1:File')!.children;
      expect(files.map((f) => f.name)).toEqual(['d2p1:AttachmentInfo', 'd2p1:AttachmentInfo']);
      expect(names(files[0]!)).toEqual(['d2p1:AttachName', 'd2p1:AttachUrl', 'd2p1:BusinessCode', 'd2p1:Id']);
      expect(files.map((f) => f.children.at(-1)!.text)).toEqual(ids.attachmentIds);
    });
  }

  it('answers XML to an XML body that asks for no format, and JSON when Accept prefers it by quality', async () => {
    const { ids } = await makeFollowUp(h, tenant);
    const xml = await post(h, { body: sampleXml(ids), type: 'text/xml', token: tenant.adminToken });
    expect(xml.type).toBe('text/xml; charset=utf-8');
    expect(xmlShape(xml.text).name).toBe('InfoResult');
    const json = await post(h, { body: sampleXml(ids), type: 'application/xml', token: tenant.adminToken, accept: 'application/xml;q=0.5, application/json' });
    expect(json.type).toBe('application/json; charset=utf-8');
  });

  it('matches the route in any case and takes the token from a header or the query', async () => {
    const { ids } = await makeFollowUp(h, tenant);
    const viaHeader = await post(h, { body: sampleJson(ids), type: 'application/json', url: '/API/crm/updateFOLLOWUP', headers: { token: tenant.adminToken } });
    expect(viaHeader.json).toMatchObject({ Code: '000000' });
    const viaQuery = await post(h, { body: sampleJson(ids), type: 'application/json', url: `/api/crm/UpdateFollowUp?token=${tenant.adminToken}` });
    expect(viaQuery.json).toMatchObject({ Code: '000000' });
    const withSlashAndCharset = await post(h, { body: sampleJson(ids), type: 'application/json; charset=utf-8', url: '/api/crm/updatefollowup/', token: tenant.adminToken });
    expect(withSlashAndCharset.json).toMatchObject({ Code: '000000' });
  });
});
