import type { Kysely } from 'kysely';
import type { DB, Id } from '../../db/schema.ts';
import type { RequestContext } from '../shared/context.ts';
import { forbidden, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../shared/pagination.ts';

export interface Notification {
  id: Id;
  kind: string;
  title: string;
  body: string | null;
  entity: string | null;
  entity_id: string | null;
  created_at: Date;
  read_at: Date | null;
}

export interface NotificationFilter extends PageRequest {
  /** Only the unread ones. */
  unread?: boolean | undefined;
}

const COLUMNS = ['id', 'kind', 'title', 'body', 'entity', 'entity_id', 'created_at', 'read_at'] as const;

/** A user's own inbox: nobody reads or marks another user's notifications, admins included. */
export class NotificationsService {
  constructor(private readonly db: Kysely<DB>) {}

  /** Newest first (by id, which follows creation), with the number still unread. */
  async list(ctx: RequestContext, filter: NotificationFilter): Promise<Page<Notification> & { unreadCount: number }> {
    const userId = owner(ctx);
    const limit = pageLimit(filter);
    let query = this.db
      .selectFrom('notification')
      .select(COLUMNS)
      .where('tenant_id', '=', ctx.tenant.id)
      .where('user_id', '=', userId);
    if (filter.unread) query = query.where('read_at', 'is', null);
    if (filter.cursor) {
      const [after] = decodeCursor(filter.cursor, 1);
      query = query.where('id', '<', requireId(after, 'cursor'));
    }
    const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
    return { ...toPage(rows, limit, (last) => [last.id]), unreadCount: await this.unreadCount(ctx) };
  }

  async unreadCount(ctx: RequestContext): Promise<number> {
    const row = await this.db
      .selectFrom('notification')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('tenant_id', '=', ctx.tenant.id)
      .where('user_id', '=', owner(ctx))
      .where('read_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Marks one as read; reading it again keeps the first read time. Another user's is not found. */
  async markRead(ctx: RequestContext, id: Id): Promise<Notification> {
    requireId(id, 'id');
    const userId = owner(ctx);
    const row = await this.db
      .updateTable('notification')
      .set((eb) => ({ read_at: eb.fn.coalesce('read_at', eb.val(ctx.clock.now())) }))
      .where('tenant_id', '=', ctx.tenant.id)
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirst();
    if (!row) throw notFound('notification', id);
    return row;
  }

  /** Returns how many were marked. */
  async markAllRead(ctx: RequestContext): Promise<number> {
    const result = await this.db
      .updateTable('notification')
      .set({ read_at: ctx.clock.now() })
      .where('tenant_id', '=', ctx.tenant.id)
      .where('user_id', '=', owner(ctx))
      .where('read_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

function owner(ctx: RequestContext): Id {
  if (!ctx.user) throw forbidden('Notifications belong to users; this caller is not one', 'no_user');
  return ctx.user.id;
}
