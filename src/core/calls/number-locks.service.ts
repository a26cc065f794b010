import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { can, type RequestContext, requirePermission } from '../shared/context.ts';
import { conflict, forbidden, invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { inTransaction } from '../shared/rows.ts';
import { findUser } from '../users/users.repository.ts';
import type { LockInput, NumberLockView } from './calls.types.ts';

const MAX_NUMBER = 40;

/**
 * Billing-number locks (IMS 号码锁定): while a user holds a billing number, nobody else can
 * take it. Locking a number one already holds is harmless; only the holder, or someone who
 * manages users, releases it.
 */
export class NumberLocksService {
  constructor(private readonly db: Kysely<DB>) {}

  async list(ctx: RequestContext): Promise<NumberLockView[]> {
    return locks(this.db, ctx.tenant.id).orderBy('l.billing_number').execute();
  }

  async lock(ctx: RequestContext, input: LockInput): Promise<NumberLockView> {
    const billingNumber = checkNumber(input.billingNumber);
    const me = ctx.user?.id ?? null;
    const userId = input.userId === undefined ? me : requireId(input.userId, 'userId');
    if (!userId) throw invalidField('userId', 'is required when no user is calling');
    if (userId !== me) requirePermission(ctx, 'users:manage');
    return inTransaction(this.db, async (trx) => {
      const user = await findUser(trx, ctx.tenant.id, userId);
      if (!user) throw invalidField('userId', `user ${userId} does not exist`, 'reference_not_found');
      const inserted = await trx
        .insertInto('number_lock')
        .values({ tenant_id: ctx.tenant.id, billing_number: billingNumber, user_id: userId, locked_at: ctx.clock.now() })
        .onConflict((oc) => oc.columns(['tenant_id', 'billing_number']).doNothing())
        .returningAll()
        .executeTakeFirst();
      const held = await locks(trx, ctx.tenant.id).where('l.billing_number', '=', billingNumber).executeTakeFirstOrThrow();
      if (held.user_id !== userId) {
        throw conflict('number_locked', `billing number ${billingNumber} is locked by ${held.user_name} (user ${held.user_id})`, 'billingNumber');
      }
      if (inserted) await writeAudit(trx, ctx, { entity: 'number_lock', entityId: billingNumber, action: 'create', after: inserted });
      return held;
    });
  }

  /** Releases a number; answers the lock that was removed. */
  async unlock(ctx: RequestContext, billingNumber: string): Promise<NumberLockView> {
    const number = checkNumber(billingNumber);
    return inTransaction(this.db, async (trx) => {
      const held = await locks(trx, ctx.tenant.id).where('l.billing_number', '=', number).forUpdate().executeTakeFirst();
      if (!held) throw notFound('number_lock', number);
      if (held.user_id !== ctx.user?.id && !can(ctx, 'users:manage')) {
        throw forbidden(`billing number ${number} is locked by ${held.user_name}; only they or a user manager can unlock it`, 'number_lock_not_holder');
      }
      await trx.deleteFrom('number_lock').where('tenant_id', '=', ctx.tenant.id).where('billing_number', '=', number).execute();
      await writeAudit(trx, ctx, { entity: 'number_lock', entityId: number, action: 'delete', before: { ...held } });
      return held;
    });
  }
}

function locks(executor: Executor, tenantId: Id) {
  return executor
    .selectFrom('number_lock as l')
    .innerJoin('app_user as u', (j) => j.onRef('u.tenant_id', '=', 'l.tenant_id').onRef('u.id', '=', 'l.user_id'))
    .where('l.tenant_id', '=', tenantId)
    .select(['l.billing_number', 'l.user_id', 'u.name as user_name', 'l.locked_at']);
}

function checkNumber(value: unknown): string {
  const number = typeof value === 'string' ? value.trim() : '';
  if (!number || number.length > MAX_NUMBER) throw invalidField('billingNumber', `is required: 1 to ${MAX_NUMBER} characters`);
  return number;
}
