import type { Kysely } from 'kysely';
import type { AuditEntry, DB } from '../../db/schema.ts';
import { requireId } from '../shared/ids.ts';
import { type RequestContext, requirePermission } from '../shared/context.ts';
import { decodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../shared/pagination.ts';
import { listAudit } from './audit.repository.ts';

export interface AuditFilter extends PageRequest {
  entity?: string | undefined;
  entityId?: string | undefined;
  userId?: string | undefined;
}

export class AuditService {
  constructor(private readonly db: Kysely<DB>) {}

  /** Newest first. Admin-only: the log shows every change in the tenant. */
  async list(ctx: RequestContext, filter: AuditFilter): Promise<Page<AuditEntry>> {
    requirePermission(ctx, 'audit:read');
    const limit = pageLimit(filter);
    const before = filter.cursor ? requireId(decodeCursor(filter.cursor, 1)[0], 'cursor') : undefined;
    const rows = await listAudit(this.db, ctx.tenant.id, {
      entity: filter.entity,
      entityId: filter.entityId,
      userId: filter.userId === undefined ? undefined : requireId(filter.userId, 'userId'),
      before,
      limit,
    });
    return toPage(rows, limit, (last) => [last.id]);
  }
}
