import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { CustomField, CustomFieldKind, CustomFieldModule, CustomFieldOption, DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import { type RequestContext, requirePermission } from '../shared/context.ts';
import { conflict, invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { inTransaction, updateVersioned } from '../shared/rows.ts';
import { displayName, NAMED_KINDS, OPTION_KINDS, validateCustomValues } from './values.ts';

export const MODULES: readonly CustomFieldModule[] = ['customer', 'contact', 'follow_up', 'opportunity'];
export const KINDS: readonly CustomFieldKind[] = ['input', 'textarea', 'select', 'radio', 'checkbox', 'datetime', 'number', 'telephone', 'email', 'city', 'cascade', 'datasource', 'attachment'];

export interface CustomFieldInput {
  kind?: CustomFieldKind | undefined;
  /** Default: `<kind>_<unique number>`, like the seeds' `select_6470108723137462273`. */
  key?: string | undefined;
  label?: string | undefined;
  /** Options; ids are generated for options given without one. */
  options?: { id?: string | undefined; name: string; parentId?: string | null | undefined }[] | undefined;
  required?: boolean | undefined;
  sort?: number | undefined;
  isActive?: boolean | undefined;
}

export function requireModule(module: string): CustomFieldModule {
  if (!(MODULES as readonly string[]).includes(module)) throw notFound('custom_field_module', module);
  return module as CustomFieldModule;
}

/** A 19-digit number in the style of the seeds' keys and option ids (snowflake-like, unique enough). */
const uniqueNumber = () => `${Date.now()}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;

export class CustomFieldsService {
  constructor(private readonly db: Kysely<DB>) {}

  /** Definitions of a module, in display order (inactive ones too: old values must still read). */
  definitions(executor: Executor, tenantId: Id, module: CustomFieldModule): Promise<CustomField[]> {
    return executor
      .selectFrom('custom_field')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('module', '=', module)
      .orderBy('sort')
      .orderBy('id')
      .execute();
  }

  list(ctx: RequestContext, module: string) {
    return this.definitions(this.db, ctx.tenant.id, requireModule(module));
  }

  async get(ctx: RequestContext, module: string, id: Id): Promise<CustomField> {
    const row = await this.db
      .selectFrom('custom_field')
      .selectAll()
      .where('tenant_id', '=', ctx.tenant.id)
      .where('module', '=', requireModule(module))
      .where('id', '=', requireId(id, 'id'))
      .executeTakeFirst();
    if (!row) throw notFound('custom_field', id);
    return row;
  }

  async create(ctx: RequestContext, module: string, input: CustomFieldInput & { kind: CustomFieldKind; label: string }): Promise<CustomField> {
    requirePermission(ctx, 'dictionaries:manage');
    const mod = requireModule(module);
    if (!KINDS.includes(input.kind)) throw invalidField('kind', `must be one of ${KINDS.join(', ')}`);
    const key = input.key ?? `${input.kind}_${uniqueNumber()}`;
    if (!new RegExp(`^${input.kind}_[0-9]{6,19}$`).test(key)) throw invalidField('key', `must look like ${input.kind}_<6–19 digits>`);
    const label = input.label.trim();
    if (!label) throw invalidField('label', 'must not be empty');
    const options = normaliseOptions(input.kind, input.options ?? []);
    return inTransaction(this.db, async (trx) => {
      const taken = await trx.selectFrom('custom_field').select('id').where('tenant_id', '=', ctx.tenant.id).where('module', '=', mod).where('key', '=', key).executeTakeFirst();
      if (taken) throw conflict('custom_field_key_taken', `key ${key} is already used in ${mod}`, 'key');
      const row = await trx
        .insertInto('custom_field')
        .values({
          tenant_id: ctx.tenant.id,
          module: mod,
          key,
          kind: input.kind,
          label,
          options: JSON.stringify(options),
          required: input.required ?? false,
          sort: input.sort ?? 0,
          is_active: input.isActive ?? true,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeAudit(trx, ctx, { entity: 'custom_field', entityId: row.id, action: 'create', after: row });
      return row;
    });
  }

  async update(ctx: RequestContext, module: string, id: Id, input: CustomFieldInput, expectedVersion?: number): Promise<CustomField> {
    requirePermission(ctx, 'dictionaries:manage');
    const current = await this.get(ctx, module, id);
    if (input.kind !== undefined && input.kind !== current.kind) throw invalidField('kind', 'cannot be changed: stored values would no longer fit');
    if (input.key !== undefined && input.key !== current.key) throw invalidField('key', 'cannot be changed: integrations rely on it');
    const values: Record<string, unknown> = {};
    if (input.label !== undefined) {
      if (!input.label.trim()) throw invalidField('label', 'must not be empty');
      values.label = input.label.trim();
    }
    if (input.options !== undefined) {
      const options = normaliseOptions(current.kind, input.options);
      const kept = new Set(options.map((o) => o.id));
      const dropped = (current.options as unknown as CustomFieldOption[]).filter((o) => !kept.has(o.id));
      if (dropped.length) throw invalidField('options', `cannot remove options that values may use (${dropped.map((o) => o.id).join(', ')}); rename them instead`);
      values.options = JSON.stringify(options);
    }
    if (input.required !== undefined) values.required = input.required;
    if (input.sort !== undefined) values.sort = input.sort;
    if (input.isActive !== undefined) values.is_active = input.isActive;
    return inTransaction(this.db, (trx) => updateVersioned<CustomField>(trx, ctx, { table: 'custom_field', entity: 'custom_field', id, expectedVersion, values }));
  }

  /** Validates the values a write brings for a module and merges them over the stored ones. */
  async validate(
    executor: Executor,
    ctx: RequestContext,
    module: CustomFieldModule,
    input: Record<string, unknown> | undefined,
    existing: Record<string, unknown> | null,
    fieldPrefix = 'customFields.',
  ): Promise<Record<string, unknown>> {
    const definitions = await this.definitions(executor, ctx.tenant.id, module);
    return validateCustomValues(definitions, input ?? {}, existing, fieldPrefix);
  }
}

/** Values with the display names of option-like fields, for reading. */
export function withNames(definitions: readonly CustomField[], values: Record<string, unknown>) {
  return definitions
    .filter((d) => values[d.key] !== undefined)
    .map((d) => ({ key: d.key, label: d.label, kind: d.kind, value: values[d.key], ...(NAMED_KINDS.has(d.kind) ? { name: displayName(d, values[d.key]) } : {}) }));
}

/**
 * Whether any of the rows holds a custom value: only then are the field definitions worth
 * reading for a page, since fieldNames() names the values a row has and nothing else.
 */
export function anyCustomValues(rows: readonly { custom_fields: unknown }[]): boolean {
  return rows.some((row) => typeof row.custom_fields === 'object' && row.custom_fields !== null && Object.keys(row.custom_fields).length > 0);
}

/** Display names of the option-like values (select, radio, checkbox, cascade, datasource, city) by key. */
export function fieldNames(definitions: readonly CustomField[], values: Record<string, unknown>): Record<string, string> {
  const names: Record<string, string> = {};
  for (const d of definitions) {
    if (NAMED_KINDS.has(d.kind) && values[d.key] !== undefined) names[d.key] = displayName(d, values[d.key]);
  }
  return names;
}

function normaliseOptions(kind: CustomFieldKind, options: NonNullable<CustomFieldInput['options']>): CustomFieldOption[] {
  if (!OPTION_KINDS.has(kind)) {
    if (options.length) throw invalidField('options', `a ${kind} field has no options`);
    return [];
  }
  if (options.length === 0) throw invalidField('options', `a ${kind} field needs at least one option`);
  const out = options.map((o, i) => {
    const name = o.name.trim();
    if (!name) throw invalidField(`options[${i}].name`, 'must not be empty');
    return { id: o.id ?? uniqueNumber().slice(-12) + String(i).padStart(3, '0'), name, parentId: o.parentId ?? null };
  });
  const ids = new Set(out.map((o) => o.id));
  if (ids.size !== out.length) throw invalidField('options', 'option ids must be unique');
  out.forEach((o, i) => {
    if (o.parentId !== null && kind !== 'cascade') throw invalidField(`options[${i}].parentId`, 'only cascade options have parents');
    if (o.parentId !== null && !ids.has(o.parentId)) throw invalidField(`options[${i}].parentId`, `option ${o.parentId} does not exist`);
  });
  return out;
}
