import type { Customer, FollowUp, Opportunity } from '../../db/schema.ts';

// Event data is a compact snapshot of the entity: enough for a receiver to act without a read
// back, small enough for every webhook body. Ids stay strings (int64 never passes a float).

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const customerEventData = (c: Customer) => ({
  id: c.id,
  name: c.name,
  ownerId: c.owner_id,
  phones: c.phones,
  typeId: c.type_id,
  gradeId: c.grade_id,
  lifecycleId: c.lifecycle_id,
  isWon: c.is_won,
  inPool: c.in_pool,
  version: c.version,
  updatedAt: iso(c.updated_at),
  deletedAt: iso(c.deleted_at),
});

export const followUpEventData = (f: FollowUp) => ({
  id: f.id,
  customerId: f.customer_id,
  opportunityId: f.opportunity_id,
  userId: f.user_id,
  typeId: f.type_id,
  title: f.title,
  content: f.content_text,
  followedAt: iso(f.followed_at),
  version: f.version,
  updatedAt: iso(f.updated_at),
});

export const opportunityEventData = (o: Opportunity) => ({
  id: o.id,
  customerId: o.customer_id,
  name: o.name,
  ownerId: o.owner_id,
  stageId: o.stage_id,
  status: o.status,
  amount: o.amount,
  expectedCloseDate: o.expected_close_date,
  version: o.version,
  updatedAt: iso(o.updated_at),
  deletedAt: iso(o.deleted_at),
});
