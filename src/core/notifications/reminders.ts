import { sql } from 'kysely';
import type { JobHandler } from '../../jobs/types.ts';

/**
 * A plan is announced this long before its planned time, so a reminder run every few minutes
 * still reaches the owner before the plan is due rather than after.
 */
export const REMINDER_LEAD_MS = 15 * 60 * 1000;

/** UTC ISO 8601 with milliseconds, as `Date.prototype.toISOString` writes it. */
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * `contact_plan.remind`: notifies each owner of their pending contact plans that are due (or due
 * within REMINDER_LEAD_MS), and records a `contact_plan.due` event for each. One statement does
 * both for the whole tenant: the notification's dedupe key `plan:<id>:<planned_at>` makes a second
 * run a no-op, and the event is written only for notifications that were new, so it too happens
 * once per plan and planned time (a rescheduled plan is announced again). A job without a tenant
 * covers every tenant.
 */
export const contactPlanRemindJob: JobHandler = async (job, { db, clock }) => {
  const now = clock.now();
  const horizon = new Date(now.getTime() + REMINDER_LEAD_MS);
  const tenantFilter = job.tenantId === null ? sql`true` : sql`p.tenant_id = ${job.tenantId}`;
  await sql`
    WITH due AS (
      SELECT p.tenant_id, p.id, p.owner_id, p.customer_id, p.title, p.planned_at, c.name AS customer_name,
             'plan:' || p.id || ':' || to_char(p.planned_at AT TIME ZONE 'UTC', ${sql.raw(ISO)}) AS dedupe_key
        FROM contact_plan p
        JOIN customer c ON c.tenant_id = p.tenant_id AND c.id = p.customer_id
       WHERE ${tenantFilter}
         AND p.status = 'pending'
         AND p.planned_at <= ${horizon}
         AND c.deleted_at IS NULL
    ),
    notified AS (
      INSERT INTO notification (tenant_id, user_id, kind, title, body, entity, entity_id, dedupe_key, created_at)
      SELECT tenant_id, owner_id, 'contact_plan.due', 'Contact plan due: ' || title, customer_name,
             'contact_plan', id::text, dedupe_key, ${now}
        FROM due
          ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
      RETURNING tenant_id, dedupe_key
    )
    INSERT INTO outbox_event (tenant_id, type, entity_id, data, occurred_at)
    SELECT d.tenant_id, 'contact_plan.due', d.id::text,
           jsonb_build_object(
             'id', d.id::text, 'customerId', d.customer_id::text, 'ownerId', d.owner_id::text,
             'title', d.title, 'plannedAt', to_char(d.planned_at AT TIME ZONE 'UTC', ${sql.raw(ISO)})
           ),
           ${now}
      FROM notified n
      JOIN due d ON d.tenant_id = n.tenant_id AND d.dedupe_key = n.dedupe_key
     ORDER BY d.tenant_id, d.id
  `.execute(db);
};
