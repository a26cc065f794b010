import type { Kysely, Transaction } from 'kysely';
import type { ApiToken, DataScope, DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import type { Clock } from '../shared/clock.ts';
import { type ApiSurface, can, type RequestContext } from '../shared/context.ts';
import { DomainError, forbidden, invalidField, notFound, unauthenticated } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../shared/pagination.ts';
import { isPermission, type Permission } from '../shared/permissions.ts';
import { inTransaction } from '../shared/rows.ts';
import { findTenantBySlug } from '../tenants/tenants.repository.ts';
import { findUser, findUserByLogin } from '../users/users.repository.ts';
import type { CredentialCache } from './credentials.ts';
import { hashToken, newToken, verifyPassword } from './secrets.ts';
import { findCredential, listTokens, touchToken } from './tokens.repository.ts';

/** Failed logins in a row before the account locks, and for how long. */
export const LOGIN_ATTEMPTS = 5;
export const LOCK_MINUTES = 15;
export const SESSION_HOURS = 24 * 7;

export type TokenInfo = Omit<ApiToken, 'tenant_id' | 'token_hash'>;

export interface CallerInfo {
  api: ApiSurface;
  requestId: string | null;
  clock: Clock;
}

export interface CreateTokenInput {
  name: string;
  /** Another user's id; needs tokens:manage. Default: the caller. */
  userId?: Id | undefined;
  expiresAt?: Date | undefined;
}

export class AuthService {
  constructor(
    private readonly db: Kysely<DB>,
    readonly credentials: CredentialCache,
  ) {}

  /** Resolves a bearer token to the caller's context, or refuses with the reason. */
  async authenticate(token: string, caller: CallerInfo): Promise<RequestContext> {
    const hash = hashToken(token);
    const row = await this.credentials.read(hash, () => findCredential(this.db, hash));
    const now = caller.clock.now();
    if (!row) throw unauthenticated('invalid_token', 'The token is not valid');
    if (row.revoked_at) throw unauthenticated('token_revoked', 'The token has been revoked');
    if (row.expires_at && row.expires_at <= now) throw unauthenticated('token_expired', 'The token has expired');
    if (row.status !== 'active') throw unauthenticated('user_disabled', 'The account of this token is disabled');
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
      await touchToken(this.db, row.tenant_id, row.token_id, now);
      // The cached credential too, or every request would write until it is read again.
      row.last_used_at = now;
    }
    return {
      tenant: { id: row.tenant_id, slug: row.tenant_slug, timezone: row.timezone },
      user: { id: row.user_id, login: row.login, name: row.name, departmentId: row.department_id, roleId: row.role_id },
      permissions: new Set(row.permissions.filter(isPermission)) as ReadonlySet<Permission>,
      dataScope: row.data_scope as DataScope,
      api: caller.api,
      requestId: caller.requestId,
      tokenId: row.token_id,
      clock: caller.clock,
    };
  }

  /**
   * Password login. Wrong passwords count towards a lock-out; the answer never tells whether
   * the login exists.
   */
  async login(tenantSlug: string, login: string, password: string, caller: CallerInfo) {
    const now = caller.clock.now();
    const tenant = await findTenantBySlug(this.db, tenantSlug);
    const user = tenant ? await findUserByLogin(this.db, tenant.id, login) : undefined;
    if (user?.locked_until && user.locked_until > now) {
      const seconds = Math.ceil((user.locked_until.getTime() - now.getTime()) / 1000);
      throw new DomainError(
        'rate_limited',
        'account_locked',
        `Too many failed logins; try again in ${Math.ceil(seconds / 60)} minute(s)`,
        { retryAfterSeconds: seconds },
      );
    }
    const ok = await verifyPassword(user?.password_hash ?? null, password);
    if (!tenant || !user || !ok || user.status !== 'active') {
      if (tenant && user) {
        const failed = user.failed_logins + 1;
        await this.db
          .updateTable('app_user')
          .set({
            failed_logins: failed >= LOGIN_ATTEMPTS ? 0 : failed,
            locked_until: failed >= LOGIN_ATTEMPTS ? new Date(now.getTime() + LOCK_MINUTES * 60_000) : null,
          })
          .where('tenant_id', '=', tenant.id)
          .where('id', '=', user.id)
          .execute();
      }
      throw unauthenticated('wrong_credentials', 'Wrong tenant, login or password');
    }
    const ctx: RequestContext = {
      tenant: { id: tenant.id, slug: tenant.slug, timezone: tenant.timezone },
      user: { id: user.id, login: user.login, name: user.name, departmentId: user.department_id, roleId: user.role_id },
      permissions: new Set(),
      dataScope: 'own',
      tokenId: null,
      ...caller,
    };
    return inTransaction(this.db, async (trx) => {
      await trx
        .updateTable('app_user')
        .set({ failed_logins: 0, locked_until: null, last_login_at: now })
        .where('tenant_id', '=', tenant.id)
        .where('id', '=', user.id)
        .execute();
      const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
      const issued = await this.issue(trx, ctx, { userId: user.id, kind: 'session', name: 'login', expiresAt });
      await writeAudit(trx, ctx, { entity: 'user', entityId: user.id, action: 'login', after: { session_token_id: issued.info.id } });
      return { ...issued, user, tenant };
    });
  }

  async createToken(ctx: RequestContext, input: CreateTokenInput) {
    const userId = input.userId === undefined ? ctx.user?.id : requireId(input.userId, 'userId');
    if (!userId) throw invalidField('userId', 'is required when no user is calling');
    if (userId !== ctx.user?.id && !can(ctx, 'tokens:manage')) {
      throw forbidden('Creating a token for another user needs the "tokens:manage" permission', 'missing_permission');
    }
    if (!input.name.trim()) throw invalidField('name', 'must not be empty');
    if (input.expiresAt && input.expiresAt <= ctx.clock.now()) throw invalidField('expiresAt', 'must be in the future');
    return inTransaction(this.db, async (trx) => {
      const owner = await findUser(trx, ctx.tenant.id, userId);
      if (!owner) throw invalidField('userId', `user ${userId} does not exist`, 'reference_not_found');
      return this.issue(trx, ctx, { userId, kind: 'api', name: input.name.trim(), expiresAt: input.expiresAt ?? null });
    });
  }

  /** Inserts a token row and returns the plaintext, which is never stored. */
  async issue(
    trx: Transaction<DB>,
    ctx: RequestContext,
    input: { userId: Id; kind: 'api' | 'session'; name: string; expiresAt: Date | null },
  ): Promise<{ token: string; info: TokenInfo }> {
    const { token, hash, prefix } = newToken();
    const row = await trx
      .insertInto('api_token')
      .values({
        tenant_id: ctx.tenant.id,
        user_id: input.userId,
        kind: input.kind,
        name: input.name,
        token_hash: hash,
        token_prefix: prefix,
        expires_at: input.expiresAt,
        created_at: ctx.clock.now(),
      })
      .returning(['id', 'user_id', 'kind', 'name', 'token_prefix', 'expires_at', 'last_used_at', 'revoked_at', 'created_at'])
      .executeTakeFirstOrThrow();
    if (input.kind === 'api') {
      await writeAudit(trx, ctx, { entity: 'api_token', entityId: row.id, action: 'create', after: row });
    }
    return { token, info: row };
  }

  async listTokens(ctx: RequestContext, filter: PageRequest & { userId?: string; includeRevoked?: boolean }): Promise<Page<TokenInfo>> {
    let userId = filter.userId === undefined ? undefined : requireId(filter.userId, 'userId');
    if (!can(ctx, 'tokens:manage')) {
      if (userId !== undefined && userId !== ctx.user?.id) {
        throw forbidden("Listing another user's tokens needs the \"tokens:manage\" permission", 'missing_permission');
      }
      userId = ctx.user?.id;
    }
    const limit = pageLimit(filter);
    const rows = await listTokens(this.db, ctx.tenant.id, {
      userId,
      includeRevoked: filter.includeRevoked ?? false,
      after: filter.cursor ? requireId(decodeCursor(filter.cursor, 1)[0], 'cursor') : undefined,
      limit,
    });
    return toPage(rows, limit, (last) => [last.id]);
  }

  /** Revokes one token. Users revoke their own; tokens:manage revokes anyone's. Idempotent. */
  async revokeToken(ctx: RequestContext, id: Id): Promise<TokenInfo> {
    requireId(id, 'id');
    return this.credentials.changing(() => inTransaction(this.db, async (trx) => {
      const token = await trx
        .selectFrom('api_token')
        .select(['id', 'user_id', 'kind', 'name', 'token_prefix', 'expires_at', 'last_used_at', 'revoked_at', 'created_at'])
        .where('tenant_id', '=', ctx.tenant.id)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      // Someone else's token is as invisible as a missing one to a caller who may not manage it.
      if (!token || (token.user_id !== ctx.user?.id && !can(ctx, 'tokens:manage'))) throw notFound('token', id);
      if (token.revoked_at) return token;
      const revoked = await trx
        .updateTable('api_token')
        .set({ revoked_at: ctx.clock.now() })
        .where('tenant_id', '=', ctx.tenant.id)
        .where('id', '=', id)
        .returning(['id', 'user_id', 'kind', 'name', 'token_prefix', 'expires_at', 'last_used_at', 'revoked_at', 'created_at'])
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'api_token', entityId: id, action: 'revoke', before: token, after: revoked });
      return revoked;
    }));
  }

  /** Revokes a token given as plaintext (the CLI's `token revoke <token>`). */
  async revokeByValue(ctx: RequestContext, token: string): Promise<TokenInfo> {
    const row = await this.db
      .selectFrom('api_token')
      .select('id')
      .where('tenant_id', '=', ctx.tenant.id)
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!row) throw notFound('token', `${token.slice(0, 10)}…`);
    return this.revokeToken(ctx, row.id);
  }
}
