import type { Kysely } from 'kysely';
import type { DB, Tenant } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { newPassword } from '../auth/secrets.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { type ApiSurface, type RequestContext, requirePermission } from '../shared/context.ts';
import { conflict, invalidField, notFound } from '../shared/errors.ts';
import { ALL_PERMISSIONS } from '../shared/permissions.ts';
import { inTransaction } from '../shared/rows.ts';
import type { User, UsersService } from '../users/users.service.ts';
import { countTenants, findTenantById, findTenantBySlug, seedTenant } from './tenants.repository.ts';
import { readSettings, type TenantSettings } from './tenant-settings.ts';

export interface CreateTenantInput {
  slug: string;
  name?: string | undefined;
  timezone?: string | undefined;
  adminLogin?: string | undefined;
  /** Generated (and returned) when absent; null: no password, the admin signs in with the token only. */
  adminPassword?: string | null | undefined;
  adminName?: string | undefined;
}

export interface TenantChanges {
  name?: string | undefined;
  timezone?: string | undefined;
  /** Merged into the current settings. */
  settings?: Partial<TenantSettings> | undefined;
}

export interface TenantView {
  tenant: Tenant;
  settings: TenantSettings;
}

export interface CreatedTenant {
  tenant: Tenant;
  admin: User;
  /** The admin's password: the one given, or the generated one (null if none). Shown once. */
  password: string | null;
  /** A fresh API token for the admin. Shown once. */
  token: string;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export class TenantsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly users: UsersService,
    private readonly auth: AuthService,
  ) {}

  async hasAny(): Promise<boolean> {
    return (await countTenants(this.db)) > 0;
  }

  async getBySlug(slug: string): Promise<Tenant> {
    const tenant = await findTenantBySlug(this.db, slug);
    if (!tenant) throw notFound('tenant', slug);
    return tenant;
  }

  /**
   * Creates a tenant with its defaults (product line, root department, roles, dictionaries),
   * an admin user and an API token for that admin, all or nothing.
   */
  async create(input: CreateTenantInput, via: ApiSurface, clock: Clock = systemClock): Promise<CreatedTenant> {
    if (!SLUG.test(input.slug)) throw invalidField('slug', 'must be 1–63 lower-case letters, digits or -, starting with a letter or digit');
    const timezone = input.timezone ?? 'Asia/Shanghai';
    if (!isTimeZone(timezone)) throw invalidField('timezone', `"${timezone}" is not an IANA time zone such as Asia/Shanghai`);
    const password = input.adminPassword === undefined ? newPassword() : input.adminPassword;
    return inTransaction(this.db, async (trx) => {
      if (await findTenantBySlug(trx, input.slug)) throw conflict('tenant_exists', `tenant "${input.slug}" already exists`, 'slug');
      const tenant = await trx
        .insertInto('tenant')
        .values({ slug: input.slug, name: input.name?.trim() || input.slug, timezone })
        .returningAll()
        .executeTakeFirstOrThrow();
      const { rootDepartmentId } = await seedTenant(trx, tenant);
      const ctx: RequestContext = {
        tenant: { id: tenant.id, slug: tenant.slug, timezone: tenant.timezone },
        user: null,
        permissions: new Set(ALL_PERMISSIONS),
        dataScope: 'all',
        api: via,
        requestId: null,
        tokenId: null,
        clock,
      };
      await writeAudit(trx, ctx, { entity: 'tenant', entityId: tenant.id, action: 'create', after: tenant });
      const admin = await this.users.insert(trx, ctx, {
        login: input.adminLogin ?? 'admin',
        name: input.adminName ?? '管理员',
        password: password ?? undefined,
        roleCode: 'admin',
        departmentId: rootDepartmentId,
      });
      const { token } = await this.auth.issue(trx, ctx, { userId: admin.id, kind: 'api', name: 'initial admin token', expiresAt: null });
      return { tenant, admin, password, token };
    });
  }

  /** The caller's tenant with its settings; every member may read them. */
  async current(ctx: RequestContext): Promise<TenantView> {
    const tenant = await findTenantById(this.db, ctx.tenant.id);
    if (!tenant) throw notFound('tenant', ctx.tenant.slug);
    return { tenant, settings: readSettings(tenant) };
  }

  async update(ctx: RequestContext, changes: TenantChanges): Promise<TenantView> {
    requirePermission(ctx, 'tenant:manage');
    if (changes.timezone !== undefined && !isTimeZone(changes.timezone)) {
      throw invalidField('timezone', `"${changes.timezone}" is not an IANA time zone such as Asia/Shanghai`);
    }
    if (changes.name !== undefined && !changes.name.trim()) throw invalidField('name', 'must not be blank');
    return this.auth.credentials.changing(() => inTransaction(this.db, async (trx) => {
      const before = await trx.selectFrom('tenant').selectAll().where('id', '=', ctx.tenant.id).forUpdate().executeTakeFirst();
      if (!before) throw notFound('tenant', ctx.tenant.slug);
      const settings = { ...before.settings, ...readSettings(before), ...changes.settings };
      const after = await trx
        .updateTable('tenant')
        .set({
          ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
          ...(changes.timezone !== undefined ? { timezone: changes.timezone } : {}),
          settings: JSON.stringify(settings) as never,
          updated_at: ctx.clock.now(),
        })
        .where('id', '=', ctx.tenant.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'tenant', entityId: after.id, action: 'update', before, after });
      return { tenant: after, settings: readSettings(after) };
    }));
  }

  /** A context acting as a tenant's admin user, for the CLI and other trusted local callers. */
  async adminContext(slug: string, via: ApiSurface, clock: Clock = systemClock): Promise<RequestContext> {
    const tenant = await this.getBySlug(slug);
    return {
      tenant: { id: tenant.id, slug: tenant.slug, timezone: tenant.timezone },
      user: null,
      permissions: new Set(ALL_PERMISSIONS),
      dataScope: 'all',
      api: via,
      requestId: null,
      tokenId: null,
      clock,
    };
  }
}
