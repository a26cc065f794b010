import type { Kysely, Transaction } from 'kysely';
import type { DB, Department, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { type RequestContext, requirePermission } from '../shared/context.ts';
import { conflict, invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { inTransaction, updateVersioned } from '../shared/rows.ts';

export interface DepartmentInput {
  name?: string | undefined;
  parentId?: Id | null | undefined;
  sort?: number | undefined;
}

export class DepartmentsService {
  constructor(private readonly db: Kysely<DB>) {}

  /** The whole tree as a flat list ordered for display; clients nest it by parentId. */
  list(ctx: RequestContext): Promise<Department[]> {
    return this.db
      .selectFrom('department')
      .selectAll()
      .where('tenant_id', '=', ctx.tenant.id)
      .orderBy('sort')
      .orderBy('id')
      .execute();
  }

  async get(ctx: RequestContext, id: Id): Promise<Department> {
    const row = await this.db
      .selectFrom('department')
      .selectAll()
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', requireId(id, 'id'))
      .executeTakeFirst();
    if (!row) throw notFound('department', id);
    return row;
  }

  async create(ctx: RequestContext, input: DepartmentInput & { name: string }): Promise<Department> {
    requirePermission(ctx, 'departments:manage');
    const name = requireName(input.name);
    return inTransaction(this.db, async (trx) => {
      if (input.parentId) await requireParent(trx, ctx, input.parentId);
      const row = await trx
        .insertInto('department')
        .values({ tenant_id: ctx.tenant.id, name, parent_id: input.parentId ?? null, sort: input.sort ?? 0 })
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'department', entityId: row.id, action: 'create', after: row });
      return row;
    });
  }

  async update(ctx: RequestContext, id: Id, input: DepartmentInput, expectedVersion?: number): Promise<Department> {
    requirePermission(ctx, 'departments:manage');
    requireId(id, 'id');
    return inTransaction(this.db, async (trx) => {
      const values: Record<string, unknown> = {};
      if (input.name !== undefined) values.name = requireName(input.name);
      if (input.sort !== undefined) values.sort = input.sort;
      if (input.parentId !== undefined) {
        if (input.parentId !== null) {
          await requireParent(trx, ctx, input.parentId);
          if (await isInSubtree(trx, ctx.tenant.id, id, input.parentId)) {
            throw invalidField('parentId', 'a department cannot move under itself or one of its sub-departments');
          }
        }
        values.parent_id = input.parentId;
      }
      return updateVersioned<Department>(trx, ctx, { table: 'department', entity: 'department', id, expectedVersion, values });
    });
  }

  /** Only an empty department (no sub-departments, no users) can be deleted. */
  async delete(ctx: RequestContext, id: Id): Promise<void> {
    requirePermission(ctx, 'departments:manage');
    requireId(id, 'id');
    await inTransaction(this.db, async (trx) => {
      const row = await trx
        .selectFrom('department')
        .selectAll()
        .where('tenant_id', '=', ctx.tenant.id)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw notFound('department', id);
      const child = await trx.selectFrom('department').select('id').where('tenant_id', '=', ctx.tenant.id).where('parent_id', '=', id).executeTakeFirst();
      if (child) throw conflict('department_not_empty', `department ${id} still has sub-departments`);
      const member = await trx.selectFrom('app_user').select('id').where('tenant_id', '=', ctx.tenant.id).where('department_id', '=', id).executeTakeFirst();
      if (member) throw conflict('department_not_empty', `department ${id} still has users; move them first`);
      await trx.deleteFrom('department').where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).execute();
      await writeAudit(trx, ctx, { entity: 'department', entityId: id, action: 'delete', before: row });
    });
  }
}

function requireName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalidField('name', 'must not be empty');
  return trimmed;
}

async function requireParent(trx: Transaction<DB>, ctx: RequestContext, parentId: Id) {
  const parent = await trx
    .selectFrom('department')
    .select('id')
    .where('tenant_id', '=', ctx.tenant.id)
    .where('id', '=', requireId(parentId, 'parentId'))
    .executeTakeFirst();
  if (!parent) throw invalidField('parentId', `department ${parentId} does not exist`, 'reference_not_found');
}

/** Ids of a department and all departments under it. */
export async function departmentSubtree(executor: Kysely<DB> | Transaction<DB>, tenantId: Id, rootId: Id): Promise<Id[]> {
  const rows = await executor
    .withRecursive('tree(id)', (qb) =>
      qb
        .selectFrom('department')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', rootId)
        .unionAll((q) =>
          q
            .selectFrom('department as d')
            .innerJoin('tree', 'tree.id', 'd.parent_id')
            .select('d.id')
            .where('d.tenant_id', '=', tenantId),
        ),
    )
    .selectFrom('tree')
    .select('id')
    .execute();
  return rows.map((row) => row.id);
}

async function isInSubtree(trx: Transaction<DB>, tenantId: Id, rootId: Id, candidate: Id) {
  return (await departmentSubtree(trx, tenantId, rootId)).includes(candidate);
}
