import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Contact, Id } from '../../db/schema.ts';

/**
 * Contacts whose customer the caller may see. `visible` is the customer visibility condition
 * (on the customer aliased `c`); deleted contacts and contacts of deleted customers never show.
 */
export function visibleContacts(executor: Executor, tenantId: Id, visible: RawBuilder<boolean>) {
  return executor
    .selectFrom('contact as ct')
    .innerJoin('customer as c', (j) => j.onRef('c.tenant_id', '=', 'ct.tenant_id').onRef('c.id', '=', 'ct.customer_id'))
    .where('ct.tenant_id', '=', tenantId)
    .where('ct.deleted_at', 'is', null)
    .where('c.deleted_at', 'is', null)
    .where(visible);
}

/** Contact names matching a fragment, or phones containing the digits typed. */
export function contactMatch(raw: string): RawBuilder<boolean> {
  const q = raw.trim().toLowerCase();
  const like = `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  const digits = q.replace(/\D/g, '');
  const arms = [sql`lower(ct.name) LIKE ${like}`];
  if (digits.length >= 3 && digits.length === q.replace(/[\s+()-]/g, '').length) {
    const tail = `%${digits}%`;
    arms.push(sql`regexp_replace(coalesce(ct.mobile, ''), '\\D', '', 'g') LIKE ${tail}`, sql`regexp_replace(coalesce(ct.phone, ''), '\\D', '', 'g') LIKE ${tail}`);
  }
  return sql<boolean>`(${sql.join(arms, sql` OR `)})`;
}

/**
 * Takes the main-contact flag from every other live contact of the customer. Runs before the
 * flag is set on the new main one, so the partial unique index `contact_one_main` never sees two.
 */
export async function clearMainContact(executor: Executor, tenantId: Id, customerId: Id, keepId: Id | null, now: Date): Promise<Contact[]> {
  let q = executor
    .updateTable('contact')
    .set((eb) => ({ is_main: false, version: eb('version', '+', 1), updated_at: now }))
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('is_main', '=', true)
    .where('deleted_at', 'is', null);
  if (keepId) q = q.where('id', '!=', keepId);
  return q.returningAll().execute();
}
