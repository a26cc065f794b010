import type { Id, MessageBoardEntry, PublishedItem } from '../../db/schema.ts';
import type { PageRequest } from '../shared/pagination.ts';

/** An item published on the tenant's website (基础信息); `hits` is a decimal string (int64). */
export type PublishedItemView = Omit<PublishedItem, 'tenant_id'>;

export interface PublishedItemInput {
  title: string;
  url?: string | null | undefined;
  summary?: string | null | undefined;
}

export interface MessageBoardEntryView extends Omit<MessageBoardEntry, 'tenant_id'> {
  customer_name: string;
}

export interface MessageBoardInput {
  customerId: Id;
  content: string;
  /** Who left it and how to reach them (联系人). */
  contact?: string | null | undefined;
}

export interface MessageBoardFilter extends PageRequest {
  customerId?: Id | undefined;
}

/** Seed 004's addHit is an Int32; a website adds views, never removes them. */
export const MAX_ADD_HIT = 2_147_483_647;
