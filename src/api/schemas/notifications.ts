import { Type, type Static } from 'typebox';
import type { Notification } from '../../core/notifications/notifications.service.ts';
import { Id, Nullable, Page, PageQuery, Timestamp } from './common.ts';
import { maybeTime, time, type Zoned } from './render.ts';

export const NotificationSchema = Type.Object(
  {
    id: Id(),
    kind: Type.String({ description: 'What it is about, e.g. `contact_plan.due`' }),
    title: Type.String(),
    body: Nullable(Type.String()),
    entity: Nullable(Type.String({ description: 'Kind of the record it concerns, e.g. `contact_plan`' })),
    entityId: Nullable(Type.String({ description: 'Id of that record' })),
    createdAt: Timestamp('Created'),
    readAt: Nullable(Timestamp('When the user marked it read; null while unread')),
  },
  { description: "A notification in the caller's own inbox" },
);

export const NotificationListQuery = Type.Object(
  { ...PageQuery, unread: Type.Optional(Type.Boolean({ description: 'Only unread notifications' })) },
  { additionalProperties: false },
);

export const NotificationPage = Type.Intersect([
  Page(NotificationSchema, 'notifications'),
  Type.Object({ unreadCount: Type.Integer({ description: "How many of the caller's notifications are unread (whole inbox)" }) }),
]);

export const ReadAllResult = Type.Object({ marked: Type.Integer({ description: 'How many were unread and are now read' }) });

export const renderNotification = (ctx: Zoned, n: Notification): Static<typeof NotificationSchema> => ({
  id: n.id,
  kind: n.kind,
  title: n.title,
  body: n.body,
  entity: n.entity,
  entityId: n.entity_id,
  createdAt: time(ctx, n.created_at),
  readAt: maybeTime(ctx, n.read_at),
});
