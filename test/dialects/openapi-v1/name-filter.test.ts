import { beforeAll, describe, expect, it } from 'vitest';
import { FollowUpDetailsService, type FollowUpDetailsQuery } from '../../../src/core/follow-ups/follow-up-details.service.ts';
import type { RequestContext } from '../../../src/core/shared/context.ts';
import { makeTenant, makeUser, setupHarness, type Harness } from '../../helpers/harness.ts';
import { userContext } from '../../helpers/crm.ts';

/**
 * cle_name turns into a list of customer ids when few customers match, and into a per-row check
 * of each follow-up's customer when many do: both ways must answer the same pages.
 */
describe('openapi-v1 customer filters: both query shapes agree', () => {
  let h: Harness;
  let ctx: RequestContext;
  let salesCtx: RequestContext;
  const few = () => new FollowUpDetailsService(h.database.db);
  /** More customers match than the ids limit: per-row check. */
  const many = () => new FollowUpDetailsService(h.database.db, { idsLimit: 1 });
  /** Every name counts as common by its estimate: per-row check without looking for ids. */
  const common = () => new FollowUpDetailsService(h.database.db, { estimateLimit: -1 });

  beforeAll(async () => {
    h = await setupHarness();
    const tenant = await makeTenant(h);
    ctx = await userContext(h, tenant.adminToken);
    const sales = await makeUser(h, tenant, { role: 'sales' });
    salesCtx = await userContext(h, sales.token);
    const names = ['武汉星河科技', '北京星河贸易', '上海银河传媒', '星河湾物业', '长江实业'];
    for (const [i, name] of names.entries()) {
      const owner = i % 2 === 0 ? ctx : salesCtx;
      const customer = await h.services.customers.create(owner, { name });
      for (let j = 0; j < 4; j++) await h.services.followUps.create(owner, { customerId: customer.id, content: `${name} 第${j}次` });
    }
  });

  const walk = async (service: FollowUpDetailsService, who: RequestContext, query: Partial<FollowUpDetailsQuery>) => {
    const pages: string[][] = [];
    let cursor: string | undefined;
    let total = -1;
    do {
      const page = await service.list(who, { limit: 3, sort: 'createdAt', order: 'desc', ...query, cursor });
      pages.push(page.sheet.followUps.map((f) => f.id));
      total = page.total;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return { pages, total };
  };

  it('answers the same pages for cle_id and cle_phone whichever way', async () => {
    const customer = (await h.services.customers.create(ctx, { name: '电话客户', phones: ['13700137000'] })).id;
    await h.services.followUps.create(ctx, { customerId: customer, content: '电话' });
    for (const filter of [{ customerPhone: '13700137000' }, { customerIdDigits: customer }, { customerIdDigits: customer.slice(-1) }]) {
      const a = await walk(few(), ctx, filter);
      expect(await walk(many(), ctx, filter)).toEqual(a);
    }
    expect((await walk(few(), ctx, { customerPhone: '13700137000' })).total).toBe(1);
  });

  it('answers the same pages and totals through customer ids and through the per-row check', async () => {
    for (const [who, name] of [[ctx, '星河'], [ctx, 'xh'], [salesCtx, '星河'], [ctx, '长江'], [ctx, '没有']] as const) {
      const a = await walk(few(), who, { customerName: name });
      expect(await walk(many(), who, { customerName: name })).toEqual(a);
      expect(await walk(common(), who, { customerName: name })).toEqual(a);
      expect(await walk(many(), who, { customerName: name, order: 'asc', sort: 'updatedAt' })).toEqual(await walk(few(), who, { customerName: name, order: 'asc', sort: 'updatedAt' }));
    }
    expect((await walk(few(), ctx, { customerName: '星河' })).total).toBe(12);
    // The salesperson owns 北京星河贸易 and 星河湾物业 only.
    expect((await walk(few(), salesCtx, { customerName: '星河' })).total).toBe(8);
    expect((await walk(many(), salesCtx, { customerName: '长江' })).total).toBe(0);
    expect((await walk(many(), ctx, { customerName: '星河', order: 'asc', text: '第1次' })).total).toBe(3);
    // Offsets (the seed's page) through the ids too.
    const offset = await few().list(ctx, { limit: 2, offset: 3, sort: 'createdAt', order: 'desc', customerName: '星河' });
    const all = await few().list(ctx, { limit: 100, sort: 'createdAt', order: 'desc', customerName: '星河' });
    expect(offset.sheet.followUps.map((f) => f.id)).toEqual(all.sheet.followUps.slice(3, 5).map((f) => f.id));
    expect((await many().list(ctx, { limit: 2, offset: 3, sort: 'createdAt', order: 'desc', customerName: '星河' })).sheet.followUps.map((f) => f.id)).toEqual(
      offset.sheet.followUps.map((f) => f.id),
    );
  });
});
