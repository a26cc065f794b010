import type { Kysely, Transaction } from 'kysely';
import type { DB, DictionaryItem, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { type RequestContext, requirePermission } from '../shared/context.ts';
import { conflict, invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { inTransaction, updateVersioned } from '../shared/rows.ts';
import { DICTIONARIES, type DictionaryName, isDictionaryName } from './catalog.ts';

export interface DictionaryItemInput {
  name?: string | undefined;
  code?: number | undefined;
  parentId?: Id | null | undefined;
  color?: string | null | undefined;
  sort?: number | undefined;
  isDefault?: boolean | undefined;
  isActive?: boolean | undefined;
}

const COLOR = /^#[0-9a-fA-F]{6}$/;

export class DictionariesService {
  constructor(private readonly db: Kysely<DB>) {}

  catalog() {
    return Object.entries(DICTIONARIES).map(([name, d]) => ({ name, description: d.description, hierarchical: d.hierarchical }));
  }

  async listItems(ctx: RequestContext, dictionary: string, options: { includeInactive?: boolean } = {}): Promise<DictionaryItem[]> {
    const name = requireDictionary(dictionary);
    return (await this.listItemsOf(ctx, [name], options)).get(name)!;
  }

  /** The items of several dictionaries in one statement (a page that shows six of them asks once). */
  async listItemsOf(ctx: RequestContext, dictionaries: readonly DictionaryName[], options: { includeInactive?: boolean } = {}): Promise<Map<DictionaryName, DictionaryItem[]>> {
    const byName = new Map<DictionaryName, DictionaryItem[]>(dictionaries.map((name) => [name, []]));
    if (!dictionaries.length) return byName;
    let q = this.db.selectFrom('dictionary_item').selectAll().where('tenant_id', '=', ctx.tenant.id).where('dictionary', 'in', dictionaries);
    if (!options.includeInactive) q = q.where('is_active', '=', true);
    for (const item of await q.orderBy('sort').orderBy('id').execute()) byName.get(item.dictionary as DictionaryName)?.push(item);
    return byName;
  }

  getItem(ctx: RequestContext, dictionary: string, id: Id): Promise<DictionaryItem> {
    return findItem(this.db, ctx, dictionary, id);
  }

  async createItem(ctx: RequestContext, dictionary: string, input: DictionaryItemInput & { name: string }): Promise<DictionaryItem> {
    requirePermission(ctx, 'dictionaries:manage');
    const name = requireDictionary(dictionary);
    const fields = checkFields(input);
    return inTransaction(this.db, async (trx) => {
      if (input.parentId) await requireParent(trx, ctx, name, input.parentId);
      // Codes are stable integers wire formats rely on: the next free one unless given.
      let code = input.code;
      if (code === undefined) {
        const max = await trx
          .selectFrom('dictionary_item')
          .select((eb) => eb.fn.max('code').as('max'))
          .where('tenant_id', '=', ctx.tenant.id)
          .where('dictionary', '=', name)
          .executeTakeFirst();
        code = (max?.max ?? 0) + 1;
      } else {
        const taken = await trx
          .selectFrom('dictionary_item')
          .select('id')
          .where('tenant_id', '=', ctx.tenant.id)
          .where('dictionary', '=', name)
          .where('code', '=', code)
          .executeTakeFirst();
        if (taken) throw conflict('code_taken', `code ${code} is already used in ${name}`, 'code');
      }
      if (input.isDefault) await clearDefault(trx, ctx, name);
      const row = await trx
        .insertInto('dictionary_item')
        .values({
          tenant_id: ctx.tenant.id,
          dictionary: name,
          code,
          parent_id: input.parentId ?? null,
          name: fields.name ?? input.name,
          color: input.color ?? null,
          sort: input.sort ?? code * 10,
          is_default: input.isDefault ?? false,
          is_active: input.isActive ?? true,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'dictionary_item', entityId: row.id, action: 'create', after: row });
      return row;
    });
  }

  /** Items are deactivated rather than deleted: follow-ups written with them must keep reading back. */
  async updateItem(ctx: RequestContext, dictionary: string, id: Id, input: DictionaryItemInput, expectedVersion?: number): Promise<DictionaryItem> {
    requirePermission(ctx, 'dictionaries:manage');
    const name = requireDictionary(dictionary);
    requireId(id, 'id');
    if (input.code !== undefined) throw invalidField('code', 'is stable and cannot be changed');
    const fields = checkFields(input);
    return inTransaction(this.db, async (trx) => {
      // Read through the transaction: PGlite has one connection, which the transaction holds.
      const current = await findItem(trx, ctx, name, id);
      const values: Record<string, unknown> = {};
      if (fields.name !== undefined) values.name = fields.name;
      if (input.color !== undefined) values.color = input.color;
      if (input.sort !== undefined) values.sort = input.sort;
      if (input.isActive !== undefined) values.is_active = input.isActive;
      if (input.parentId !== undefined) {
        if (input.parentId !== null) {
          await requireParent(trx, ctx, name, input.parentId);
          if (await isDescendant(trx, ctx.tenant.id, current.id, input.parentId)) {
            throw invalidField('parentId', 'an item cannot move under itself or one of its children');
          }
        }
        values.parent_id = input.parentId;
      }
      if (input.isDefault !== undefined) {
        if (input.isDefault) await clearDefault(trx, ctx, name);
        values.is_default = input.isDefault;
      }
      return updateVersioned<DictionaryItem>(trx, ctx, { table: 'dictionary_item', entity: 'dictionary_item', id, expectedVersion, values });
    });
  }
}

async function findItem(executor: Kysely<DB> | Transaction<DB>, ctx: RequestContext, dictionary: string, id: Id): Promise<DictionaryItem> {
  const row = await executor
    .selectFrom('dictionary_item')
    .selectAll()
    .where('tenant_id', '=', ctx.tenant.id)
    .where('dictionary', '=', requireDictionary(dictionary))
    .where('id', '=', requireId(id, 'id'))
    .executeTakeFirst();
  if (!row) throw notFound('dictionary_item', id);
  return row;
}

function requireDictionary(dictionary: string): DictionaryName {
  if (!isDictionaryName(dictionary)) throw notFound('dictionary', dictionary);
  return dictionary;
}

function checkFields(input: DictionaryItemInput): { name?: string } {
  if (input.color != null && !COLOR.test(input.color)) throw invalidField('color', 'must be a colour like #1677ff');
  if (input.code !== undefined && (!Number.isInteger(input.code) || input.code < 1)) throw invalidField('code', 'must be a positive integer');
  if (input.name === undefined) return {};
  const name = input.name.trim();
  if (!name) throw invalidField('name', 'must not be empty');
  return { name };
}

async function requireParent(trx: Transaction<DB>, ctx: RequestContext, dictionary: DictionaryName, parentId: Id) {
  if (!DICTIONARIES[dictionary].hierarchical) throw invalidField('parentId', `${dictionary} is a flat list; items have no parent`);
  const parent = await trx
    .selectFrom('dictionary_item')
    .select('id')
    .where('tenant_id', '=', ctx.tenant.id)
    .where('dictionary', '=', dictionary)
    .where('id', '=', requireId(parentId, 'parentId'))
    .executeTakeFirst();
  if (!parent) throw invalidField('parentId', `item ${parentId} does not exist in ${dictionary}`, 'reference_not_found');
}

async function clearDefault(trx: Transaction<DB>, ctx: RequestContext, dictionary: DictionaryName) {
  await trx
    .updateTable('dictionary_item')
    .set((eb) => ({ is_default: false, version: eb('version', '+', 1), updated_at: ctx.clock.now() }))
    .where('tenant_id', '=', ctx.tenant.id)
    .where('dictionary', '=', dictionary)
    .where('is_default', '=', true)
    .execute();
}

async function isDescendant(trx: Transaction<DB>, tenantId: Id, rootId: Id, candidate: Id): Promise<boolean> {
  let current: Id | null = candidate;
  for (let depth = 0; current && depth < 64; depth++) {
    if (current === rootId) return true;
    const row: { parent_id: Id | null } | undefined = await trx
      .selectFrom('dictionary_item')
      .select('parent_id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', current)
      .executeTakeFirst();
    current = row?.parent_id ?? null;
  }
  return false;
}

/** Checks that an id names an item of the given dictionary in the caller's tenant. */
export async function requireDictionaryItem(executor: Kysely<DB> | Transaction<DB>, tenantId: Id, dictionary: DictionaryName, id: Id, field: string): Promise<DictionaryItem> {
  const row = await executor
    .selectFrom('dictionary_item')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('dictionary', '=', dictionary)
    .where('id', '=', requireId(id, field))
    .executeTakeFirst();
  if (!row) throw invalidField(field, `${id} is not an item of the ${dictionary} dictionary`, 'reference_not_found');
  return row;
}
