import { sql, type Kysely } from 'kysely';
import type { DB, Id } from '../../db/schema.ts';
import type { CustomersService } from '../customers/customers.service.ts';
import type { RequestContext } from '../shared/context.ts';
import { invalidField } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit } from '../shared/pagination.ts';

export type TimelineKind = 'follow_up' | 'call' | 'message_board' | 'contract';
export const TIMELINE_KINDS: readonly TimelineKind[] = ['follow_up', 'call', 'message_board', 'contract'];

/** One thing that happened with a customer. */
export interface TimelineEntry {
  kind: TimelineKind;
  /** The id of the follow-up, call, message-board entry or contract. */
  id: Id;
  at: Date;
  title: string | null;
  summary: string;
  user_id: Id | null;
}

interface TimelineRow extends TimelineEntry {
  sort_key: string;
}

/**
 * A customer's timeline (客户动态): its follow-ups, calls, website messages and contracts,
 * newest first, for whoever can see the customer. Contracts appear at their audit time, drafts at
 * their creation.
 */
export class TimelineService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly customers: CustomersService,
  ) {}

  async list(ctx: RequestContext, customerId: Id, request: PageRequest & { kinds?: readonly TimelineKind[] | undefined }): Promise<Page<TimelineEntry>> {
    await this.customers.requireVisible(this.db, ctx, requireId(customerId, 'customerId'));
    const kinds = request.kinds?.length ? request.kinds : TIMELINE_KINDS;
    for (const kind of kinds) if (!TIMELINE_KINDS.includes(kind)) throw invalidField('kinds', `must be among ${TIMELINE_KINDS.join(', ')}`);
    const limit = pageLimit(request);
    const tenant = ctx.tenant.id;
    let after = sql`true`;
    if (request.cursor) {
      const [at, kind, id] = decodeCursor(request.cursor, 3);
      if (typeof at !== 'string' || typeof kind !== 'string') throw invalidField('cursor', 'is not a cursor issued by this list', 'invalid_cursor');
      after = sql`(t.at, t.kind, t.id::bigint) < (${at}::timestamptz, ${kind}, ${requireId(id, 'cursor')}::bigint)`;
    }
    const { rows } = await sql<TimelineRow>`
      SELECT t.kind, t.id, t.at, t.title, t.summary, t.user_id, t.at::text AS sort_key FROM (
        SELECT 'follow_up' AS kind, f.id::text AS id, f.followed_at AS at, f.title, left(f.content_text, 200) AS summary, f.user_id::text AS user_id
          FROM follow_up f WHERE f.tenant_id = ${tenant} AND f.customer_id = ${customerId}
        UNION ALL
        SELECT 'call', k.id::text, k.started_at,
               CASE k.direction WHEN 'in' THEN 'Incoming call' ELSE 'Outgoing call' END,
               k.phone || CASE WHEN k.answered THEN ', answered, ' || k.duration_seconds || ' s' ELSE ', not answered' END
                 || COALESCE(': ' || k.remark, ''),
               k.user_id::text
          FROM call_log k WHERE k.tenant_id = ${tenant} AND k.customer_id = ${customerId}
        UNION ALL
        SELECT 'message_board', m.id::text, m.created_at, 'Website message', COALESCE(m.contact || ': ', '') || left(m.content, 200), NULL
          FROM message_board_entry m WHERE m.tenant_id = ${tenant} AND m.customer_id = ${customerId}
        UNION ALL
        SELECT 'contract', c.id::text, COALESCE(c.audited_at, c.created_at), c.title,
               c.number || ' · ' || c.amount::text || ' · ' || c.status, c.owner_id::text
          FROM contract c WHERE c.tenant_id = ${tenant} AND c.customer_id = ${customerId}
      ) t
      WHERE t.kind = ANY(${sql.val([...kinds])}::text[]) AND ${after}
      ORDER BY t.at DESC, t.kind DESC, t.id::bigint DESC
      LIMIT ${limit + 1}
    `.execute(this.db);
    const items = rows.slice(0, limit).map(({ sort_key: _key, ...entry }) => ({ ...entry, at: new Date(entry.at) }));
    const last = rows[limit - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.sort_key, last.kind, last.id]) : null };
  }
}
