import type { DataScope, Id } from '../../db/schema.ts';
import type { Clock } from './clock.ts';
import { forbidden } from './errors.ts';
import type { Permission } from './permissions.ts';

/** The surface a request came through; recorded in the audit log. */
export type ApiSurface =
  | 'native'
  | 'api-crm'
  | 'api-record'
  | 'api-moduledata'
  | 'openapi-v1'
  | 'webapi-handler'
  | 'cli'
  | 'system'
  | 'job';

export interface Actor {
  id: Id;
  login: string;
  name: string;
  departmentId: Id | null;
  roleId: Id;
}

export interface TenantRef {
  id: Id;
  slug: string;
  timezone: string;
}

/** Who is asking, for which tenant, through which API, and what they may do. Services take it first. */
export interface RequestContext {
  tenant: TenantRef;
  /** Null only for system work (bootstrap, jobs) that no person started. */
  user: Actor | null;
  permissions: ReadonlySet<Permission>;
  dataScope: DataScope;
  api: ApiSurface;
  requestId: string | null;
  /** The token the caller authenticated with, when it did (lets logout revoke exactly it). */
  tokenId: Id | null;
  clock: Clock;
}

export function can(ctx: RequestContext, permission: Permission): boolean {
  return ctx.permissions.has(permission);
}

export function requirePermission(ctx: RequestContext, permission: Permission): void {
  if (!can(ctx, permission)) {
    throw forbidden(`This needs the "${permission}" permission, which your role does not grant`, 'missing_permission');
  }
}

export function actorId(ctx: RequestContext): Id | null {
  return ctx.user?.id ?? null;
}
