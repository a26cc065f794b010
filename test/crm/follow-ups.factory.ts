import { saveCustomerSearch } from '../../src/core/customers/customers.repository.ts';
import { searchFields } from '../../src/core/customers/search.ts';
import type { Harness, TestTenant } from '../helpers/harness.ts';

/**
 * Rows the follow-up and visit-report tests need from other aggregates, written straight to
 * the database so these tests do not depend on those aggregates' APIs.
 */
export function crmRows(h: Harness, tenant: TestTenant) {
  const db = h.database.db;
  return {
    async customer(name: string, ownerId: string | null = tenant.adminId) {
      const { search_tokens: tokens, ...names } = searchFields(name, []);
      const row = await db
        .insertInto('customer')
        .values({ tenant_id: tenant.id, name, ...names, owner_id: ownerId, phones: [] } as never)
        .returningAll()
        .executeTakeFirstOrThrow();
      await saveCustomerSearch(db, row, tokens);
      return row.id;
    },
    async contact(customerId: string, name = '联系人') {
      const row = await db.insertInto('contact').values({ tenant_id: tenant.id, customer_id: customerId, name }).returning('id').executeTakeFirstOrThrow();
      return row.id;
    },
    async opportunity(customerId: string, name = '商机') {
      const row = await db.insertInto('opportunity').values({ tenant_id: tenant.id, customer_id: customerId, name } as never).returning('id').executeTakeFirstOrThrow();
      return row.id;
    },
    /** The id of a dictionary item by its stable code. */
    async item(dictionary: string, code: number) {
      const row = await db.selectFrom('dictionary_item').select('id').where('tenant_id', '=', tenant.id).where('dictionary', '=', dictionary).where('code', '=', code).executeTakeFirstOrThrow();
      return row.id;
    },
    customerRow(id: string) {
      return db.selectFrom('customer').selectAll().where('tenant_id', '=', tenant.id).where('id', '=', id).executeTakeFirstOrThrow();
    },
    opportunityRow(id: string) {
      return db.selectFrom('opportunity').selectAll().where('tenant_id', '=', tenant.id).where('id', '=', id).executeTakeFirstOrThrow();
    },
  };
}
