import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { type RequestContext, requirePermission } from '../shared/context.ts';
import { conflict, invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { inTransaction } from '../shared/rows.ts';

export interface Tag {
  id: Id;
  name: string;
  color: string | null;
  created_at: Date;
}

export interface TagInput {
  name?: string | undefined;
  color?: string | null | undefined;
}

const COLOR = /^#[0-9a-fA-F]{6}$/;

/**
 * Customer tags (标签): a tenant-wide vocabulary, so changing it needs dictionaries:manage;
 * putting tags on a customer is part of writing the customer. Names are unique regardless of case.
 */
export class TagsService {
  constructor(private readonly db: Kysely<DB>) {}

  list(ctx: RequestContext): Promise<Tag[]> {
    return this.db.selectFrom('tag').select(['id', 'name', 'color', 'created_at']).where('tenant_id', '=', ctx.tenant.id).orderBy(sql`lower(name)`).orderBy('id').execute();
  }

  async get(ctx: RequestContext, id: Id): Promise<Tag> {
    return this.find(this.db, ctx, id);
  }

  async create(ctx: RequestContext, input: TagInput & { name: string }): Promise<Tag> {
    requirePermission(ctx, 'dictionaries:manage');
    const fields = checkFields(input);
    return inTransaction(this.db, async (trx) => {
      await this.requireFreeName(trx, ctx, fields.name!, null);
      const row = await trx
        .insertInto('tag')
        .values({ tenant_id: ctx.tenant.id, name: fields.name!, color: fields.color ?? null, created_at: ctx.clock.now() })
        .returning(['id', 'name', 'color', 'created_at'])
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'tag', entityId: row.id, action: 'create', after: { ...row } });
      return row;
    });
  }

  async update(ctx: RequestContext, id: Id, input: TagInput): Promise<Tag> {
    requirePermission(ctx, 'dictionaries:manage');
    const fields = checkFields(input);
    return inTransaction(this.db, async (trx) => {
      const before = await this.find(trx, ctx, id, true);
      if (fields.name !== undefined) await this.requireFreeName(trx, ctx, fields.name, id);
      if (Object.keys(fields).length === 0) return before;
      const row = await trx
        .updateTable('tag')
        .set(fields)
        .where('tenant_id', '=', ctx.tenant.id)
        .where('id', '=', id)
        .returning(['id', 'name', 'color', 'created_at'])
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'tag', entityId: id, action: 'update', before: { ...before }, after: { ...row } });
      return row;
    });
  }

  /** Deleting a tag takes it off every customer that had it. */
  async delete(ctx: RequestContext, id: Id): Promise<void> {
    requirePermission(ctx, 'dictionaries:manage');
    await inTransaction(this.db, async (trx) => {
      const before = await this.find(trx, ctx, id, true);
      await trx.deleteFrom('customer_tag').where('tenant_id', '=', ctx.tenant.id).where('tag_id', '=', id).execute();
      await trx.deleteFrom('tag').where('tenant_id', '=', ctx.tenant.id).where('id', '=', id).execute();
      await writeAudit(trx, ctx, { entity: 'tag', entityId: id, action: 'delete', before: { ...before } });
    });
  }

  private async find(executor: Kysely<DB> | Transaction<DB>, ctx: RequestContext, id: Id, forUpdate = false): Promise<Tag> {
    let q = executor.selectFrom('tag').select(['id', 'name', 'color', 'created_at']).where('tenant_id', '=', ctx.tenant.id).where('id', '=', requireId(id, 'id'));
    if (forUpdate) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw notFound('tag', id);
    return row;
  }

  /** The unique index on lower(name) backs this up under concurrency (a 409 either way). */
  private async requireFreeName(trx: Transaction<DB>, ctx: RequestContext, name: string, exceptId: Id | null) {
    let q = trx.selectFrom('tag').select('id').where('tenant_id', '=', ctx.tenant.id).where(sql`lower(name)`, '=', name.toLowerCase());
    if (exceptId) q = q.where('id', '!=', exceptId);
    if (await q.executeTakeFirst()) throw conflict('tag_name_taken', `a tag named "${name}" already exists`, 'name');
  }
}

function checkFields(input: TagInput): { name?: string; color?: string | null } {
  const fields: { name?: string; color?: string | null } = {};
  if (input.name !== undefined) {
    const name = input.name.trim();
    if (!name) throw invalidField('name', 'must not be empty');
    if (name.length > 50) throw invalidField('name', 'must be at most 50 characters');
    fields.name = name;
  }
  if (input.color !== undefined) {
    if (input.color !== null && !COLOR.test(input.color)) throw invalidField('color', 'must be a colour like #1677ff');
    fields.color = input.color;
  }
  return fields;
}
