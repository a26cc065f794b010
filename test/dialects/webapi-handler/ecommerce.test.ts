import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src/core/shared/context.ts';
import { makeCustomer, userContext } from '../../helpers/crm.ts';
import { makeTenant, makeUser, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { CODES, webapi, type WebApi } from './webapi.helpers.ts';

let h: Harness;
let tenant: TestTenant;
let admin: RequestContext;
let otherAdmin: RequestContext;
let siteKey: string;
/** No token: the ECommerce handlers take a siteKey. */
let site: WebApi;

beforeAll(async () => {
  h = await setupHarness();
  tenant = await makeTenant(h);
  admin = await userContext(h, tenant.adminToken);
  const other = await makeTenant(h);
  otherAdmin = await userContext(h, other.adminToken);
  siteKey = (await h.services.siteKeys.create(admin, { name: '官网' })).key;
  site = webapi(h.app);
});

describe('ECommerce/UpdateBaseInfoHit', () => {
  it('adds to the hit counter of a published item, with a site key and no token; JSON and XML', async () => {
    const item = await h.services.ecommerce.createItem(admin, { title: '新品发布' });
    expect(await site.value('ECommerce/UpdateBaseInfoHit', { siteKey, pkid: item.id, addHit: 3 })).toBe(true);
    const xml = await site.call('ECommerce/UpdateBaseInfoHit', { siteKey, pkid: item.id, addHit: 2 }, { method: 'POST', format: 'xml' });
    expect(xml.xml!.text).toBe('true');
    expect(String((await h.services.ecommerce.getItem(admin, item.id)).hits)).toBe('5');
  });

  it("refuses a missing, unknown or revoked siteKey, bad parameters and another tenant's item", async () => {
    const item = await h.services.ecommerce.createItem(admin, { title: '计数' });
    await site.error('ECommerce/UpdateBaseInfoHit', { pkid: item.id, addHit: 1 }, { status: 401, code: CODES.auth, field: 'siteKey' });
    await site.error('ECommerce/UpdateBaseInfoHit', { siteKey: 'gsk_nope', pkid: item.id, addHit: 1 }, { status: 401, code: CODES.auth, field: 'siteKey' });
    // A user token is not a site key.
    await site.error('ECommerce/UpdateBaseInfoHit', { token: tenant.adminToken, pkid: item.id, addHit: 1 }, { status: 401, code: CODES.auth, field: 'siteKey' });
    const revoked = await h.services.siteKeys.create(admin, { name: '旧站' });
    await h.services.siteKeys.revoke(admin, revoked.siteKey.id);
    await site.error('ECommerce/UpdateBaseInfoHit', { siteKey: revoked.key, pkid: item.id, addHit: 1 }, { status: 401, code: CODES.auth, field: 'siteKey' });

    await site.error('ECommerce/UpdateBaseInfoHit', { siteKey, addHit: 1 }, { status: 400, code: CODES.missing, field: 'pkid' });
    await site.error('ECommerce/UpdateBaseInfoHit', { siteKey, pkid: item.id }, { status: 400, code: CODES.missing, field: 'addHit' });
    await site.error('ECommerce/UpdateBaseInfoHit', { siteKey, pkid: 'x', addHit: 1 }, { status: 400, code: CODES.invalid, field: 'pkid' });
    await site.error('ECommerce/UpdateBaseInfoHit', { siteKey, pkid: item.id, addHit: -1 }, { status: 400, code: CODES.invalid, field: 'addHit' });
    await site.error('ECommerce/UpdateBaseInfoHit', { siteKey, pkid: item.id, addHit: 1.5 }, { status: 400, code: CODES.invalid, field: 'addHit' });
    await site.error('ECommerce/UpdateBaseInfoHit', { siteKey, pkid: item.id + '0000', addHit: 1 }, { status: 404, code: CODES.notFound });
    const theirs = await h.services.ecommerce.createItem(otherAdmin, { title: '别家' });
    await site.error('ECommerce/UpdateBaseInfoHit', { siteKey, pkid: theirs.id, addHit: 1 }, { status: 404, code: CODES.notFound });
    expect(String((await h.services.ecommerce.getItem(otherAdmin, theirs.id)).hits)).toBe('0');
    expect(String((await h.services.ecommerce.getItem(admin, item.id)).hits)).toBe('0');
  });
});

describe('ECommerce/AddMessageBoard', () => {
  it("stores a website message, shown on the customer's timeline and notified to its owner", async () => {
    const owner = await makeUser(h, tenant);
    const ownerCtx = await userContext(h, owner.token);
    const customer = await makeCustomer(h, ownerCtx, { name: '留言客户' });
    expect(await site.value('ECommerce/AddMessageBoard', { siteKey, custID: customer.id, content: '请尽快报价', contact: '刘女士 13800000000' }, 'POST')).toBe(true);
    const xml = await site.call('ECommerce/AddMessageBoard', { siteKey, custID: customer.id, content: '第二条' }, { format: 'xml' });
    expect(xml.xml!.text).toBe('true');
    const messages = (await h.services.ecommerce.listMessages(admin, { customerId: customer.id })).items;
    expect(messages.map((m) => [m.content, m.contact])).toEqual([
      ['第二条', null],
      ['请尽快报价', '刘女士 13800000000'],
    ]);
    const timeline = (await h.services.timeline.list(ownerCtx, customer.id, {})).items;
    expect(timeline.filter((e) => e.kind === 'message_board')).toHaveLength(2);
    const inbox = await h.services.notifications.list(ownerCtx, {});
    expect(inbox.items.length).toBeGreaterThanOrEqual(2);
  });

  it("refuses missing and wrong parameters and another tenant's customer", async () => {
    const customer = await makeCustomer(h, admin, { name: '留言错误客户' });
    await site.error('ECommerce/AddMessageBoard', { custID: customer.id, content: 'x' }, { status: 401, code: CODES.auth, field: 'siteKey' });
    await site.error('ECommerce/AddMessageBoard', { siteKey, content: 'x' }, { status: 400, code: CODES.missing, field: 'custID' });
    await site.error('ECommerce/AddMessageBoard', { siteKey, custID: customer.id }, { status: 400, code: CODES.missing, field: 'content' });
    await site.error('ECommerce/AddMessageBoard', { siteKey, custID: '1x', content: 'x' }, { status: 400, code: CODES.invalid, field: 'custID' });
    const theirs = await makeCustomer(h, otherAdmin, { name: '别家客户' });
    await site.error('ECommerce/AddMessageBoard', { siteKey, custID: theirs.id, content: 'x' }, { status: 404, code: CODES.notFound });
    expect((await h.services.ecommerce.listMessages(otherAdmin, { customerId: theirs.id })).items).toEqual([]);
  });
});
