import { Type, type Static } from 'typebox';
import type { OwnershipMoveView, PoolRules, PoolStatus, PoolView } from '../../core/pool/pool.types.ts';
import type { Customer } from '../../db/schema.ts';
import { Id, Nullable, Timestamp } from './common.ts';
import { time, type Zoned } from './render.ts';

const Ids = (description: string) => Type.Array(Id(), { maxItems: 1000, description });
const PlanHandling = Type.Union([Type.Literal('cancel'), Type.Literal('transfer')], {
  description: "What happens to the previous owner's pending contact plans for a customer claimed or assigned from this pool: cancelled, or handed to the new owner",
});

const poolFields = {
  name: Type.String({ minLength: 1, maxLength: 100, description: 'Pool name' }),
  memberUserIds: Type.Optional(Ids('Users who may claim from the pool; with memberDepartmentIds both empty, everyone with pool:access may')),
  memberDepartmentIds: Type.Optional(Ids('Departments whose users may claim from the pool')),
  adminUserIds: Type.Optional(Ids('Pool admins: assign its customers and change its rules without pool:manage')),
  planHandling: Type.Optional(PlanHandling),
};

export const CreatePoolBody = Type.Object(poolFields, { additionalProperties: false });
export const UpdatePoolBody = Type.Object({ ...poolFields, name: Type.Optional(poolFields.name) }, { additionalProperties: false, minProperties: 1 });

export const PoolSchema = Type.Object(
  {
    id: Id(),
    name: Type.String(),
    isDefault: Type.Boolean({ description: 'The tenant\'s default pool: always exists; released customers without a pool of their own go here' }),
    memberUserIds: Type.Array(Id()),
    memberDepartmentIds: Type.Array(Id()),
    adminUserIds: Type.Array(Id()),
    planHandling: PlanHandling,
    version: Type.Integer(),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A public customer pool (公海池)' },
);

const Days = (description: string) => Nullable(Type.Integer({ minimum: 1, maximum: 3650, description: `${description}; null: off` }));
const Count = (description: string) => Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000, description: `${description}; null: no limit` }));

const ruleFields = {
  recycleNoFollowDays: Days('Recycle after this many days without a follow-up, counted in the tenant\'s calendar from the later of the last follow-up and the time the owner got the customer'),
  recycleNoDealDays: Days('Recycle after this many days without a deal, counted from the later of the last deal and the assignment'),
  gradeDays: Type.Record(Type.String({ pattern: '^[1-9][0-9]{0,18}$' }), Type.Integer({ minimum: 1, maximum: 3650 }), {
    description: 'Days without a follow-up per customer grade (customer_grade item id → days), replacing recycleNoFollowDays for that grade',
  }),
  exemptLocked: Type.Boolean({ description: 'Locked customers are never recycled' }),
  exemptWon: Type.Boolean({ description: 'Won customers are never recycled' }),
  exemptOpenOpportunities: Type.Boolean({ description: 'Customers with an open opportunity are never recycled' }),
  noticeDays: Type.Integer({ minimum: 0, maximum: 365, description: 'Owners are notified this many days before a customer is recycled' }),
  ownerCap: Count('Most customers a user (or department, see capScope) may own before claiming is refused'),
  capCountsWon: Type.Boolean({ description: 'Won customers count towards the owner cap' }),
  capScope: Type.Union([Type.Literal('user'), Type.Literal('department')], { description: 'The cap applies per user or per department' }),
  dailyClaimLimit: Count('Most claims per user per day (tenant\'s calendar)'),
  reclaimCooldownDays: Type.Integer({ minimum: 0, maximum: 3650, description: 'Days before the previous owner may claim a customer back; 0: off' }),
  protectionHours: Type.Integer({ minimum: 0, maximum: 87_600, description: 'Hours after entering the pool during which nobody may claim the customer; 0: off' }),
};

export const PoolRulesBody = Type.Object(ruleFields, { additionalProperties: false, description: 'Every rule; PUT replaces them all' });

export const PoolRulesSchema = Type.Object({ poolId: Id(), ...ruleFields, version: Type.Integer(), updatedAt: Timestamp('Last changed') }, { description: 'Recycling and claiming rules of a pool' });

export const ReleaseBody = Type.Object({ reason: Type.Optional(Nullable(Type.String({ maxLength: 500, description: 'Why the customer is released (释放原因)' }))) }, { additionalProperties: false });
export const AssignBody = Type.Object({ userId: Id('The user who gets the customer') }, { additionalProperties: false });

const Move = Type.Union([Type.Literal('release'), Type.Literal('recycle'), Type.Literal('claim'), Type.Literal('assign')]);

export const OwnershipMoveSchema = Type.Object(
  {
    id: Id(),
    customerId: Id(),
    poolId: Nullable(Id()),
    fromUserId: Nullable(Id('Owner before the move')),
    toUserId: Nullable(Id('Owner after the move; null when the customer went to the pool')),
    move: Move,
    reason: Nullable(Type.String()),
    at: Timestamp('When'),
    byUserId: Nullable(Id('Who moved it; null for the recycle job')),
  },
  { description: 'One move of a customer between owners and the pool' },
);

export const MoveResultSchema = Type.Object(
  {
    customerId: Id(),
    move: Move,
    ownerId: Nullable(Id()),
    lastOwnerId: Nullable(Id()),
    inPool: Type.Boolean(),
    poolId: Nullable(Id()),
    poolMoves: Type.Integer({ description: 'Times the customer has been moved to a pool' }),
    version: Type.Integer({ description: 'The customer\'s new version (its ETag)' }),
  },
  { description: 'The customer\'s ownership after a move' },
);

export const PoolStatusSchema = Type.Object(
  {
    inPool: Type.Boolean(),
    poolId: Id('The pool whose rules apply'),
    daysLeft: Nullable(Type.Integer({ description: 'Whole days before the recycle job takes the customer; null: no rule applies (in the pool, exempt, or rules off)' })),
    comingFree: Type.Boolean({ description: 'Within the notice period before recycling' }),
    recycleOn: Nullable(Type.String({ format: 'date', description: 'The tenant-local date the customer is due to be recycled' })),
  },
  { description: 'Where a customer stands with recycling' },
);

export const renderPool = (ctx: Zoned, p: PoolView): Static<typeof PoolSchema> => ({ ...p, createdAt: time(ctx, p.createdAt), updatedAt: time(ctx, p.updatedAt) });

export const renderRules = (ctx: Zoned, r: PoolRules): Static<typeof PoolRulesSchema> => ({ ...r, updatedAt: time(ctx, r.updatedAt) });

export const renderMove = (ctx: Zoned, m: OwnershipMoveView): Static<typeof OwnershipMoveSchema> => ({ ...m, at: time(ctx, m.at) });

export const renderMoveResult = (move: Static<typeof Move>, c: Customer): Static<typeof MoveResultSchema> => ({
  customerId: c.id,
  move,
  ownerId: c.owner_id,
  lastOwnerId: c.last_owner_id,
  inPool: c.in_pool,
  poolId: c.pool_id,
  poolMoves: c.pool_moves,
  version: c.version,
});

export const renderStatus = (s: PoolStatus): Static<typeof PoolStatusSchema> => s;

