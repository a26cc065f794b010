import { errorResponses, IdParams } from '../schemas/common.ts';
import { NotificationListQuery, NotificationPage, NotificationSchema, ReadAllResult, renderNotification } from '../schemas/notifications.ts';
import type { RoutePlugin } from '../types.ts';

export const notificationRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['notifications'];

  app.get(
    '/notifications',
    { schema: { tags, summary: "The caller's notifications, newest first", querystring: NotificationListQuery, response: { 200: NotificationPage, ...errorResponses } } },
    async (request) => {
      const page = await services.notifications.list(request.ctx, request.query);
      return { items: page.items.map((n) => renderNotification(request.ctx, n)), nextCursor: page.nextCursor, unreadCount: page.unreadCount };
    },
  );

  app.post(
    '/notifications/:id/read',
    { schema: { tags, summary: 'Mark one of your notifications read', params: IdParams, response: { 200: NotificationSchema, ...errorResponses } } },
    async (request) => renderNotification(request.ctx, await services.notifications.markRead(request.ctx, request.params.id)),
  );

  app.post(
    '/notifications/read-all',
    { schema: { tags, summary: 'Mark all your notifications read', response: { 200: ReadAllResult, ...errorResponses } } },
    async (request) => ({ marked: await services.notifications.markAllRead(request.ctx) }),
  );
};
