import { beforeAll, describe, expect, it } from 'vitest';
import { makeMember } from '../../helpers/crm.ts';
import { makeTenant, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { makeFollowUp, post, postJson, sampleJson, type SampleIds, UPDATE_URL, xmlShape } from './crm.helpers.ts';

/** Auth, body formats, size limit and routing: every answer is an InfoResult. */
describe('api-crm: auth, bodies and routes', () => {
  const LIMIT = 64 * 1024;
  let h: Harness;
  let tenant: TestTenant;
  let ids: SampleIds;
  beforeAll(async () => {
    h = await setupHarness({ bodyLimit: LIMIT });
    tenant = await makeTenant(h);
    ({ ids } = await makeFollowUp(h, tenant));
  });

  describe('auth', () => {
    it('answers 000002 without a token, before reading the body', async () => {
      const res = await post(h, { body: '{not json', type: 'application/json' });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ Data: {}, IsSuccess: false, Msg: expect.stringMatching(/^未登录：/), Extra: 'missing_token', Code: '000002' });
    });

    it('answers 000002 to a bad token, in XML when asked', async () => {
      const res = await post(h, { body: sampleJson(ids), type: 'application/json', token: 'nope', accept: 'text/xml' });
      expect(res.status).toBe(200);
      const shape = xmlShape(res.text);
      expect(shape.children.map((c) => [c.name, c.text])).toEqual([
        ['Code', '000002'],
        ['Extra', 'invalid_token'],
        ['IsSuccess', 'false'],
        ['Msg', '未登录：token 无效'],
        ['Data', ''],
      ]);
    });

    it('answers 000002 to a revoked token and to a disabled account', async () => {
      const member = await makeMember(h, tenant, { role: 'admin' });
      const token = await h.services.auth.createToken(tenant.ctx, { name: 'soon revoked', userId: member.user.id });
      await h.services.auth.revokeToken(tenant.ctx, token.info.id);
      expect((await postJson(h, token.token, { Id: ids.id })).json).toMatchObject({ Code: '000002', Msg: '未登录：token 已被撤销' });
      await h.services.users.update(tenant.ctx, member.user.id, { status: 'disabled' });
      expect((await postJson(h, member.token, { Id: ids.id })).json).toMatchObject({ Code: '000002', Msg: '未授权：账号已停用' });
    });
  });

  describe('bodies', () => {
    it('names the problem in a malformed JSON body', async () => {
      const res = await post(h, { body: '{"Id": 1,', type: 'application/json', token: tenant.adminToken });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ Code: '000001', Extra: 'malformed_json', Msg: expect.stringMatching(/^请求体不是合法的 JSON：/) });
      expect((await post(h, { body: '[1]', type: 'text/json', token: tenant.adminToken })).json.Msg).toBe('请求体必须是 JSON 对象 FollowUpRecordDto');
      expect((await post(h, { body: '', type: 'application/json', token: tenant.adminToken })).json.Msg).toBe('请求体为空');
    });

    it('names the problem in malformed XML, in XML', async () => {
      const res = await post(h, { body: '<FollowUpRecordDto><Id>1</Id>', type: 'application/xml', token: tenant.adminToken });
      expect(res.status).toBe(200);
      const shape = xmlShape(res.text);
      expect(shape.children.find((c) => c.name === 'Msg')!.text).toMatch(/^请求体不是可接受的 XML：/);
      const wrongRoot = await post(h, { body: '<Record xmlns="urn:x"><Id>1</Id></Record>', type: 'text/xml', token: tenant.adminToken, accept: 'application/json' });
      expect(wrongRoot.json.Msg).toBe('请求体的根元素必须是命名空间 http://schemas.datacontract.org/2004/07/CMS.Domain.Dto 中的 FollowUpRecordDto');
      const unknownEntity = await post(h, { body: '<FollowUpRecordDto><Id>&x;</Id></FollowUpRecordDto>', type: 'text/xml', token: tenant.adminToken, accept: 'application/json' });
      expect(unknownEntity.json).toMatchObject({ Code: '000001', Extra: 'xml_dtd_refused' });
    });

    it('reads XML nil, entities and CDATA as DataContract does', async () => {
      const body = `<FollowUpRecordDto xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/CMS.Domain.Dto">
        <FResult><![CDATA[<p>A & B</p>]]></FResult><FSite>光谷 &amp; &#x4E2D;心</FSite><File i:nil="true"/><Id>${ids.id}</Id></FollowUpRecordDto>`;
      const res = await post(h, { body, type: 'application/xml', token: tenant.adminToken, accept: 'application/json' });
      expect(res.json).toMatchObject({ Code: '000000', Data: { FResult: '<p>A & B</p>', FSite: '光谷 & 中心' } });
      expect(res.json.Data.File).toHaveLength(2);
      const bare = await post(h, { body: `<FollowUpRecordDto><FSite>无命名空间</FSite><Id>${ids.id}</Id></FollowUpRecordDto>`, type: 'text/xml', token: tenant.adminToken, accept: 'application/json' });
      expect(bare.json).toMatchObject({ Code: '000000', Data: { FSite: '无命名空间' } });
    });

    it('refuses a form File field written without an index', async () => {
      const res = await post(h, { body: `Id=${ids.id}&File=a.jpg`, type: 'application/x-www-form-urlencoded', token: tenant.adminToken });
      expect(res.json).toMatchObject({ Code: '000001', Msg: 'File：表单中 File 写作 File[0].AttachUrl=… 这样的字段' });
    });

    it('answers 415 with an InfoResult to a format the seed does not list', async () => {
      const res = await post(h, { body: 'Id=1', type: 'text/plain', token: tenant.adminToken });
      expect(res.status).toBe(415);
      expect(res.json).toMatchObject({ Code: '000001', IsSuccess: false, Extra: 'unsupported_media_type' });
    });

    it('answers 413 with an InfoResult, in the requested format, to a body over the limit', async () => {
      const big = JSON.stringify({ Id: ids.id, FResult: 'x'.repeat(LIMIT) });
      const res = await post(h, { body: big, type: 'application/json', token: tenant.adminToken });
      expect(res.status).toBe(413);
      expect(res.json).toEqual({ Data: {}, IsSuccess: false, Msg: `请求体超过 ${LIMIT} 字节的大小限制`, Extra: 'body_too_large', Code: '000001' });
      const xml = await post(h, { body: `<FollowUpRecordDto><FResult>${'x'.repeat(LIMIT)}</FResult></FollowUpRecordDto>`, type: 'text/xml', token: tenant.adminToken });
      expect(res.status).toBe(413);
      expect(xmlShape(xml.text).children.find((c) => c.name === 'Code')!.text).toBe('000001');
    });
  });

  describe('routes', () => {
    it('answers an unknown route under /api/crm/ with an InfoResult 404, token or not', async () => {
      const res = await h.app.inject({ method: 'POST', url: '/api/CRM/DeleteFollowUp', payload: {} });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ Data: {}, IsSuccess: false, Msg: '找不到与请求 URI“/api/CRM/DeleteFollowUp”匹配的 HTTP 资源', Extra: 'route_not_found', Code: '000001' });
    });

    it('answers another method on the route with 405 and Allow: POST', async () => {
      const res = await h.app.inject({ method: 'GET', url: `${UPDATE_URL}?token=${tenant.adminToken}`, headers: { accept: 'application/xml' } });
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(xmlShape(res.body).children.find((c) => c.name === 'Msg')!.text).toBe('请求的资源不支持 http 方法“GET”');
    });

    it('leaves the native API its own errors', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/api/v1/nothing' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    });
  });
});
