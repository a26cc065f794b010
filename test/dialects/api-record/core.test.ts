import { beforeAll, describe, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import { createServices } from '../../../src/core/services.ts';
import { isDomainError } from '../../../src/core/shared/errors.ts';
import { fixedClock, makeTenant, setupHarness, type Harness, type TestTenant } from '../../helpers/harness.ts';
import { adminContext, customerWithContacts, person, report } from './fixtures.ts';

const fieldOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (isDomainError(error)) return `${error.code} ${error.details.fields?.[0]?.field ?? ''}`.trim();
    throw error;
  }
  throw new Error('expected a domain error');
};

/** The core pieces seed 001 added: contacts' shared customer, report activity by page, offset pages. */
describe('core support for seed 001', () => {
  let h: Harness;
  let tenant: TestTenant;
  beforeAll(async () => {
    h = await setupHarness({ clock: fixedClock('2026-03-21T04:00:00Z') });
    tenant = await makeTenant(h);
  });

  it('contacts.sharedCustomer finds the one customer of visible contacts, naming the offending item', async () => {
    const a = await customerWithContacts(h, tenant);
    const b = await customerWithContacts(h, tenant, ['赵总']);
    const ctx = await adminContext(h, tenant);
    expect(await h.services.contacts.sharedCustomer(ctx, a.contactIds)).toBe(a.customer.id);
    expect(await fieldOf(h.services.contacts.sharedCustomer(ctx, [a.contactIds[0]!, b.contactIds[0]!]))).toBe('contacts_of_several_customers contactIds');
    expect(await fieldOf(h.services.contacts.sharedCustomer(ctx, [a.contactIds[0]!, '999999999']))).toBe('reference_not_found contactIds[1]');
    expect(await fieldOf(h.services.contacts.sharedCustomer(ctx, []))).toBe('invalid_field contactIds');
    expect(await fieldOf(h.services.contacts.sharedCustomer(ctx, ['x']))).toBe('invalid_field contactIds[0]');
    const sales = await person(h, tenant, '李销售', 'sales');
    expect(await fieldOf(h.services.contacts.sharedCustomer(sales.ctx, [a.contactIds[0]!]))).toBe('reference_not_found contactIds[0]');
  });

  it('visitReports.pageWithActivity pages by number with names, comments newest first and receipts first reader first', async () => {
    const admin = await adminContext(h, tenant);
    const boss = await person(h, tenant, '汪小嘉');
    const sales = await person(h, tenant, '李销售', 'sales');
    const r1 = await report(h, tenant, '2026-03-20T02:00:00Z');
    const r2 = await report(h, tenant, '2026-03-19T02:00:00Z', { authorId: boss.user.id });
    await h.services.visitReports.addComment(admin, r1.id, { content: 'first' });
    await h.services.visitReports.addComment(boss.ctx, r1.id, { content: 'second' });
    await h.services.visitReports.get(boss.ctx, r1.id);
    (h.clock as ReturnType<typeof fixedClock>).set('2026-03-21T05:00:00.123Z');
    await h.services.visitReports.get(admin, r2.id);
    const window = { from: new Date('2026-03-19T00:00:00Z'), to: new Date('2026-03-21T00:00:00Z') };
    const page = await h.services.visitReports.pageWithActivity(admin, { ...window, offset: 0, limit: 10 });
    expect(page.total).toBe(2);
    expect(page.items.map((r) => r.id)).toEqual([r1.id, r2.id]);
    expect(page.items[0]!.comments.map((c) => [c.content, c.user_name])).toEqual([['second', '汪小嘉'], ['first', expect.any(String)]]);
    expect(page.items[0]!.reads.map((r) => [r.user_id, r.user_name])).toEqual([[boss.user.id, '汪小嘉']]);
    expect(page.items[1]).toMatchObject({ author_name: '汪小嘉', comments: [], reads: [{ user_id: (await adminContext(h, tenant)).user!.id, read_at: new Date('2026-03-21T05:00:00.123Z') }] });
    const second = await h.services.visitReports.pageWithActivity(admin, { ...window, offset: 1, limit: 1 });
    expect([second.items.map((r) => r.id), second.total]).toEqual([[r2.id], 2]);
    expect((await h.services.visitReports.pageWithActivity(admin, { ...window, offset: 5, limit: 1 })).items).toEqual([]);
    const own = await h.services.visitReports.pageWithActivity(sales.ctx, { ...window, offset: 0, limit: 10 });
    expect([own.items, own.total]).toEqual([[], 0]);
  });

  it('refuses a negative offset, in reports and follow-ups alike', async () => {
    const admin = await adminContext(h, tenant);
    expect(await fieldOf(h.services.visitReports.pageWithActivity(admin, { offset: -1, limit: 1 }))).toBe('invalid_field offset');
    expect(await fieldOf(h.services.followUps.list(admin, { offset: 1.5 }))).toBe('invalid_field offset');
  });

  it('reads a page of reports in the same number of statements whatever its size', async () => {
    const admin = await adminContext(h, tenant);
    for (let i = 0; i < 12; i++) {
      const r = await report(h, tenant, `2025-01-0${1 + (i % 9)}T0${i % 10}:00:00Z`);
      await h.services.visitReports.addComment(admin, r.id, { content: `c${i}` });
    }
    let statements = 0;
    const counter: KyselyPlugin = {
      transformQuery: (args) => {
        statements += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const counted = createServices(h.database.db.withPlugin(counter));
    const window = { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-02-01T00:00:00Z') };
    const cost = async (limit: number) => {
      statements = 0;
      const page = await counted.visitReports.pageWithActivity(admin, { ...window, offset: 0, limit });
      return [page.items.length, page.items.filter((r) => r.comments.length === 1).length, statements];
    };
    const [small, large] = [await cost(2), await cost(12)];
    expect(small).toEqual([2, 2, small[2]]);
    expect(large).toEqual([12, 12, small[2]]);
    expect(small[2]).toBeLessThanOrEqual(3);
  });
});
