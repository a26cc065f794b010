import { sql, type Kysely, type Transaction } from 'kysely';
import type { Customer, DB, Id, PoolMove } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { recomputeNextFollow } from '../contact-plans/contact-plans.repository.ts';
import type { CustomersService } from '../customers/customers.service.ts';
import { emitEvent } from '../events/outbox.ts';
import { type Actor, can, type RequestContext, requirePermission } from '../shared/context.ts';
import { conflict, forbidden, invalidField, notFound } from '../shared/errors.ts';
import { lockOrder, requireId } from '../shared/ids.ts';
import { inTransaction, updateVersioned } from '../shared/rows.ts';
import { findRules } from './pool.repository.ts';
import { startOfLocalDay } from './pool.status.ts';
import type { PoolRules, PoolView } from './pool.types.ts';
import { isPoolAdmin, isPoolMember, type PoolsService } from './pools.service.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_REASON = 500;

function checkedReason(reason: string | null | undefined): string | null {
  const why = reason?.trim() || null;
  if (why && why.length > MAX_REASON) throw invalidField('reason', `must be at most ${MAX_REASON} characters`);
  return why;
}

const EVENTS = { release: 'pool.released', recycle: 'pool.recycled', claim: 'pool.claimed', assign: 'pool.assigned' } as const;

interface Move {
  move: PoolMove;
  before: Customer;
  after: Customer;
  pool: PoolView;
  reason: string | null;
}

/**
 * The manual moves of a customer between its owner and its pool: release (owner to pool), claim
 * (pool to the caller, within the pool's limits) and assign (pool to a user, by a manager). Each
 * is recorded in the ownership history and the outbox in the same transaction. The rule-driven
 * move, recycling, is set-based and lives in pool.jobs.ts.
 */
export class PoolMovesService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly customers: CustomersService,
    private readonly pools: PoolsService,
  ) {}

  async release(ctx: RequestContext, customerId: Id, reason?: string | null): Promise<Customer> {
    const why = checkedReason(reason);
    return inTransaction(this.db, (trx) => this.releaseIn(trx, ctx, customerId, why));
  }

  /** Releases several customers all or nothing (seed 004 SetPublicCust), locking them in id order. */
  async releaseMany(ctx: RequestContext, customerIds: readonly Id[], reason?: string | null): Promise<Customer[]> {
    const why = checkedReason(reason);
    const ids = lockOrder(customerIds.map((id, i) => requireId(id, customerIds.length === 1 ? 'id' : `customerIds[${i}]`)));
    if (ids.length === 0) throw invalidField('customerIds', 'must name at least one customer');
    return inTransaction(this.db, async (trx) => {
      const released: Customer[] = [];
      for (const id of ids) released.push(await this.releaseIn(trx, ctx, id, why));
      return released;
    });
  }

  private async releaseIn(trx: Transaction<DB>, ctx: RequestContext, customerId: Id, why: string | null): Promise<Customer> {
    const before = await this.customers.requireVisible(trx, ctx, customerId, { forUpdate: true });
    if (before.in_pool) throw conflict('pool_already_in_pool', `Customer ${customerId} is already in the public pool`);
    if (!can(ctx, 'pool:manage') && (!ctx.user || before.owner_id !== ctx.user.id)) {
      throw forbidden(`Only the owner of customer ${customerId} or a pool manager may release it`, 'pool_not_owner');
    }
    const pool = await this.pools.poolOf(trx, ctx, before.pool_id);
    const after = await updateVersioned<Customer>(trx, ctx, {
      table: 'customer',
      entity: 'customer',
      id: before.id,
      values: {
        owner_id: null,
        owner_department_id: null,
        last_owner_id: before.owner_id,
        in_pool: true,
        pool_moves: before.pool_moves + 1,
        pool_moved_at: ctx.clock.now(),
        pool_move_kind: 'manual',
        pool_reason: why,
        pool_id: pool.id,
        updated_by: ctx.user?.id ?? null,
      },
    });
    await this.record(trx, ctx, { move: 'release', before, after, pool, reason: why });
    return after;
  }

  async claim(ctx: RequestContext, customerId: Id): Promise<Customer> {
    requirePermission(ctx, 'pool:access');
    const me = requireActor(ctx);
    return inTransaction(this.db, async (trx) => {
      const before = await this.loadForMove(trx, ctx, customerId);
      const pool = await this.pools.poolOf(trx, ctx, before.pool_id);
      if (!isPoolMember(ctx, pool)) throw forbidden(`You are not a member of pool ${pool.id}, so you cannot claim from it`, 'pool_not_member');
      const rules = await findRules(trx, ctx.tenant.id, pool.id);
      checkTiming(ctx, before, rules, me);
      // One user's claims take turns, so two parallel claims cannot both slip under a limit.
      await trx.selectFrom('app_user').select('id').where('tenant_id', '=', ctx.tenant.id).where('id', '=', me.id).forUpdate().execute();
      await this.checkLimits(trx, ctx, rules, me);
      const after = await this.takeFromPool(trx, ctx, before, me.id, me.departmentId);
      await this.record(trx, ctx, { move: 'claim', before, after, pool, reason: null });
      return after;
    });
  }

  async assign(ctx: RequestContext, customerId: Id, userId: Id): Promise<Customer> {
    requireId(userId, 'userId');
    return inTransaction(this.db, async (trx) => {
      const before = await this.loadForMove(trx, ctx, customerId);
      const pool = await this.pools.poolOf(trx, ctx, before.pool_id);
      if (!can(ctx, 'pool:manage') && !isPoolAdmin(ctx, pool)) {
        throw forbidden(`Assigning pool customers needs the "pool:manage" permission or being an admin of pool ${pool.id}`, 'missing_permission');
      }
      const user = await trx.selectFrom('app_user').select(['id', 'department_id', 'status']).where('tenant_id', '=', ctx.tenant.id).where('id', '=', userId).executeTakeFirst();
      if (!user) throw invalidField('userId', `user ${userId} does not exist`, 'reference_not_found');
      if (user.status !== 'active') throw invalidField('userId', `user ${userId} is disabled`, 'user_disabled');
      const after = await this.takeFromPool(trx, ctx, before, user.id, user.department_id);
      await this.record(trx, ctx, { move: 'assign', before, after, pool, reason: null });
      return after;
    });
  }

  /**
   * A live pool customer. One that has left the pool answers 409 to whoever had pool access (they
   * could see it there: the loser of a race learns it was claimed); any other hidden one is a 404.
   */
  private async loadForMove(trx: Transaction<DB>, ctx: RequestContext, customerId: Id): Promise<Customer> {
    requireId(customerId, 'id');
    const row = await trx.selectFrom('customer').selectAll().where('tenant_id', '=', ctx.tenant.id).where('id', '=', customerId).where('deleted_at', 'is', null).executeTakeFirst();
    if (!row) throw notFound('customer', customerId);
    if (!row.in_pool) {
      const wasPooled = row.pool_moved_at !== null && (can(ctx, 'pool:access') || can(ctx, 'pool:manage'));
      if (!wasPooled) await this.customers.requireVisible(trx, ctx, customerId);
      throw row.owner_id
        ? conflict('pool_already_claimed', `Customer ${customerId} is not in the public pool: it already has an owner`)
        : conflict('pool_not_in_pool', `Customer ${customerId} is not in the public pool`);
    }
    return row;
  }

  private async checkLimits(trx: Transaction<DB>, ctx: RequestContext, rules: PoolRules, me: Actor) {
    const now = ctx.clock.now();
    if (rules.dailyClaimLimit !== null) {
      const today = await trx
        .selectFrom('ownership_history')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', ctx.tenant.id)
        .where('by_user_id', '=', me.id)
        .where('move', '=', 'claim')
        .where('at', '>=', startOfLocalDay(now, ctx.tenant.timezone))
        .executeTakeFirstOrThrow();
      if (Number(today.n) >= rules.dailyClaimLimit) {
        throw forbidden(`Daily claim limit reached: you have claimed ${today.n} of ${rules.dailyClaimLimit} customers allowed today`, 'pool_daily_limit');
      }
    }
    if (rules.ownerCap !== null) {
      const byDepartment = rules.capScope === 'department' && me.departmentId;
      let q = trx
        .selectFrom('customer')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', ctx.tenant.id)
        .where('deleted_at', 'is', null)
        .where(byDepartment ? 'owner_department_id' : 'owner_id', '=', byDepartment ? me.departmentId! : me.id);
      if (!rules.capCountsWon) q = q.where('is_won', '=', false);
      const owned = Number((await q.executeTakeFirstOrThrow()).n);
      if (owned >= rules.ownerCap) {
        const whose = byDepartment ? 'your department owns' : 'you own';
        throw forbidden(`Owner cap reached: ${whose} ${owned} customers${rules.capCountsWon ? '' : ' (not counting won ones)'} and the pool allows at most ${rules.ownerCap}`, 'pool_cap_reached');
      }
    }
  }

  /** The one conditional write that decides a race: only a row still in the pool is taken. */
  private async takeFromPool(trx: Transaction<DB>, ctx: RequestContext, before: Customer, ownerId: Id, departmentId: Id | null): Promise<Customer> {
    const now = ctx.clock.now();
    const after = await trx
      .updateTable('customer')
      .set({
        owner_id: ownerId,
        owner_department_id: departmentId,
        in_pool: false,
        assigned_at: now,
        updated_by: ctx.user?.id ?? null,
        updated_at: now,
        version: sql<number>`version + 1`,
      })
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', before.id)
      .where('in_pool', '=', true)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!after) throw conflict('pool_already_claimed', `Customer ${before.id} was claimed by someone else a moment ago`);
    await writeAudit(trx, ctx, { entity: 'customer', entityId: before.id, action: 'update', before, after });
    return after;
  }

  private async record(trx: Transaction<DB>, ctx: RequestContext, m: Move) {
    const from = m.move === 'release' ? m.before.owner_id : m.before.last_owner_id;
    const to = m.after.owner_id;
    await trx
      .insertInto('ownership_history')
      .values({ tenant_id: ctx.tenant.id, customer_id: m.before.id, pool_id: m.pool.id, from_user_id: from, to_user_id: to, move: m.move, reason: m.reason, at: ctx.clock.now(), by_user_id: ctx.user?.id ?? null })
      .execute();
    await emitEvent(trx, ctx, EVENTS[m.move], m.before.id, { customerId: m.before.id, poolId: m.pool.id, fromUserId: from, toUserId: to, reason: m.reason, byUserId: ctx.user?.id ?? null });
    if ((m.move === 'claim' || m.move === 'assign') && from && from !== to && to) await this.handPlans(trx, ctx, m.before.id, from, to, m.pool.planHandling);
  }

  /** The previous owner's pending plans for the customer: cancelled, or handed to the new owner. */
  private async handPlans(trx: Transaction<DB>, ctx: RequestContext, customerId: Id, from: Id, to: Id, handling: PoolView['planHandling']) {
    const now = ctx.clock.now();
    const changed = await trx
      .updateTable('contact_plan')
      .set({
        ...(handling === 'cancel' ? { status: 'cancelled' as const } : { owner_id: to }),
        version: sql<number>`version + 1`,
        updated_at: now,
        updated_by: ctx.user?.id ?? null,
      })
      .where('tenant_id', '=', ctx.tenant.id)
      .where('customer_id', '=', customerId)
      .where('owner_id', '=', from)
      .where('status', '=', 'pending')
      .returning('id')
      .execute();
    if (changed.length) await recomputeNextFollow(trx, ctx.tenant.id, [customerId]);
  }
}

function requireActor(ctx: RequestContext): Actor {
  if (!ctx.user) throw forbidden('Claiming needs a user: the customer gets an owner', 'missing_user');
  return ctx.user;
}

/** Refusals that depend only on the customer and the clock: the protection period and the cool-down. */
function checkTiming(ctx: RequestContext, customer: Customer, rules: PoolRules, me: Actor) {
  const now = ctx.clock.now().getTime();
  const movedAt = customer.pool_moved_at?.getTime();
  if (movedAt === undefined) return;
  if (rules.protectionHours > 0 && now < movedAt + rules.protectionHours * HOUR) {
    const until = new Date(movedAt + rules.protectionHours * HOUR).toISOString();
    throw conflict('pool_protected', `Protection period: customer ${customer.id} entered the pool less than ${rules.protectionHours} hours ago and cannot be claimed before ${until}`);
  }
  if (rules.reclaimCooldownDays > 0 && customer.last_owner_id === me.id && now < movedAt + rules.reclaimCooldownDays * DAY) {
    const until = new Date(movedAt + rules.reclaimCooldownDays * DAY).toISOString();
    throw forbidden(`Cool-down: you were the previous owner of customer ${customer.id} and may claim it back after ${until} (${rules.reclaimCooldownDays} days)`, 'pool_cooldown');
  }
}
