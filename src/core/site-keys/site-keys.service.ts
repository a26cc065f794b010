import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DataScope, DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import type { CallerInfo } from '../auth/auth.service.ts';
import { type RequestContext, requirePermission } from '../shared/context.ts';
import { invalidField, notFound, unauthenticated } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../shared/pagination.ts';
import { inTransaction } from '../shared/rows.ts';
import type { CreatedSiteKey, SiteKeyView } from './site-keys.types.ts';

export const SITE_KEY_PREFIX = 'gsk_';
const MAX_NAME = 100;
const COLUMNS = ['id', 'name', 'key_prefix', 'last_used_at', 'revoked_at', 'created_by', 'created_at'] as const;

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Site keys (站点密钥): what a tenant's public website presents to seed 004's ECommerce handlers
 * instead of a user's token. 256 random bits, stored only as a SHA-256 hash, shown once on
 * creation. Managing them needs tenant:manage.
 */
export class SiteKeysService {
  constructor(private readonly db: Kysely<DB>) {}

  async create(ctx: RequestContext, input: { name: string }): Promise<CreatedSiteKey> {
    requirePermission(ctx, 'tenant:manage');
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name || name.length > MAX_NAME) throw invalidField('name', `is required: 1 to ${MAX_NAME} characters`);
    const key = SITE_KEY_PREFIX + randomBytes(32).toString('base64url');
    return inTransaction(this.db, async (trx) => {
      const row = await trx
        .insertInto('site_key')
        .values({
          tenant_id: ctx.tenant.id,
          name,
          key_hash: hashKey(key),
          key_prefix: key.slice(0, SITE_KEY_PREFIX.length + 6),
          created_by: ctx.user?.id ?? null,
          created_at: ctx.clock.now(),
        })
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'site_key', entityId: row.id, action: 'create', after: row });
      return { siteKey: row, key };
    });
  }

  async list(ctx: RequestContext, filter: PageRequest & { includeRevoked?: boolean | undefined }): Promise<Page<SiteKeyView>> {
    requirePermission(ctx, 'tenant:manage');
    const limit = pageLimit(filter);
    let q = this.db.selectFrom('site_key').select(COLUMNS).where('tenant_id', '=', ctx.tenant.id);
    if (!filter.includeRevoked) q = q.where('revoked_at', 'is', null);
    if (filter.cursor) q = q.where('id', '>', requireId(decodeCursor(filter.cursor, 1)[0], 'cursor'));
    const rows = await q.orderBy('id').limit(limit + 1).execute();
    return toPage(rows, limit, (row) => [row.id]);
  }

  /** Revokes a key; revoking a revoked key answers it unchanged. */
  async revoke(ctx: RequestContext, id: Id): Promise<SiteKeyView> {
    requirePermission(ctx, 'tenant:manage');
    requireId(id, 'id');
    return inTransaction(this.db, async (trx) => {
      const current = await trx.selectFrom('site_key').select(COLUMNS).where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).forUpdate().executeTakeFirst();
      if (!current) throw notFound('site_key', id);
      if (current.revoked_at) return current;
      const revoked = await trx
        .updateTable('site_key')
        .set({ revoked_at: ctx.clock.now() })
        .where('tenant_id', '=', ctx.tenant.id)
        .where('id', '=', id)
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'site_key', entityId: id, action: 'revoke', before: current, after: revoked });
      return revoked;
    });
  }

  /**
   * The context of a site key's tenant: no user and no permissions, data scope all (the public
   * handlers act on the tenant's records, not on a person's view of them).
   */
  async authenticate(siteKey: string, caller: CallerInfo): Promise<RequestContext> {
    if (typeof siteKey !== 'string' || !siteKey) throw unauthenticated('invalid_site_key', 'The site key is not valid');
    const row = await this.db
      .selectFrom('site_key as k')
      .innerJoin('tenant as t', 't.id', 'k.tenant_id')
      .select(['k.id', 'k.revoked_at', 'k.last_used_at', 't.id as tenant_id', 't.slug', 't.timezone'])
      .where('k.key_hash', '=', hashKey(siteKey))
      .executeTakeFirst();
    if (!row) throw unauthenticated('invalid_site_key', 'The site key is not valid');
    if (row.revoked_at) throw unauthenticated('site_key_revoked', 'The site key has been revoked');
    const now = caller.clock.now();
    // At most one write a minute per key: last-used is for people, not an access log.
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
      await this.db.updateTable('site_key').set({ last_used_at: now }).where('tenant_id', '=', row.tenant_id).where('id', '=', row.id).execute();
    }
    return {
      tenant: { id: row.tenant_id, slug: row.slug, timezone: row.timezone },
      user: null,
      permissions: new Set(),
      dataScope: 'all' as DataScope,
      api: caller.api,
      requestId: caller.requestId,
      tokenId: null,
      clock: caller.clock,
    };
  }
}
