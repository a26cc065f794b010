import { beforeAll, describe, expect, it } from 'vitest';
import { dictionaryItem, makeCustomer, makeCustomField } from '../../helpers/crm.ts';
import { client, makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';

const MID = '347772778973233152';

/** Every refusal answers `{code, data: null, message}` naming the field, with the same HTTP status, and writes nothing. */
describe('POST /api/moduleData/update refusals', () => {
  let h: Harness;
  let tenant: TestTenant;
  let other: TestTenant;
  let customerId: string;
  let otherCustomerId: string;
  const keys: Record<string, string> = {};

  const post = async (body: unknown, headers: Record<string, string> = {}, path = '/api/moduleData/update') => {
    const res = await h.app.inject({
      method: 'POST',
      url: path,
      payload: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.adminToken}`, ...headers },
    });
    return { status: res.statusCode, body: res.json() };
  };

  /** A refusal: its status, the envelope, and a message naming `field`. */
  const refused = async (body: unknown, status: number, field: string, headers: Record<string, string> = {}) => {
    const res = await post(body, headers);
    expect(res.body, JSON.stringify(body)).toEqual({ code: status, data: null, message: expect.stringContaining(field) });
    expect(res.status).toBe(status);
    return res.body.message as string;
  };

  const native = () => client(h.app, tenant.adminToken).get(`/api/v1/customers/${customerId}`);

  beforeAll(async () => {
    h = await setupHarness();
    tenant = await makeTenant(h);
    other = await makeTenant(h);
    customerId = (await makeCustomer(h, tenant.ctx, { name: '原名', note: '原备注' })).id;
    otherCustomerId = (await makeCustomer(h, other.ctx, { name: '别家的客户' })).id;
    keys.select = (await makeCustomField(h, tenant.ctx, 'customer', 'select', { options: [{ id: '11', name: '甲' }, { id: '12', name: '乙' }] })).key;
    keys.input = (await makeCustomField(h, tenant.ctx, 'customer', 'input')).key;
    keys.number = (await makeCustomField(h, tenant.ctx, 'customer', 'number')).key;
    keys.checkbox = (await makeCustomField(h, tenant.ctx, 'customer', 'checkbox', { options: [{ id: '21', name: '丙' }, { id: '22', name: '丁' }] })).key;
    keys.otherTenant = (await makeCustomField(h, other.ctx, 'customer', 'input')).key;
  });

  it('answers 401 without a token or with a bad one, and accepts a `token` header', async () => {
    const attempts: Record<string, string>[] = [{ authorization: '' }, { authorization: 'Bearer nope' }, { authorization: '', token: 'nope' }];
    for (const headers of attempts) {
      const res = await post({ mid: MID, id: customerId }, headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ code: 401, data: null, message: expect.any(String) });
    }
    expect((await post({ mid: MID, id: customerId }, { authorization: '', token: tenant.adminToken })).status).toBe(200);
  });

  it('refuses bodies that are not a JSON object', async () => {
    await refused('{"mid": 1,', 400, 'JSON');
    await refused('[1, 2]', 400, 'body');
    const form = await h.app.inject({ method: 'POST', url: '/api/moduleData/update', payload: 'mid=1', headers: { 'content-type': 'application/x-www-form-urlencoded', token: tenant.adminToken } });
    expect(form.statusCode).toBe(400);
    expect(form.json()).toEqual({ code: 400, data: null, message: expect.stringContaining('application/json') });
  });

  it('names a missing or wrong mid and id', async () => {
    await refused({ id: customerId }, 400, 'mid');
    await refused({ mid: '999', id: customerId }, 400, 'mid');
    await refused({ mid: 'customer', id: customerId }, 400, 'mid');
    await refused({ mid: MID }, 400, 'id');
    await refused({ mid: MID, id: 'abc' }, 400, 'id');
    await refused({ mid: MID, id: 0 }, 400, 'id');
    await refused({ mid: MID, id: 1.5 }, 400, 'id');
  });

  it("answers 404 for a missing customer and, identically, for another tenant's", async () => {
    const missing = await refused({ mid: MID, id: '987654321' }, 404, '987654321');
    const foreign = await refused({ mid: MID, id: otherCustomerId }, 404, otherCustomerId);
    expect(foreign.replace(otherCustomerId, 'ID')).toBe(missing.replace('987654321', 'ID'));
  });

  it('names wrongly typed standard fields and unknown keys', async () => {
    await refused({ mid: MID, id: customerId, name: 5 }, 400, 'name');
    await refused({ mid: MID, id: customerId, name: '   ' }, 400, 'name');
    await refused({ mid: MID, id: customerId, note: ['x'] }, 400, 'note');
    await refused({ mid: MID, id: customerId, phone: '12' }, 400, 'phone');
    await refused({ mid: MID, id: customerId, foo: 'bar' }, 400, 'foo');
    await refused({ mid: MID, id: customerId, token: tenant.adminToken }, 400, 'token');
  });

  it('names an owner or source that does not exist (or is another tenant’s)', async () => {
    await refused({ mid: MID, id: customerId, own_id: '987654321' }, 400, 'own_id');
    await refused({ mid: MID, id: customerId, own_id: other.adminId === tenant.adminId ? '987654321' : other.adminId }, 400, 'own_id');
    await refused({ mid: MID, id: customerId, source: '987654321' }, 400, 'source');
    // A dictionary item of another dictionary is not a source.
    const stage = await dictionaryItem(h, tenant.ctx, 'lifecycle_stage');
    await refused({ mid: MID, id: customerId, source: stage.id }, 400, 'source');
  });

  it('validates custom fields against the module’s definitions, naming the key', async () => {
    await refused({ mid: MID, id: customerId, select_1234567: '11' }, 400, 'select_1234567');
    await refused({ mid: MID, id: customerId, [keys.otherTenant!]: 'x' }, 400, keys.otherTenant!);
    await refused({ mid: MID, id: customerId, [keys.select!]: '13' }, 400, keys.select!);
    await refused({ mid: MID, id: customerId, [keys.select!]: { id: '11' } }, 400, keys.select!);
    await refused({ mid: MID, id: customerId, [keys.input!]: 42 }, 400, keys.input!);
    await refused({ mid: MID, id: customerId, [keys.number!]: 'many' }, 400, keys.number!);
    await refused({ mid: MID, id: customerId, [keys.checkbox!]: ['21', '99'] }, 400, keys.checkbox!);
    const ok = await post({ mid: MID, id: customerId, [keys.select!]: 12, [keys.checkbox!]: [21, '22'], [keys.number!]: 3.5, [keys.input!]: '文本' });
    expect(ok.status).toBe(200);
    expect(ok.body.data.item).toMatchObject({
      [keys.select!]: [{ id: '12', name: '乙' }],
      [keys.checkbox!]: [{ id: '21', name: '丙' }, { id: '22', name: '丁' }],
      [keys.number!]: 3.5,
      [keys.input!]: '文本',
    });
    // An empty picker clears the value.
    const cleared = await post({ mid: MID, id: customerId, [keys.select!]: '', [keys.number!]: '' });
    expect(cleared.body.data.item).toMatchObject({ [keys.select!]: [], [keys.number!]: null });
  });

  it('writes nothing when any part of the request is refused', async () => {
    const before = (await native()).body;
    await refused({ mid: MID, id: customerId, name: '改了一半', note: '也改了', [keys.select!]: 'nope' }, 400, keys.select!);
    await refused({ mid: MID, id: customerId, name: '改了一半', source: '987654321' }, 400, 'source');
    const after = (await native()).body;
    expect(after.name).toBe(before.name);
    expect(after.note).toBe(before.note);
    expect(after.version).toBe(before.version);
  });

  it('answers 409 when the owner of a pool customer is set here instead of by claim or assign', async () => {
    const pooled = await makeCustomer(h, tenant.ctx, { name: '公海里的' });
    await h.services.poolMoves.release(tenant.ctx, pooled.id);
    const { user } = await makeUser(h, tenant);
    await refused({ mid: MID, id: pooled.id, own_id: user.id }, 409, 'own_id');
    // Without own_id the pool customer stays in the pool (no owner is taken by an edit).
    const res = await post({ mid: MID, id: pooled.id, note: '仍在公海' });
    expect(res.status).toBe(200);
    expect(res.body.data.item).toMatchObject({ is_public: 1, own_id: [], client_position: 'seas', move_seas_times: 1, move_seas_type: 2, note: '仍在公海' });
    expect(res.body.data.item.last_seas_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('answers its own 404 envelope for unknown paths under /api/moduleData', async () => {
    const res = await post({}, {}, '/api/moduleData/delete');
    expect(res).toEqual({ status: 404, body: { code: 404, data: null, message: expect.stringContaining('/api/moduleData/delete') } });
  });
});
