import type { Executor } from '../../db/database.ts';
import type { Id, Tenant } from '../../db/schema.ts';
import { DICTIONARIES, type DefaultItem } from '../dictionaries/catalog.ts';
import { ALL_PERMISSIONS, type Permission } from '../shared/permissions.ts';

export const findTenantBySlug = (executor: Executor, slug: string): Promise<Tenant | undefined> =>
  executor.selectFrom('tenant').selectAll().where('slug', '=', slug).executeTakeFirst();

export const findTenantById = (executor: Executor, id: Id): Promise<Tenant | undefined> =>
  executor.selectFrom('tenant').selectAll().where('id', '=', id).executeTakeFirst();

export async function countTenants(executor: Executor): Promise<number> {
  const row = await executor
    .selectFrom('tenant')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export const DEFAULT_ROLES: { code: string; name: string; dataScope: 'own' | 'department_tree' | 'all'; permissions: Permission[] }[] = [
  { code: 'admin', name: '管理员', dataScope: 'all', permissions: ALL_PERMISSIONS },
  { code: 'manager', name: '销售经理', dataScope: 'department_tree', permissions: ['pool:access', 'pool:manage'] },
  { code: 'sales', name: '销售', dataScope: 'own', permissions: ['pool:access'] },
];

/** The rows every tenant starts with: a product line, a root department, roles, dictionaries and the default pool. */
export async function seedTenant(executor: Executor, tenant: Tenant): Promise<{ rootDepartmentId: Id; roles: Map<string, Id> }> {
  await executor.insertInto('product_line').values({ tenant_id: tenant.id, name: '默认产品线', is_default: true }).execute();
  const root = await executor
    .insertInto('department')
    .values({ tenant_id: tenant.id, parent_id: null, name: tenant.name })
    .returning('id')
    .executeTakeFirstOrThrow();
  const roles = await executor
    .insertInto('role')
    .values(
      DEFAULT_ROLES.map((role) => ({
        tenant_id: tenant.id,
        code: role.code,
        name: role.name,
        permissions: role.permissions,
        data_scope: role.dataScope,
        is_system: role.code === 'admin',
      })),
    )
    .returning(['id', 'code'])
    .execute();
  for (const [dictionary, definition] of Object.entries(DICTIONARIES)) {
    await insertItems(executor, tenant.id, dictionary, definition.defaults, null);
  }
  const pool = await executor.insertInto('pool').values({ tenant_id: tenant.id, name: '公海', is_default: true }).returning('id').executeTakeFirstOrThrow();
  await executor.insertInto('pool_rule').values({ tenant_id: tenant.id, pool_id: pool.id, recycle_no_follow_days: null, recycle_no_deal_days: null, owner_cap: null, daily_claim_limit: null }).execute();
  return { rootDepartmentId: root.id, roles: new Map(roles.map((r) => [r.code, r.id])) };
}

async function insertItems(executor: Executor, tenantId: Id, dictionary: string, items: DefaultItem[], parentId: Id | null) {
  for (const [index, item] of items.entries()) {
    const row = await executor
      .insertInto('dictionary_item')
      .values({
        tenant_id: tenantId,
        dictionary,
        code: item.code,
        parent_id: parentId,
        name: item.name,
        color: item.color ?? null,
        sort: (index + 1) * 10,
        is_default: item.isDefault ?? false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (item.children) await insertItems(executor, tenantId, dictionary, item.children, row.id);
  }
}
