import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Id } from '../../db/schema.ts';

/** Everything authentication needs, in one query: token, its user, role and tenant. */
export function findCredential(executor: Executor, tokenHash: string) {
  return executor
    .selectFrom('api_token as t')
    .innerJoin('app_user as u', (join) => join.onRef('u.tenant_id', '=', 't.tenant_id').onRef('u.id', '=', 't.user_id'))
    .innerJoin('role as r', (join) => join.onRef('r.tenant_id', '=', 'u.tenant_id').onRef('r.id', '=', 'u.role_id'))
    .innerJoin('tenant as tn', 'tn.id', 't.tenant_id')
    .select([
      't.id as token_id',
      't.expires_at',
      't.revoked_at',
      't.last_used_at',
      'u.id as user_id',
      'u.login',
      'u.name',
      'u.department_id',
      'u.role_id',
      'u.status',
      'r.permissions',
      'r.data_scope',
      'tn.id as tenant_id',
      'tn.slug as tenant_slug',
      'tn.timezone',
    ])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export type Credential = NonNullable<Awaited<ReturnType<typeof findCredential>>>;

/** At most one write a minute per token: last-used is for people, not an access log. */
export async function touchToken(executor: Executor, tenantId: Id, tokenId: Id, now: Date) {
  await executor
    .updateTable('api_token')
    .set({ last_used_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', tokenId)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`${now}::timestamptz - interval '1 minute'`)]))
    .execute();
}

export interface TokenQuery {
  userId?: Id | undefined;
  includeRevoked: boolean;
  after?: Id | undefined;
  limit: number;
}

export function listTokens(executor: Executor, tenantId: Id, query: TokenQuery) {
  let q = executor
    .selectFrom('api_token')
    .select(['id', 'user_id', 'kind', 'name', 'token_prefix', 'expires_at', 'last_used_at', 'revoked_at', 'created_at'])
    .where('tenant_id', '=', tenantId);
  if (query.userId) q = q.where('user_id', '=', query.userId);
  if (!query.includeRevoked) q = q.where('revoked_at', 'is', null);
  if (query.after) q = q.where('id', '>', query.after);
  return q.orderBy('id').limit(query.limit + 1).execute();
}
