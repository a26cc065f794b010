import type { Kysely } from 'kysely';
import type { DataScope, DB, Id, Role } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import type { CredentialCache } from '../auth/credentials.ts';
import { type RequestContext, requirePermission } from '../shared/context.ts';
import { conflict, invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { isPermission } from '../shared/permissions.ts';
import { inTransaction, updateVersioned } from '../shared/rows.ts';

export const DATA_SCOPES: readonly DataScope[] = ['own', 'department', 'department_tree', 'all'];

export interface RoleInput {
  code?: string | undefined;
  name?: string | undefined;
  permissions?: string[] | undefined;
  dataScope?: DataScope | undefined;
}

const CODE = /^[a-z][a-z0-9_-]{1,31}$/;

export class RolesService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly credentials: CredentialCache,
  ) {}

  list(ctx: RequestContext): Promise<Role[]> {
    return this.db.selectFrom('role').selectAll().where('tenant_id', '=', ctx.tenant.id).orderBy('id').execute();
  }

  async get(ctx: RequestContext, id: Id): Promise<Role> {
    const row = await this.db
      .selectFrom('role')
      .selectAll()
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', requireId(id, 'id'))
      .executeTakeFirst();
    if (!row) throw notFound('role', id);
    return row;
  }

  async create(ctx: RequestContext, input: Required<Pick<RoleInput, 'code' | 'name' | 'dataScope'>> & RoleInput): Promise<Role> {
    requirePermission(ctx, 'roles:manage');
    if (!CODE.test(input.code)) throw invalidField('code', 'must be 2–32 lower-case letters, digits, _ or -, starting with a letter');
    const name = input.name.trim();
    if (!name) throw invalidField('name', 'must not be empty');
    const permissions = checkPermissions(input.permissions ?? []);
    return inTransaction(this.db, async (trx) => {
      const taken = await trx.selectFrom('role').select('id').where('tenant_id', '=', ctx.tenant.id).where('code', '=', input.code).executeTakeFirst();
      if (taken) throw conflict('role_code_taken', `role code "${input.code}" is already taken`, 'code');
      const row = await trx
        .insertInto('role')
        .values({ tenant_id: ctx.tenant.id, code: input.code, name, permissions, data_scope: input.dataScope })
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'role', entityId: row.id, action: 'create', after: row });
      return row;
    });
  }

  async update(ctx: RequestContext, id: Id, input: RoleInput, expectedVersion?: number): Promise<Role> {
    requirePermission(ctx, 'roles:manage');
    requireId(id, 'id');
    return this.credentials.changing(() => inTransaction(this.db, async (trx) => {
      const current = await trx.selectFrom('role').selectAll().where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).executeTakeFirst();
      if (!current) throw notFound('role', id);
      const values: Record<string, unknown> = {};
      if (input.code !== undefined && input.code !== current.code) {
        throw invalidField('code', 'cannot be changed; create a new role instead');
      }
      if (input.name !== undefined) {
        if (!input.name.trim()) throw invalidField('name', 'must not be empty');
        values.name = input.name.trim();
      }
      if (input.permissions !== undefined) values.permissions = checkPermissions(input.permissions);
      if (input.dataScope !== undefined) values.data_scope = input.dataScope;
      // The built-in admin role must keep the power to repair every other role.
      if (current.is_system && (values.permissions !== undefined || values.data_scope !== undefined)) {
        throw invalidField(values.permissions !== undefined ? 'permissions' : 'dataScope', 'of the built-in admin role cannot be changed');
      }
      return updateVersioned<Role>(trx, ctx, { table: 'role', entity: 'role', id, expectedVersion, values });
    }));
  }

  async delete(ctx: RequestContext, id: Id): Promise<void> {
    requirePermission(ctx, 'roles:manage');
    requireId(id, 'id');
    await this.credentials.changing(() => inTransaction(this.db, async (trx) => {
      const row = await trx.selectFrom('role').selectAll().where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) throw notFound('role', id);
      if (row.is_system) throw conflict('role_is_system', 'the built-in admin role cannot be deleted');
      const user = await trx.selectFrom('app_user').select('id').where('tenant_id', '=', ctx.tenant.id).where('role_id', '=', id).executeTakeFirst();
      if (user) throw conflict('role_in_use', `role ${id} is still assigned to users`);
      await trx.deleteFrom('role').where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).execute();
      await writeAudit(trx, ctx, { entity: 'role', entityId: id, action: 'delete', before: row });
    }));
  }
}

function checkPermissions(permissions: string[]): string[] {
  permissions.forEach((permission, index) => {
    if (!isPermission(permission)) throw invalidField(`permissions[${index}]`, `unknown permission "${permission}"`);
  });
  return [...new Set(permissions)].sort();
}
