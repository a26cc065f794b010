import type { Kysely, Transaction } from 'kysely';
import type { DB, Id } from '../../db/schema.ts';
import type { JobHandler, RunningJob } from '../../jobs/types.ts';
import { notify } from '../notifications/notify.ts';
import type { Clock } from '../shared/clock.ts';
import { inTransaction } from '../shared/rows.ts';
import { defaultPoolId, dueSoon, recycleDue, type TenantDay } from './pool.repository.ts';
import { isoDay, localDay } from './pool.status.ts';

/** Job kinds of the pool, as the scheduler enqueues them (daily, per tenant). */
export const POOL_JOB_KINDS = { recycle: 'pool.recycle', notice: 'pool.notice' } as const;

const NOTIFY_BATCH = 1000;

async function tenantDay(db: Kysely<DB>, tenantId: Id, now: Date): Promise<TenantDay | null> {
  const tenant = await db.selectFrom('tenant').select(['id', 'timezone']).where('id', '=', tenantId).executeTakeFirst();
  if (!tenant) return null;
  return { tenantId, defaultPoolId: await defaultPoolId(db, tenantId), timeZone: tenant.timezone, today: isoDay(localDay(now, tenant.timezone)) };
}

/** The tenant a job is for: its own tenant, else payload.tenantId; none: every tenant. */
async function tenantsOf(db: Kysely<DB>, job: RunningJob): Promise<Id[]> {
  const id = job.tenantId ?? (typeof job.payload.tenantId === 'string' || typeof job.payload.tenantId === 'number' ? String(job.payload.tenantId) : null);
  if (id) return [id];
  return (await db.selectFrom('tenant').select('id').orderBy('id').execute()).map((t) => t.id);
}

/**
 * Moves every customer that a rule says is due into its pool, in one set-based statement per
 * tenant, and tells each previous owner how many they lost (once per owner and day). Running it
 * twice the same day recycles nothing new.
 */
export async function recycleTenant(db: Kysely<DB>, clock: Clock, tenantId: Id): Promise<number> {
  return inTransaction(db, (trx) => recycleTenantIn(trx, clock, tenantId));
}

/** The recycle of one tenant inside the caller's transaction (the benchmark rolls it back). */
export async function recycleTenantIn(trx: Transaction<DB>, clock: Clock, tenantId: Id): Promise<number> {
  const now = clock.now();
  const day = await tenantDay(trx, tenantId, now);
  if (!day) return 0;
  const losses = await recycleDue(trx, day, now);
  const source = { tenant: { id: tenantId }, clock };
  for (let i = 0; i < losses.length; i += NOTIFY_BATCH) {
    await notify(
      trx,
      source,
      losses.slice(i, i + NOTIFY_BATCH).map((l) => ({
        userId: l.ownerId,
        kind: 'pool.recycled',
        title: `${l.count} 个客户已被回收到公海`,
        body: `${l.count} customer(s) returned to the public pool on ${day.today} by the recycling rules`,
        dedupeKey: `pool-recycled:${l.ownerId}:${day.today}`,
      })),
    );
  }
  return losses.reduce((sum, l) => sum + l.count, 0);
}

/** One notice per owner, customer and recycle date for customers within the notice period. */
export async function noticeTenant(db: Kysely<DB>, clock: Clock, tenantId: Id): Promise<number> {
  const now = clock.now();
  const day = await tenantDay(db, tenantId, now);
  if (!day) return 0;
  const rows = await dueSoon(db, day);
  const source = { tenant: { id: tenantId }, clock };
  let created = 0;
  for (let i = 0; i < rows.length; i += NOTIFY_BATCH) {
    created += await notify(
      db,
      source,
      rows.slice(i, i + NOTIFY_BATCH).map((r) => ({
        userId: r.owner_id,
        kind: 'pool.recycle_notice',
        title: `客户「${r.name}」将于 ${r.due} 被回收到公海`,
        body: `Customer ${r.name} will return to the public pool on ${r.due} unless followed up`,
        entity: 'customer',
        entityId: r.id,
        dedupeKey: `pool-notice:${r.owner_id}:${r.id}:${r.due}`,
      })),
    );
  }
  return created;
}

export const poolRecycleJob: JobHandler = async (job, { db, clock }) => {
  for (const tenantId of await tenantsOf(db, job)) await recycleTenant(db, clock, tenantId);
};

export const poolNoticeJob: JobHandler = async (job, { db, clock }) => {
  for (const tenantId of await tenantsOf(db, job)) await noticeTenant(db, clock, tenantId);
};
