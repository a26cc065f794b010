import type { Kysely, Transaction } from 'kysely';
import type { Customer, DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import type { CustomerFilter, CustomersService, CustomerView } from '../customers/customers.service.ts';
import { can, type RequestContext, requirePermission } from '../shared/context.ts';
import { forbidden, invalidField, notFound, staleVersion } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import type { Page } from '../shared/pagination.ts';
import { inTransaction } from '../shared/rows.ts';
import { findRules, selectPools, toMoveView, toPoolRules, toPoolView } from './pool.repository.ts';
import { poolStatus } from './pool.status.ts';
import type { OwnershipMoveView, PoolInput, PoolRules, PoolRulesInput, PoolStatus, PoolView } from './pool.types.ts';

/** May the caller claim from this pool: a member, a pool admin, or a pool manager. */
export function isPoolMember(ctx: RequestContext, pool: PoolView): boolean {
  if (can(ctx, 'pool:manage') || isPoolAdmin(ctx, pool)) return true;
  if (pool.memberUserIds.length === 0 && pool.memberDepartmentIds.length === 0) return true;
  const user = ctx.user;
  return !!user && (pool.memberUserIds.includes(user.id) || (!!user.departmentId && pool.memberDepartmentIds.includes(user.departmentId)));
}

export const isPoolAdmin = (ctx: RequestContext, pool: PoolView) => !!ctx.user && pool.adminUserIds.includes(ctx.user.id);

function requirePoolAdmin(ctx: RequestContext, pool: PoolView) {
  if (!can(ctx, 'pool:manage') && !isPoolAdmin(ctx, pool)) {
    throw forbidden(`This needs the "pool:manage" permission or being an admin of pool ${pool.id}`, 'missing_permission');
  }
}

function requirePoolReader(ctx: RequestContext) {
  if (!can(ctx, 'pool:access') && !can(ctx, 'pool:manage')) requirePermission(ctx, 'pool:access');
}

const RULE_COLUMNS: Record<keyof PoolRulesInput, string> = {
  recycleNoFollowDays: 'recycle_no_follow_days',
  recycleNoDealDays: 'recycle_no_deal_days',
  gradeDays: 'grade_days',
  exemptLocked: 'exempt_locked',
  exemptWon: 'exempt_won',
  exemptOpenOpportunities: 'exempt_open_opportunities',
  noticeDays: 'notice_days',
  ownerCap: 'owner_cap',
  capCountsWon: 'cap_counts_won',
  capScope: 'cap_scope',
  dailyClaimLimit: 'daily_claim_limit',
  reclaimCooldownDays: 'reclaim_cooldown_days',
  protectionHours: 'protection_hours',
};

/**
 * Public pools (公海池) and their rules, and the pool-side reads of a customer: its ownership
 * history and where it stands with recycling. The moves themselves live in PoolMovesService.
 */
export class PoolsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly customers: CustomersService,
  ) {}

  async list(ctx: RequestContext): Promise<PoolView[]> {
    requirePoolReader(ctx);
    const rows = await selectPools(this.db, ctx.tenant.id).orderBy('is_default', 'desc').orderBy('id').execute();
    return rows.map(toPoolView);
  }

  async get(ctx: RequestContext, id: Id): Promise<PoolView> {
    requirePoolReader(ctx);
    return this.find(this.db, ctx, id);
  }

  async find(executor: Kysely<DB> | Transaction<DB>, ctx: RequestContext, id: Id): Promise<PoolView> {
    const row = await selectPools(executor, ctx.tenant.id).where('id', '=', requireId(id, 'id')).executeTakeFirst();
    if (!row) throw notFound('pool', id);
    return toPoolView(row);
  }

  /** The pool a customer belongs to: its own, else the tenant's default. */
  async poolOf(executor: Kysely<DB> | Transaction<DB>, ctx: RequestContext, poolId: Id | null): Promise<PoolView> {
    const q = selectPools(executor, ctx.tenant.id);
    const row = await (poolId ? q.where('id', '=', poolId) : q.where('is_default', '=', true)).executeTakeFirstOrThrow();
    return toPoolView(row);
  }

  async create(ctx: RequestContext, input: PoolInput & { name: string }): Promise<PoolView> {
    requirePermission(ctx, 'pool:manage');
    return inTransaction(this.db, async (trx) => {
      const now = ctx.clock.now();
      const values = await this.columns(trx, ctx, input);
      const row = await trx
        .insertInto('pool')
        .values({ ...values, tenant_id: ctx.tenant.id, name: values.name as string, created_at: now, updated_at: now } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.insertInto('pool_rule').values({ tenant_id: ctx.tenant.id, pool_id: row.id, recycle_no_follow_days: null, recycle_no_deal_days: null, owner_cap: null, daily_claim_limit: null, updated_at: now }).execute();
      const pool = await this.find(trx, ctx, row.id);
      await writeAudit(trx, ctx, { entity: 'pool', entityId: pool.id, action: 'create', after: { ...pool } });
      return pool;
    });
  }

  async update(ctx: RequestContext, id: Id, input: PoolInput, expectedVersion?: number): Promise<PoolView> {
    requirePermission(ctx, 'pool:manage');
    return inTransaction(this.db, async (trx) => {
      const before = await this.find(trx, ctx, id);
      if (expectedVersion !== undefined && expectedVersion !== before.version) throw staleVersion('pool', id);
      const values = await this.columns(trx, ctx, input);
      await trx
        .updateTable('pool')
        .set({ ...values, version: before.version + 1, updated_at: ctx.clock.now() } as never)
        .where('tenant_id', '=', ctx.tenant.id)
        .where('id', '=', id)
        .where('version', '=', before.version)
        .execute();
      const after = await this.find(trx, ctx, id);
      if (after.version !== before.version + 1) throw staleVersion('pool', id);
      await writeAudit(trx, ctx, { entity: 'pool', entityId: id, action: 'update', before: { ...before }, after: { ...after } });
      return after;
    });
  }

  async rules(ctx: RequestContext, poolId: Id): Promise<PoolRules> {
    requirePoolReader(ctx);
    const pool = await this.find(this.db, ctx, poolId);
    return findRules(this.db, ctx.tenant.id, pool.id);
  }

  /** Replaces a pool's rules (PUT): every field given, nulls switch a rule off. */
  async replaceRules(ctx: RequestContext, poolId: Id, input: PoolRulesInput, expectedVersion?: number): Promise<PoolRules> {
    return inTransaction(this.db, async (trx) => {
      const pool = await this.find(trx, ctx, poolId);
      requirePoolAdmin(ctx, pool);
      const before = await findRules(trx, ctx.tenant.id, pool.id);
      if (expectedVersion !== undefined && expectedVersion !== before.version) throw staleVersion('pool_rules', pool.id);
      const gradeDays = await this.checkGradeDays(trx, ctx, input.gradeDays);
      const values: Record<string, unknown> = {};
      for (const [key, column] of Object.entries(RULE_COLUMNS)) values[column] = input[key as keyof PoolRulesInput];
      values.grade_days = JSON.stringify(gradeDays);
      const row = await trx
        .updateTable('pool_rule')
        .set({ ...values, version: before.version + 1, updated_at: ctx.clock.now() } as never)
        .where('tenant_id', '=', ctx.tenant.id)
        .where('pool_id', '=', pool.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const after = toPoolRules(row);
      await writeAudit(trx, ctx, { entity: 'pool_rules', entityId: pool.id, action: 'update', before: { ...before }, after: { ...after } });
      return after;
    });
  }

  /** Customers in one pool, with the filters of the customer list. */
  async poolCustomers(ctx: RequestContext, poolId: Id, filter: CustomerFilter): Promise<Page<CustomerView>> {
    requirePoolReader(ctx);
    const pool = await this.find(this.db, ctx, poolId);
    if (!isPoolMember(ctx, pool)) throw forbidden(`You are not a member of pool ${pool.id}`, 'pool_not_member');
    return this.customers.list(ctx, { ...filter, inPool: true, pool: { id: pool.id, isDefault: pool.isDefault } });
  }

  async history(ctx: RequestContext, customerId: Id): Promise<OwnershipMoveView[]> {
    await this.customers.requireVisible(this.db, ctx, customerId);
    const rows = await this.db
      .selectFrom('ownership_history')
      .selectAll()
      .where('tenant_id', '=', ctx.tenant.id)
      .where('customer_id', '=', customerId)
      .orderBy('id', 'desc')
      .limit(500)
      .execute();
    return rows.map(toMoveView);
  }

  async status(ctx: RequestContext, customerId: Id): Promise<PoolStatus> {
    return this.statusOf(ctx, await this.customers.requireVisible(this.db, ctx, customerId));
  }

  /**
   * The status of a customer row the caller obtained from a customer service call (which checked
   * access), e.g. the answer of a write that gave the customer to someone the caller cannot see.
   */
  async statusOf(ctx: RequestContext, customer: Customer): Promise<PoolStatus> {
    const customerId = customer.id;
    const pool = await this.poolOf(this.db, ctx, customer.pool_id);
    const rules = await findRules(this.db, ctx.tenant.id, pool.id);
    const open = rules.exemptOpenOpportunities
      ? !!(await this.db
          .selectFrom('opportunity')
          .select('id')
          .where('tenant_id', '=', ctx.tenant.id)
          .where('customer_id', '=', customerId)
          .where('status', '=', 'open')
          .where('deleted_at', 'is', null)
          .executeTakeFirst())
      : false;
    return { inPool: customer.in_pool, poolId: pool.id, ...poolStatus(customer, rules, ctx.clock.now(), ctx.tenant.timezone, open) };
  }

  private async columns(trx: Transaction<DB>, ctx: RequestContext, input: PoolInput) {
    const values: Record<string, unknown> = {};
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (!name) throw invalidField('name', 'must not be empty');
      values.name = name;
    }
    if (input.planHandling !== undefined) values.plan_handling = input.planHandling;
    for (const [field, column] of [['memberUserIds', 'member_user_ids'], ['adminUserIds', 'admin_user_ids']] as const) {
      const ids = input[field];
      if (ids === undefined) continue;
      values[column] = await this.existing(trx, ctx, 'app_user', ids, field);
    }
    if (input.memberDepartmentIds !== undefined) values.member_department_ids = await this.existing(trx, ctx, 'department', input.memberDepartmentIds, 'memberDepartmentIds');
    return values;
  }

  private async existing(trx: Transaction<DB>, ctx: RequestContext, table: 'app_user' | 'department', ids: Id[], field: string): Promise<Id[]> {
    const wanted = [...new Set(ids.map((id, i) => requireId(id, `${field}[${i}]`)))];
    if (wanted.length === 0) return [];
    const found = await trx.selectFrom(table).select('id').where('tenant_id', '=', ctx.tenant.id).where('id', 'in', wanted).execute();
    const missing = wanted.filter((id) => !found.some((f) => f.id === id));
    if (missing.length) throw invalidField(field, `${table === 'app_user' ? 'user' : 'department'}(s) ${missing.join(', ')} do not exist`, 'reference_not_found');
    return wanted;
  }

  private async checkGradeDays(trx: Transaction<DB>, ctx: RequestContext, gradeDays: Record<Id, number>): Promise<Record<Id, number>> {
    const ids = Object.keys(gradeDays);
    ids.forEach((id) => requireId(id, `gradeDays.${id}`));
    if (ids.length === 0) return {};
    const found = await trx.selectFrom('dictionary_item').select('id').where('tenant_id', '=', ctx.tenant.id).where('dictionary', '=', 'customer_grade').where('id', 'in', ids).execute();
    const missing = ids.filter((id) => !found.some((f) => f.id === id));
    if (missing.length) throw invalidField('gradeDays', `customer_grade item(s) ${missing.join(', ')} do not exist`, 'reference_not_found');
    return gradeDays;
  }
}
