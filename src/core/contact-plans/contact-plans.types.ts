import type { ContactPlan, Id } from '../../db/schema.ts';
import type { FollowUpInput, FollowUpView } from '../follow-ups/follow-ups.types.ts';
import type { PageRequest } from '../shared/pagination.ts';

export type ContactPlanStatus = 'pending' | 'done' | 'cancelled';

export const CONTACT_PLAN_STATUSES: readonly ContactPlanStatus[] = ['pending', 'done', 'cancelled'];

/** A plan as read, with the names wire formats show beside the ids. */
export interface ContactPlanView extends ContactPlan {
  customer_name: string;
  contact_name: string | null;
}

/** A plan as a write gives it; on update every field is optional and absent means unchanged. */
export interface ContactPlanInput {
  customerId?: Id | undefined;
  /** A live contact of that customer. */
  contactId?: Id | null | undefined;
  /** contact_purpose item (seed 004 `type_id`). */
  purposeId?: Id | null | undefined;
  /** contact_route item (seed 004 `route_id`). */
  routeId?: Id | null | undefined;
  title?: string | undefined;
  content?: string | null | undefined;
  plannedAt?: Date | undefined;
  /** Default on create: the caller. */
  ownerId?: Id | undefined;
  /** done sets doneAt; leaving done clears doneAt and the fulfilling follow-up. */
  status?: ContactPlanStatus | undefined;
  /** The follow-up that scheduled this plan (seed 004 `history_id`); one of the same customer. */
  sourceFollowUpId?: Id | null | undefined;
  /** The follow-up that fulfilled it; only with status done. */
  fulfilledFollowUpId?: Id | null | undefined;
}

export interface ContactPlanQuery {
  customerId?: Id | undefined;
  contactId?: Id | undefined;
  ownerId?: Id | undefined;
  status?: ContactPlanStatus | undefined;
  /** planned_at at or after. */
  plannedFrom?: Date | undefined;
  /** planned_at before. */
  plannedTo?: Date | undefined;
}

export interface ContactPlanFilter extends PageRequest, ContactPlanQuery {
  /** By planned time; default ascending (the next one due first). */
  order?: 'asc' | 'desc' | undefined;
}

/** The plan scheduled after an executed one: same customer; contact, purpose, route, title and owner default to the executed plan's. */
export interface NextPlanInput {
  plannedAt: Date;
  title?: string | undefined;
  content?: string | null | undefined;
  contactId?: Id | null | undefined;
  purposeId?: Id | null | undefined;
  routeId?: Id | null | undefined;
  ownerId?: Id | undefined;
}

export interface ExecutePlanInput {
  /**
   * The follow-up to write. The plan's customer, contact, purpose, route, title and content fill
   * what is absent (null clears a default); a customerId, when given, must be the plan's.
   */
  followUp?: Partial<FollowUpInput> | undefined;
  next?: NextPlanInput | null | undefined;
}

export interface ExecutedPlan {
  plan: ContactPlanView;
  followUp: FollowUpView;
  nextPlan: ContactPlanView | null;
}
