import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Id, OwnershipMove, PoolRule } from '../../db/schema.ts';
import type { OwnershipMoveView, PoolRules, PoolView } from './pool.types.ts';

/** Pools of a tenant; the bigint[] columns come back as decimal strings on both drivers. */
export function selectPools(executor: Executor, tenantId: Id) {
  return executor
    .selectFrom('pool')
    .select(['id', 'name', 'is_default', 'plan_handling', 'version', 'created_at', 'updated_at'])
    .select([
      sql<string[]>`member_user_ids::text[]`.as('member_user_ids'),
      sql<string[]>`member_department_ids::text[]`.as('member_department_ids'),
      sql<string[]>`admin_user_ids::text[]`.as('admin_user_ids'),
    ])
    .where('tenant_id', '=', tenantId);
}

type PoolRow = Awaited<ReturnType<ReturnType<typeof selectPools>['executeTakeFirstOrThrow']>>;

export const toPoolView = (row: PoolRow): PoolView => ({
  id: row.id,
  name: row.name,
  isDefault: row.is_default,
  memberUserIds: row.member_user_ids,
  memberDepartmentIds: row.member_department_ids,
  adminUserIds: row.admin_user_ids,
  planHandling: row.plan_handling,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const toPoolRules = (row: PoolRule): PoolRules => ({
  poolId: row.pool_id,
  recycleNoFollowDays: row.recycle_no_follow_days,
  recycleNoDealDays: row.recycle_no_deal_days,
  gradeDays: row.grade_days,
  exemptLocked: row.exempt_locked,
  exemptWon: row.exempt_won,
  exemptOpenOpportunities: row.exempt_open_opportunities,
  noticeDays: row.notice_days,
  ownerCap: row.owner_cap,
  capCountsWon: row.cap_counts_won,
  capScope: row.cap_scope,
  dailyClaimLimit: row.daily_claim_limit,
  reclaimCooldownDays: row.reclaim_cooldown_days,
  protectionHours: row.protection_hours,
  version: row.version,
  updatedAt: row.updated_at,
});

export const toMoveView = (row: OwnershipMove): OwnershipMoveView => ({
  id: row.id,
  customerId: row.customer_id,
  poolId: row.pool_id,
  fromUserId: row.from_user_id,
  toUserId: row.to_user_id,
  move: row.move,
  reason: row.reason,
  at: row.at,
  byUserId: row.by_user_id,
});

export async function defaultPoolId(executor: Executor, tenantId: Id): Promise<Id> {
  const row = await executor.selectFrom('pool').select('id').where('tenant_id', '=', tenantId).where('is_default', '=', true).executeTakeFirstOrThrow();
  return row.id;
}

export async function findRules(executor: Executor, tenantId: Id, poolId: Id): Promise<PoolRules> {
  const row = await executor.selectFrom('pool_rule').selectAll().where('tenant_id', '=', tenantId).where('pool_id', '=', poolId).executeTakeFirstOrThrow();
  return toPoolRules(row);
}

export interface TenantDay {
  tenantId: Id;
  defaultPoolId: Id;
  timeZone: string;
  /** The tenant-local date of "now", YYYY-MM-DD. */
  today: string;
}

/** A slice of a tenant's customers by id: above `after`, up to and including `upTo`; null: no bound. */
export interface IdRange {
  after: Id | null;
  upTo: Id | null;
}

const EVERY_ID: IdRange = { after: null, upTo: null };

const inRange = (range: IdRange) =>
  sql`${range.after === null ? sql`` : sql` AND c.id > ${range.after}`}${range.upTo === null ? sql`` : sql` AND c.id <= ${range.upTo}`}`;

/**
 * Every `size`-th customer id of the tenant, in order: the bounds of slices of `size` customers
 * (the last slice runs on to the end). Read from the primary key alone.
 */
export async function customerIdBounds(executor: Executor, tenantId: Id, size: number): Promise<Id[]> {
  const result = await sql<{ id: Id }>`
    SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM customer WHERE tenant_id = ${tenantId}) x
    WHERE n % ${size} = 0 ORDER BY id`.execute(executor);
  return result.rows.map((r) => r.id);
}

/**
 * Owned customers of the tenant that a rule applies to, with the local dates each rule falls due:
 * the later of the last follow-up (or deal) and the assignment, plus the rule's days (a grade's own
 * days replace the no-follow-up days). The same arithmetic as recycleDay() in pool.status.ts.
 */
function dueCustomers(t: TenantDay, range: IdRange = EVERY_ID): RawBuilder<unknown> {
  return sql`
    SELECT c.id, c.name, c.owner_id, r.pool_id, r.notice_days, d.follow_days, r.recycle_no_deal_days AS deal_days, d.follow_due, d.deal_due,
           LEAST(d.follow_due, d.deal_due) AS due
    FROM customer c
    JOIN pool_rule r ON r.tenant_id = c.tenant_id AND r.pool_id = COALESCE(c.pool_id, ${t.defaultPoolId})
    CROSS JOIN LATERAL (
      SELECT f.follow_days,
             (GREATEST(c.last_follow_at, COALESCE(c.assigned_at, c.created_at)) AT TIME ZONE ${t.timeZone})::date + f.follow_days AS follow_due,
             (GREATEST(c.last_deal_at, COALESCE(c.assigned_at, c.created_at)) AT TIME ZONE ${t.timeZone})::date + r.recycle_no_deal_days AS deal_due
      FROM (SELECT COALESCE((r.grade_days ->> c.grade_id::text)::integer, r.recycle_no_follow_days) AS follow_days) f
    ) d
    WHERE c.tenant_id = ${t.tenantId}${inRange(range)}
      AND NOT c.in_pool AND c.owner_id IS NOT NULL AND c.deleted_at IS NULL
      AND NOT (r.exempt_locked AND c.is_locked)
      AND NOT (r.exempt_won AND c.is_won)
      AND NOT (r.exempt_open_opportunities AND EXISTS (
        SELECT 1 FROM opportunity o WHERE o.tenant_id = c.tenant_id AND o.customer_id = c.id AND o.status = 'open' AND o.deleted_at IS NULL))`;
}

/**
 * Recycles every due customer of a tenant in a slice of its ids in one statement: the customers
 * move to their pool, each move enters the ownership history and the outbox. Set-based, so fifty
 * thousand customers take one pass rather than as many round trips. Returns how many each owner lost.
 */
export async function recycleDue(executor: Executor, t: TenantDay, now: Date, range: IdRange): Promise<{ ownerId: Id; count: number }[]> {
  const result = await sql<{ owner_id: Id; n: number }>`
    WITH due AS (
      SELECT id, owner_id, pool_id,
             CASE WHEN follow_due <= ${t.today}::date THEN 'no follow-up for ' || follow_days || ' days'
                  ELSE 'no deal for ' || deal_days || ' days' END AS reason
      FROM (${dueCustomers(t, range)}) x
      WHERE due <= ${t.today}::date
    ),
    moved AS (
      UPDATE customer c
      SET owner_id = NULL, owner_department_id = NULL, last_owner_id = due.owner_id, in_pool = true,
          pool_moves = c.pool_moves + 1, pool_moved_at = ${now}, pool_move_kind = 'system', pool_reason = due.reason,
          pool_id = due.pool_id, version = c.version + 1, updated_at = ${now}
      FROM due
      WHERE c.tenant_id = ${t.tenantId}${inRange(range)} AND c.id = due.id AND NOT c.in_pool AND c.owner_id = due.owner_id
      RETURNING c.id, due.owner_id, due.pool_id, due.reason
    ),
    history AS (
      INSERT INTO ownership_history (tenant_id, customer_id, pool_id, from_user_id, to_user_id, move, reason, at, by_user_id)
      SELECT ${t.tenantId}, id, pool_id, owner_id, NULL, 'recycle', reason, ${now}, NULL FROM moved
    ),
    events AS (
      INSERT INTO outbox_event (tenant_id, type, entity_id, data, occurred_at)
      SELECT ${t.tenantId}, 'pool.recycled', id::text,
             jsonb_build_object('customerId', id::text, 'poolId', pool_id::text, 'fromUserId', owner_id::text, 'toUserId', NULL, 'reason', reason),
             ${now}
      FROM moved
    )
    SELECT owner_id, count(*)::integer AS n FROM moved GROUP BY owner_id ORDER BY owner_id`.execute(executor);
  return result.rows.map((r) => ({ ownerId: r.owner_id, count: Number(r.n) }));
}

/** Owned customers that fall due within their pool's notice period (not yet due today). */
export async function dueSoon(executor: Executor, t: TenantDay) {
  const result = await sql<{ id: Id; name: string; owner_id: Id; due: string }>`
    SELECT id, name, owner_id, due::text AS due FROM (${dueCustomers(t)}) x
    WHERE due > ${t.today}::date AND due <= ${t.today}::date + notice_days
    ORDER BY id`.execute(executor);
  return result.rows;
}
