import { beforeAll, describe, expect, it } from 'vitest';
import { makeCustomer, makeMember } from '../../helpers/crm.ts';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { makeFollowUp, postJson, type SampleIds } from './crm.helpers.ts';

/** Every refusal is a 200 InfoResult with Code 000001 naming the field in the seed's spelling. */
describe('api-crm: validation, not found and other tenants', () => {
  let h: Harness;
  let tenant: TestTenant;
  let other: TestTenant;
  let ids: SampleIds;
  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    other = await makeTenant(h);
    ({ ids } = await makeFollowUp(h, tenant));
  });

  const send = (body: unknown, token = tenant.adminToken) => postJson(h, token, body);

  async function expectFailure(body: unknown, msg: string | RegExp, extra?: string) {
    const res = await send(body);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ Data: {}, IsSuccess: false, Code: '000001' });
    if (typeof msg === 'string') expect(res.json.Msg).toBe(msg);
    else expect(res.json.Msg).toMatch(msg);
    if (extra) expect(res.json.Extra).toBe(extra);
    return res.json;
  }

  const cases: [string, () => unknown, string][] = [
    ['Id missing', () => ({ FResult: 'x' }), 'Id：不能为空'],
    ['Id 0 (an unset .NET long)', () => ({ Id: 0, FResult: 'x' }), 'Id：不能为空'],
    ['Id not digits', () => ({ Id: 'abc' }), 'Id：必须是整数'],
    ['Id a decimal', () => ({ Id: 1.5 }), 'Id：必须是整数'],
    ['Id a boolean', () => ({ Id: true }), 'Id：必须是整数'],
    ['Id beyond int64', () => ({ Id: 9223372036854775808 }), 'Id：必须是不超过 9223372036854775807 的正整数'],
    ['CustomerId negative', () => ({ Id: ids.id, CustomerId: -4 }), 'CustomerId：必须是整数'],
    ['EmployeeId an object', () => ({ Id: ids.id, EmployeeId: {} }), 'EmployeeId：必须是整数'],
    ['FtypeId not a code', () => ({ Id: ids.id, FtypeId: 999 }), 'FtypeId：999 不是跟进类型代码'],
    ['FtypeId beyond int32', () => ({ Id: ids.id, FtypeId: 99999999999 }), 'FtypeId：99999999999 不是跟进类型代码'],
    ['FResult not text', () => ({ Id: ids.id, FResult: ['a'] }), 'FResult：必须是字符串'],
    ['FResult too long', () => ({ Id: ids.id, FResult: 'x'.repeat(100_001) }), 'FResult：不能超过 100000 个字符'],
    ['FSite too long', () => ({ Id: ids.id, FSite: '路'.repeat(501) }), 'FSite：不能超过 500 个字符'],
    ['CustomerName too long', () => ({ Id: ids.id, CustomerName: 'x'.repeat(501) }), 'CustomerName：不能超过 500 个字符'],
    ['FollowDate not a date', () => ({ Id: ids.id, FollowDate: 'yesterday' }), 'FollowDate：日期格式不正确，应如 2026-03-31 21:49:35 或 2026-03-31T21:49:35+08:00'],
    ['FollowDate not a real day', () => ({ Id: ids.id, FollowDate: '2026-02-30 10:00:00' }), 'FollowDate：日期格式不正确，应如 2026-03-31 21:49:35 或 2026-03-31T21:49:35+08:00'],
    ['File not a list', () => ({ Id: ids.id, File: 'a.jpg' }), 'File：必须是 AttachmentInfo 数组'],
    ['File item not an object', () => ({ Id: ids.id, File: [3] }), 'File[0]：必须是 AttachmentInfo 对象'],
    ['File too many', () => ({ Id: ids.id, File: Array.from({ length: 51 }, (_, i) => ({ AttachUrl: `https://x/${i}` })) }), 'File：最多 50 项'],
    ['File item without Id nor AttachUrl', () => ({ Id: ids.id, File: [{ AttachName: 'a' }] }), 'File[0]：新附件需要 AttachUrl'],
    ['File[].Id listed twice', () => ({ Id: ids.id, File: [{ Id: ids.attachmentIds[0] }, { Id: ids.attachmentIds[0] }] }), 'File[1].Id：重复出现'],
    ['File[].AttachUrl a script', () => ({ Id: ids.id, File: [{ AttachUrl: 'javascript:alert(1)' }] }), 'File[0].AttachUrl：必须是 http 或 https 地址，或本站路径'],
    ['File[].AttachName too long', () => ({ Id: ids.id, File: [{ AttachUrl: 'https://x/a', AttachName: 'n'.repeat(256) }] }), 'File[0].AttachName：不能超过 255 个字符'],
    ['File[].BusinessCode too long', () => ({ Id: ids.id, File: [{ AttachUrl: 'https://x/a', BusinessCode: 'b'.repeat(101) }] }), 'File[0].BusinessCode：不能超过 100 个字符'],
    ['File[].Id not digits', () => ({ Id: ids.id, File: [{ Id: 'x1' }] }), 'File[0].Id：必须是整数'],
  ];
  for (const [name, body, msg] of cases) {
    it(`refuses ${name}`, async () => {
      await expectFailure(body(), msg);
    });
  }

  it('refuses an attachment id of another follow-up', async () => {
    const { ids: elsewhere } = await makeFollowUp(h, tenant);
    await expectFailure({ Id: ids.id, File: [{ Id: elsewhere.attachmentIds[0] }] }, 'File[0].Id：不是该跟进记录的附件');
  });

  it('answers a missing follow-up, customer or user by naming the field', async () => {
    await expectFailure({ Id: 987654321 }, 'Id：跟进记录 987654321 不存在', 'follow_up_not_found');
    await expectFailure({ Id: ids.id, CustomerId: 987654321 }, 'CustomerId：客户 987654321 不存在');
    await expectFailure({ Id: ids.id, EmployeeId: 987654321 }, 'EmployeeId：用户 987654321 不存在');
  });

  it("answers another tenant's follow-up, customer and user exactly like missing ones", async () => {
    const { ids: theirs } = await makeFollowUp(h, other);
    const same = async (body: Record<string, unknown>, field: string, theirId: string) => {
      const missing = await send({ ...body, [field]: '987654321' });
      const foreign = await send({ ...body, [field]: theirId });
      expect(foreign.json.Code).toBe('000001');
      expect(foreign.json.Msg).toBe(missing.json.Msg.replace('987654321', theirId));
      expect(foreign.json.Extra).toBe(missing.json.Extra);
    };
    await same({}, 'Id', theirs.id);
    await same({ Id: ids.id }, 'CustomerId', theirs.customerId);
    await same({ Id: ids.id }, 'EmployeeId', theirs.employeeId);
    // Their follow-up was not touched.
    const native = await client(h.app, other.adminToken).get(`/api/v1/follow-ups/${theirs.id}`);
    expect(native.body.content).toBe('<p>初次拜访</p>');
  });

  it('hides follow-ups and customers outside the caller’s data scope like missing ones', async () => {
    const sales = await makeMember(h, tenant, { role: 'sales' });
    const res = await send({ Id: ids.id, FResult: '越权修改' }, sales.token);
    expect(res.json).toMatchObject({ Code: '000001', Msg: `Id：跟进记录 ${ids.id} 不存在`, IsSuccess: false });
    // Their own follow-up cannot be moved to a customer they cannot see either.
    const own = await makeCustomer(h, sales.ctx);
    const mine = await h.services.followUps.create(sales.ctx, { customerId: own.id, content: '我的' });
    const moved = await send({ Id: mine.id, CustomerId: ids.customerId }, sales.token);
    expect(moved.json).toMatchObject({ Code: '000001', Msg: `CustomerId：客户 ${ids.customerId} 不存在` });
    const native = await client(h.app, tenant.adminToken).get(`/api/v1/follow-ups/${ids.id}`);
    expect(native.body.content).not.toBe('越权修改');
  });

  it('writes nothing when any field is refused', async () => {
    const before = await client(h.app, tenant.adminToken).get(`/api/v1/follow-ups/${ids.id}`);
    await expectFailure({ Id: ids.id, FResult: '不该写入', FSite: '不该写入', File: [{ AttachUrl: 'https://x/ok' }, { AttachUrl: 'ftp://x/bad' }] }, /^File\[1\]\.AttachUrl：/);
    const after = await client(h.app, tenant.adminToken).get(`/api/v1/follow-ups/${ids.id}`);
    expect(after.body).toEqual(before.body);
  });

  it('refuses a user of another tenant as EmployeeId even when they exist there', async () => {
    const { user } = await makeUser(h, other);
    await expectFailure({ Id: ids.id, EmployeeId: user.id }, `EmployeeId：用户 ${user.id} 不存在`);
  });
});
