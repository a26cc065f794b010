import { Type, type Static } from 'typebox';
import type { MessageBoardEntryView, PublishedItemView } from '../../core/ecommerce/ecommerce.types.ts';
import type { SiteKeyView } from '../../core/site-keys/site-keys.types.ts';
import type { TimelineEntry } from '../../core/timeline/timeline.service.ts';
import { Id, Nullable, PageQuery, Timestamp } from './common.ts';
import { maybeTime, time, type Zoned } from './render.ts';

export const CreateSiteKeyBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100, description: 'What the key is for, e.g. the website\'s name' }) },
  { additionalProperties: false },
);

export const SiteKeyListQuery = Type.Object(
  { ...PageQuery, includeRevoked: Type.Optional(Type.Boolean({ description: 'Also list revoked keys' })) },
  { additionalProperties: false },
);

export const SiteKeySchema = Type.Object(
  {
    id: Id(),
    name: Type.String(),
    keyPrefix: Type.String({ description: 'The first characters of the key, to recognise it' }),
    lastUsedAt: Nullable(Timestamp('Last used (to the minute)')),
    revokedAt: Nullable(Timestamp('When it was revoked')),
    createdBy: Nullable(Id()),
    createdAt: Timestamp('Created'),
  },
  { description: 'A site key (站点密钥): authenticates the tenant\'s website to seed 004\'s ECommerce handlers' },
);

export const IssuedSiteKeySchema = Type.Object(
  { key: Type.String({ description: 'The site key; shown only in this answer' }), siteKey: SiteKeySchema },
  { description: 'A new site key' },
);

export function renderSiteKey(ctx: Zoned, k: SiteKeyView): Static<typeof SiteKeySchema> {
  return {
    id: k.id,
    name: k.name,
    keyPrefix: k.key_prefix,
    lastUsedAt: maybeTime(ctx, k.last_used_at),
    revokedAt: maybeTime(ctx, k.revoked_at),
    createdBy: k.created_by,
    createdAt: time(ctx, k.created_at),
  };
}

export const CreatePublishedItemBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200, description: 'Title (标题)' }),
    url: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: 'Where it is published' }))),
    summary: Type.Optional(Nullable(Type.String({ maxLength: 5000, description: 'Summary (简介)' }))),
  },
  { additionalProperties: false },
);

export const AddHitsBody = Type.Object(
  { addHit: Type.Integer({ minimum: 0, maximum: 2147483647, description: 'Views to add to the counter' }) },
  { additionalProperties: false },
);

export const PublishedItemSchema = Type.Object(
  {
    id: Id(),
    title: Type.String(),
    url: Nullable(Type.String()),
    summary: Nullable(Type.String()),
    hits: Type.String({ pattern: '^[0-9]+$', description: 'Views so far (点击量), a 64-bit count written as a string of digits' }),
    createdBy: Nullable(Id()),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed or viewed'),
  },
  { description: 'An item published on the tenant\'s website (基础信息)' },
);

export function renderPublishedItem(ctx: Zoned, item: PublishedItemView): Static<typeof PublishedItemSchema> {
  return {
    id: item.id,
    title: item.title,
    url: item.url,
    summary: item.summary,
    hits: item.hits,
    createdBy: item.created_by,
    createdAt: time(ctx, item.created_at),
    updatedAt: time(ctx, item.updated_at),
  };
}

export const MessageBoardListQuery = Type.Object({ ...PageQuery, customerId: Type.Optional(Id()) }, { additionalProperties: false });

export const MessageBoardEntrySchema = Type.Object(
  {
    id: Id(),
    customerId: Id(),
    customerName: Type.String(),
    content: Type.String({ description: 'The message (留言内容)' }),
    contact: Nullable(Type.String({ description: 'Who left it and how to reach them (联系人)' })),
    createdAt: Timestamp('When it was left'),
  },
  { description: 'A message left on the tenant\'s website (留言反馈)' },
);

export function renderMessageBoardEntry(ctx: Zoned, m: MessageBoardEntryView): Static<typeof MessageBoardEntrySchema> {
  return { id: m.id, customerId: m.customer_id, customerName: m.customer_name, content: m.content, contact: m.contact, createdAt: time(ctx, m.created_at) };
}

const TimelineKind = Type.Union([Type.Literal('follow_up'), Type.Literal('call'), Type.Literal('message_board'), Type.Literal('contract')], {
  description: 'follow_up (跟进记录), call (通话), message_board (网站留言) or contract (合同订单)',
});

export const TimelineQuery = Type.Object(
  {
    ...PageQuery,
    kinds: Type.Optional(Type.String({ pattern: '^[a-z_]+(,[a-z_]+)*$', description: 'Comma-separated kinds to include; default all' })),
  },
  { additionalProperties: false },
);

export const TimelineEntrySchema = Type.Object(
  {
    kind: TimelineKind,
    id: Id('The id of the follow-up, call, message or contract'),
    at: Timestamp('When it happened'),
    title: Nullable(Type.String()),
    summary: Type.String({ description: 'A line of text about it' }),
    userId: Nullable(Id('The user involved')),
  },
  { description: 'One thing that happened with a customer' },
);

export function renderTimelineEntry(ctx: Zoned, e: TimelineEntry): Static<typeof TimelineEntrySchema> {
  return { kind: e.kind, id: e.id, at: time(ctx, e.at), title: e.title, summary: e.summary, userId: e.user_id };
}
