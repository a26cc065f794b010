import type { Contract, Id } from '../../db/schema.ts';
import type { PageRequest } from '../shared/pagination.ts';

/** A contract (合同) or a sample-gift order (样品赠品订单); only contracts count as deals. */
export type ContractKind = 'contract' | 'sample_gift';
export const CONTRACT_KINDS: readonly ContractKind[] = ['contract', 'sample_gift'];

/** draft → audited (审核) → stopped (终止); audited → draft is an un-audit (反审核). */
export type ContractStatus = 'draft' | 'audited' | 'stopped';
export const CONTRACT_STATUSES: readonly ContractStatus[] = ['draft', 'audited', 'stopped'];

export interface ContractView extends Contract {
  customer_name: string;
}

/** A contract as a write gives it; on update every field is optional and absent means unchanged. */
export interface ContractInput {
  customerId?: Id | undefined;
  kind?: ContractKind | undefined;
  /** Unique in the tenant; generated on create when absent (HT-/YP-YYYYMMDD-<id>). */
  number?: string | undefined;
  title?: string | undefined;
  /** Decimal string ≥ 0, at most 2 fractional digits. */
  amount?: string | undefined;
  /** YYYY-MM-DD. */
  signedOn?: string | null | undefined;
  startsOn?: string | null | undefined;
  endsOn?: string | null | undefined;
  /** Default on create: the caller, else the customer's owner. */
  ownerId?: Id | undefined;
  note?: string | null | undefined;
}

export interface ContractQuery {
  customerId?: Id | undefined;
  ownerId?: Id | undefined;
  kind?: ContractKind | undefined;
  status?: ContractStatus | undefined;
  /** Part of the number or title. */
  q?: string | undefined;
}

export interface ContractFilter extends PageRequest, ContractQuery {}

export interface TransitionOptions {
  /** When given, a contract of the other kind answers not-found. */
  kind?: ContractKind | undefined;
  expectedVersion?: number | undefined;
}
