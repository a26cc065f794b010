import type { CallLog, Id } from '../../db/schema.ts';
import type { PageRequest } from '../shared/pagination.ts';

/** in: the customer called (seed 004 callType 1, 来电); out: a user called (2, 去电). */
export type CallDirection = 'in' | 'out';
export const CALL_DIRECTIONS: readonly CallDirection[] = ['in', 'out'];

export interface CallView extends CallLog {
  user_name: string | null;
  customer_name: string | null;
}

export interface CallInput {
  /** The other party's number; spaces, dashes, parentheses and a leading + are dropped. */
  phone: string;
  direction: CallDirection;
  answered: boolean;
  startedAt: Date;
  endedAt?: Date | null | undefined;
  /** Default: endedAt − startedAt in whole seconds (0 without an end). */
  durationSeconds?: number | undefined;
  recorded?: boolean | undefined;
  recordingUrl?: string | null | undefined;
  /** The billing (IMS) number the call went through (计费号码). */
  billingNumber?: string | null | undefined;
  /** The number the other party saw (外显号码). */
  displayNumber?: string | null | undefined;
  /** Default: the caller. */
  userId?: Id | undefined;
  /** Default on create: the live customer whose phones include the number, if any; null detaches. */
  customerId?: Id | null | undefined;
  remark?: string | null | undefined;
}

export type CallUpdate = Partial<CallInput>;

export interface CallQuery {
  customerId?: Id | undefined;
  userId?: Id | undefined;
  phone?: string | undefined;
  direction?: CallDirection | undefined;
  billingNumber?: string | undefined;
  /** started_at at or after. */
  startedFrom?: Date | undefined;
  /** started_at before. */
  startedTo?: Date | undefined;
}

export interface CallFilter extends PageRequest, CallQuery {}

/** Seed 004 UpdateCallHistory finds the call by its number and start time. */
export interface CallKey {
  phone: string;
  startedAt: Date;
}

export interface NumberLockView {
  billing_number: string;
  user_id: Id;
  user_name: string;
  locked_at: Date;
}

export interface LockInput {
  billingNumber: string;
  /** Default: the caller; another user's lock needs users:manage. */
  userId?: Id | undefined;
}
