import type { Id, Opportunity } from '../../db/schema.ts';
import type { PageRequest } from '../shared/pagination.ts';

export type OpportunityStatus = 'open' | 'won' | 'lost';

export const OPPORTUNITY_STATUSES: readonly OpportunityStatus[] = ['open', 'won', 'lost'];

/** An opportunity as read: its row plus the name of its customer (seed 003 shows `cle_name`). */
export interface OpportunityView extends Opportunity {
  customer_name: string;
  /** Display names of option-like custom field values, by key. */
  custom_field_names: Record<string, string>;
}

export interface OpportunityInput {
  name?: string | undefined;
  /** The customer it belongs to; changing it moves the opportunity (both customers' counts follow). */
  customerId?: Id | undefined;
  /** opportunity_type item. */
  typeId?: Id | null | undefined;
  /** customer_source item. */
  sourceId?: Id | null | undefined;
  /** opportunity_stage item. */
  stageId?: Id | null | undefined;
  /** Decimal string, at most 16 integer and 2 fractional digits, ≥ 0; never a float. */
  amount?: string | null | undefined;
  /** YYYY-MM-DD. */
  expectedCloseDate?: string | null | undefined;
  /** Default on create: the caller. */
  ownerId?: Id | null | undefined;
  status?: OpportunityStatus | undefined;
  /** lose_reason item; only with status lost. */
  loseReasonId?: Id | null | undefined;
  /** Only with status lost. */
  loseRemark?: string | null | undefined;
  customFields?: Record<string, unknown> | undefined;
}

export interface OpportunityQuery {
  customerId?: Id | undefined;
  ownerId?: Id | undefined;
  typeId?: Id | undefined;
  stageId?: Id | undefined;
  status?: OpportunityStatus | undefined;
}

export interface OpportunityFilter extends PageRequest, OpportunityQuery {}
