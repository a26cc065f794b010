import type { Executor } from '../../db/database.ts';
import type { Customer, CustomField, FollowUp, Id, Opportunity } from '../../db/schema.ts';
import { zonedParts } from '../shared/time.ts';
import type { DictionaryRef } from './follow-ups.types.ts';

/** A user as the wire formats name them beside an id: with job number, department and role. */
export interface PersonRef {
  id: Id;
  name: string;
  jobNumber: string | null;
  department: { id: Id; name: string } | null;
  role: { id: Id; name: string } | null;
}

/**
 * Follow-ups with everything around them that a wire format shows in full: their customers and
 * opportunities, every person, department and dictionary item those mention, and the customer
 * custom field definitions. Loaded set-wise: a fixed number of queries whatever the page size.
 */
export interface FollowUpSheet {
  followUps: FollowUp[];
  customers: Map<Id, Customer>;
  opportunities: Map<Id, Opportunity>;
  people: Map<Id, PersonRef>;
  departments: Map<Id, { id: Id; name: string }>;
  dictionary: Map<Id, DictionaryRef>;
  /** Custom field definitions of customers, in display order. */
  customerFields: CustomField[];
  /** Whole days since each customer's last follow-up (or its creation), in the tenant's time zone. */
  daysWithoutContact: Map<Id, number>;
}

const unique = (ids: (Id | null | undefined)[]) => [...new Set(ids.filter((id): id is Id => typeof id === 'string'))];

/** Days between two instants' calendar dates in a time zone. */
export function calendarDaysBetween(from: Date, to: Date, timeZone: string): number {
  const day = (d: Date) => {
    const p = zonedParts(d, timeZone);
    return Date.UTC(+p.year, +p.month - 1, +p.day) / 86_400_000;
  };
  return Math.max(0, day(to) - day(from));
}

export async function loadSheet(executor: Executor, tenantId: Id, followUps: FollowUp[], now: Date, timeZone: string): Promise<FollowUpSheet> {
  const sheet: FollowUpSheet = {
    followUps,
    customers: new Map(),
    opportunities: new Map(),
    people: new Map(),
    departments: new Map(),
    dictionary: new Map(),
    customerFields: [],
    daysWithoutContact: new Map(),
  };
  if (followUps.length === 0) return sheet;
  const customerIds = unique(followUps.map((f) => f.customer_id));
  const opportunityIds = unique(followUps.map((f) => f.opportunity_id));
  const [customers, opportunities, customerFields] = await Promise.all([
    executor.selectFrom('customer').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', customerIds).execute(),
    opportunityIds.length
      ? executor.selectFrom('opportunity').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', opportunityIds).execute()
      : Promise.resolve([] as Opportunity[]),
    executor.selectFrom('custom_field').selectAll().where('tenant_id', '=', tenantId).where('module', '=', 'customer').orderBy('sort').orderBy('id').execute(),
  ]);
  sheet.customerFields = customerFields;
  for (const c of customers) sheet.customers.set(c.id, c);
  for (const o of opportunities) sheet.opportunities.set(o.id, o);

  const userIds = unique([
    ...followUps.flatMap((f) => [f.user_id, f.created_by, f.updated_by]),
    ...customers.flatMap((c) => [c.owner_id, c.service_owner_id, c.last_follow_user_id, c.created_by, c.updated_by]),
    ...opportunities.flatMap((o) => [o.owner_id, o.last_contact_user_id, o.created_by, o.updated_by]),
  ]);
  const departmentIds = unique(customers.flatMap((c) => [c.owner_department_id, c.service_department_id]));
  const itemIds = unique([
    ...followUps.map((f) => f.type_id),
    ...customers.flatMap((c) => [c.source_id, c.type_id, c.grade_id]),
    ...opportunities.flatMap((o) => [o.type_id, o.source_id, o.stage_id, o.lose_reason_id]),
  ]);
  const [users, departments, items] = await Promise.all([
    userIds.length
      ? executor
          .selectFrom('app_user as u')
          .leftJoin('department as d', (j) => j.onRef('d.tenant_id', '=', 'u.tenant_id').onRef('d.id', '=', 'u.department_id'))
          .leftJoin('role as r', (j) => j.onRef('r.tenant_id', '=', 'u.tenant_id').onRef('r.id', '=', 'u.role_id'))
          .select(['u.id', 'u.name', 'u.job_number', 'u.department_id', 'd.name as department_name', 'u.role_id', 'r.name as role_name'])
          .where('u.tenant_id', '=', tenantId)
          .where('u.id', 'in', userIds)
          .execute()
      : Promise.resolve([]),
    departmentIds.length
      ? executor.selectFrom('department').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', departmentIds).execute()
      : Promise.resolve([]),
    itemIds.length
      ? executor.selectFrom('dictionary_item').select(['id', 'code', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', itemIds).execute()
      : Promise.resolve([] as DictionaryRef[]),
  ]);
  for (const u of users) {
    sheet.people.set(u.id, {
      id: u.id,
      name: u.name,
      jobNumber: u.job_number,
      department: u.department_id ? { id: u.department_id, name: u.department_name ?? '' } : null,
      role: u.role_id ? { id: u.role_id, name: u.role_name ?? '' } : null,
    });
  }
  for (const d of departments) sheet.departments.set(d.id, d);
  for (const i of items) sheet.dictionary.set(i.id, { id: i.id, code: i.code, name: i.name });
  for (const c of customers) sheet.daysWithoutContact.set(c.id, calendarDaysBetween(c.last_follow_at ?? c.created_at, now, timeZone));
  return sheet;
}
