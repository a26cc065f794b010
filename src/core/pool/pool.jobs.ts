import type { Kysely } from 'kysely';
import type { DB, Id } from '../../db/schema.ts';
import type { JobHandler, RunningJob } from '../../jobs/types.ts';
import { notify } from '../notifications/notify.ts';
import type { Clock } from '../shared/clock.ts';
import { inTransaction } from '../shared/rows.ts';
import { eachConcurrently } from '../shared/concurrently.ts';
import { customerIdBounds, defaultPoolId, dueSoon, recycleDue, type IdRange, type TenantDay } from './pool.repository.ts';
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

/** Customers per recycle transaction: row locks are held for a few seconds, not the whole run. */
export const RECYCLE_SLICE = 50_000;
/** Slices recycled at once, each in its own transaction on its own connection. */
const RECYCLE_LANES = 2;

/**
 * Moves every customer that a rule says is due into its pool, set-based, in slices of
 * RECYCLE_SLICE customers by id, each slice in a transaction of its own with its history and
 * outbox rows. Then tells each previous owner how many they lost (once per owner and day).
 * Running it twice the same day recycles nothing new. Slices keep a user's edit of one of these
 * customers from waiting for the whole run, and two at a time use a second core of the database.
 * A run cut off after some slices keeps their moves, each whole, and the retry moves the rest;
 * the owners' notices then count only what the retry moved.
 */
export async function recycleTenant(db: Kysely<DB>, clock: Clock, tenantId: Id, slice = RECYCLE_SLICE): Promise<number> {
  const now = clock.now();
  const day = await tenantDay(db, tenantId, now);
  if (!day) return 0;
  const bounds = await customerIdBounds(db, tenantId, slice);
  const slices: IdRange[] = [...bounds, null].map((upTo, i) => ({ after: i === 0 ? null : bounds[i - 1]!, upTo }));
  const lost = new Map<Id, number>();
  await eachConcurrently(slices, RECYCLE_LANES, async (range) => {
    const losses = await inTransaction(db, (trx) => recycleDue(trx, day, now, range));
    for (const { ownerId, count } of losses) lost.set(ownerId, (lost.get(ownerId) ?? 0) + count);
  });
  const losses = [...lost].sort(([a], [b]) => Number(a) - Number(b));
  const source = { tenant: { id: tenantId }, clock };
  for (let i = 0; i < losses.length; i += NOTIFY_BATCH) {
    await notify(
      db,
      source,
      losses.slice(i, i + NOTIFY_BATCH).map(([ownerId, count]) => ({
        userId: ownerId,
        kind: 'pool.recycled',
        title: `${count} 个客户已被回收到公海`,
        body: `${count} customer(s) returned to the public pool on ${day.today} by the recycling rules`,
        dedupeKey: `pool-recycled:${ownerId}:${day.today}`,
      })),
    );
  }
  return losses.reduce((sum, [, count]) => sum + count, 0);
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
