import type { Id, PoolMove } from '../../db/schema.ts';

export type PlanHandling = 'cancel' | 'transfer';

/** A pool (公海池) as the services hand it out; member and admin ids as decimal strings. */
export interface PoolView {
  id: Id;
  name: string;
  isDefault: boolean;
  memberUserIds: Id[];
  memberDepartmentIds: Id[];
  adminUserIds: Id[];
  planHandling: PlanHandling;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface PoolInput {
  name?: string | undefined;
  memberUserIds?: Id[] | undefined;
  memberDepartmentIds?: Id[] | undefined;
  adminUserIds?: Id[] | undefined;
  planHandling?: PlanHandling | undefined;
}

/** The recycling and claiming rules of one pool. Null days or limits mean "off". */
export interface PoolRules {
  poolId: Id;
  recycleNoFollowDays: number | null;
  recycleNoDealDays: number | null;
  /** Days without follow-up by customer grade (dictionary item id), overriding recycleNoFollowDays. */
  gradeDays: Record<Id, number>;
  exemptLocked: boolean;
  exemptWon: boolean;
  exemptOpenOpportunities: boolean;
  noticeDays: number;
  ownerCap: number | null;
  capCountsWon: boolean;
  capScope: 'user' | 'department';
  dailyClaimLimit: number | null;
  reclaimCooldownDays: number;
  protectionHours: number;
  version: number;
  updatedAt: Date;
}

export type PoolRulesInput = Omit<PoolRules, 'poolId' | 'version' | 'updatedAt'>;

export interface OwnershipMoveView {
  id: Id;
  customerId: Id;
  poolId: Id | null;
  fromUserId: Id | null;
  toUserId: Id | null;
  move: PoolMove;
  reason: string | null;
  at: Date;
  byUserId: Id | null;
}

/** Where a customer stands with the pool: for reads (seed 002's `_left_days`, `_coming_free`). */
export interface PoolStatus {
  inPool: boolean;
  poolId: Id;
  /** Whole days (tenant's calendar) until the recycle job takes the customer; null: no rule applies. */
  daysLeft: number | null;
  /** Within the pool's notice period before recycling. */
  comingFree: boolean;
  /** The tenant-local date the customer is due to be recycled, YYYY-MM-DD. */
  recycleOn: string | null;
}
