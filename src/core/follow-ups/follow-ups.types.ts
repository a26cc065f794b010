import type { FollowUp, Id } from '../../db/schema.ts';
import type { PageRequest } from '../shared/pagination.ts';

export interface AttachmentInput {
  /** An attachment the follow-up already has: kept (and changed where given). Absent: a new one. */
  id?: Id | undefined;
  /** Default: the stored file's name, or the last segment of the URL. */
  name?: string | undefined;
  /** External address (http or https, or a path on this server); or give fileId. */
  url?: string | null | undefined;
  /** A file stored through /files. */
  fileId?: Id | null | undefined;
  /** The client's own category for the attachment (seed 000 `BusinessCode`). */
  businessCode?: string | null | undefined;
}

/** A follow-up as a write gives it; on update every field is optional and absent means unchanged. */
export interface FollowUpInput {
  customerId: Id;
  /** Contacts of that customer; replaces the list on update. */
  contactIds?: Id[] | undefined;
  /** An opportunity of that customer. */
  opportunityId?: Id | null | undefined;
  /** follow_up_type item. */
  typeId?: Id | null | undefined;
  /** contact_purpose item. */
  purposeId?: Id | null | undefined;
  /** contact_route item. */
  routeId?: Id | null | undefined;
  /** visit_event item. */
  eventId?: Id | null | undefined;
  title?: string | null | undefined;
  /** HTML as the editor produced it; kept as given, with its plain text derived. */
  content?: string | undefined;
  /** Default on create: now. */
  followedAt?: Date | undefined;
  /** Check-in site (签到地址). */
  site?: string | null | undefined;
  /** Both or neither. */
  latitude?: number | null | undefined;
  longitude?: number | null | undefined;
  /** Decimal string, at least 0, two decimals at most. */
  cost?: string | null | undefined;
  costNote?: string | null | undefined;
  /** Remark apart from the content (seed 001 `event_note`). */
  note?: string | null | undefined;
  /** On update: items with an id are kept, items without one added, the others removed. */
  attachments?: AttachmentInput[] | undefined;
  /** Collaborating users (协作人); replaces the list on update. */
  participantIds?: Id[] | undefined;
  /** Who followed up; default on create: the caller. */
  userId?: Id | undefined;
  visitReportId?: Id | null | undefined;
  customFields?: Record<string, unknown> | undefined;
  /**
   * On update, when customerId moves the follow-up: drop its contacts and opportunity (the old
   * customer's) instead of refusing the move. For wire formats without those fields (seed 000).
   */
  detachOnMove?: boolean | undefined;
}

export type FollowUpChanges = Partial<FollowUpInput>;

export interface DictionaryRef {
  id: Id;
  code: number;
  name: string;
}

export interface AttachmentView {
  id: Id;
  name: string;
  url: string | null;
  file_id: Id | null;
  business_code: string | null;
}

/** A follow-up with what hangs off it and the names every wire format shows beside the ids. */
export interface FollowUpView extends FollowUp {
  customer_name: string;
  user_name: string;
  contact_ids: Id[];
  participant_ids: Id[];
  attachments: AttachmentView[];
  type: DictionaryRef | null;
  purpose: DictionaryRef | null;
  route: DictionaryRef | null;
  event: DictionaryRef | null;
  /** Display names of option-like custom field values, by key. */
  custom_field_names: Record<string, string>;
}

export type FollowUpSort = 'followedAt' | 'createdAt' | 'updatedAt';

export interface FollowUpFilter extends PageRequest {
  customerId?: Id | undefined;
  /** Who followed up. */
  userId?: Id | undefined;
  /** A collaborating user (seed 001 `follower_id`). */
  participantId?: Id | undefined;
  /** Owner of the customer (seed 001 `director_id`). */
  ownerId?: Id | undefined;
  opportunityId?: Id | undefined;
  typeId?: Id | undefined;
  visitReportId?: Id | undefined;
  /** followed_at at or after. */
  from?: Date | undefined;
  /** followed_at before. */
  to?: Date | undefined;
  /** created_at at or after (seed 003 `create_time`). */
  createdFrom?: Date | undefined;
  /** Fragment of the plain text. */
  q?: string | undefined;
  /** Customer name fragment, pinyin or initials, as the customer search takes it. */
  customerQ?: string | undefined;
  /** Customer phone, whole or last digits. */
  customerPhone?: string | undefined;
  sort?: FollowUpSort | undefined;
  order?: 'asc' | 'desc' | undefined;
  /** Rows to skip, for wire formats that page by number (seed 001); replaces the cursor. */
  offset?: number | undefined;
}

/** Dictionary codes a wire format may send instead of item ids. */
export interface FollowUpCodes {
  typeCode?: number | undefined;
  purposeCode?: number | undefined;
  routeCode?: number | undefined;
  eventCode?: number | undefined;
}
