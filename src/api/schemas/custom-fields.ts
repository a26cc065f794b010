import { Type, type Static } from 'typebox';
import { KINDS } from '../../core/custom-fields/custom-fields.service.ts';
import type { CustomField, CustomFieldKind, CustomFieldOption } from '../../db/schema.ts';
import { Id, Nullable, Timestamp } from './common.ts';
import { time, type Zoned } from './render.ts';

const Kind = Type.Unsafe<CustomFieldKind>(Type.String({ enum: [...KINDS], description: `Kind of value: ${KINDS.join(', ')}` }));

const OptionId = Type.String({ pattern: '^[0-9A-Za-z_-]{1,40}$', description: 'Option id; values store it' });

const Option = Type.Object(
  {
    id: OptionId,
    name: Type.String({ description: 'Shown for the value on read' }),
    parentId: Nullable(Type.String({ description: 'Parent option (cascade only)' })),
  },
  { description: 'An option of a select, radio, checkbox, cascade or datasource field' },
);

const OptionInput = Type.Object(
  {
    id: Type.Optional(OptionId),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    parentId: Type.Optional(Nullable(Type.String({ maxLength: 40, description: 'Parent option id (cascade only)' }))),
  },
  { additionalProperties: false, description: 'An option; one given without an id gets a generated one. Keep the ids of existing options when changing them' },
);

// A plain string, not an enum: an unknown module is a resource that does not exist (404), not bad input.
export const CustomFieldModuleParam = Type.String({
  maxLength: 40,
  description: 'Module the field belongs to: customer, contact, follow-up (or follow_up) or opportunity',
});

export const ModuleParams = Type.Object({ module: CustomFieldModuleParam }, { additionalProperties: false });
export const ModuleIdParams = Type.Object({ module: CustomFieldModuleParam, id: Id() }, { additionalProperties: false });

export const CustomFieldSchema = Type.Object(
  {
    id: Id(),
    module: Type.String({ description: 'customer, contact, follow_up or opportunity' }),
    key: Type.String({ description: 'Key of the value in `customFields`, e.g. select_6470108723137462273' }),
    kind: Kind,
    label: Type.String({ description: 'Label shown on forms' }),
    options: Type.Array(Option),
    required: Type.Boolean({ description: 'A value must be given on create, and cannot be cleared' }),
    sort: Type.Integer({ description: 'Display order' }),
    isActive: Type.Boolean({ description: 'Inactive fields refuse new values; stored ones still read' }),
    version: Type.Integer({ description: 'Increases on every change; also the ETag' }),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A custom field definition (自定义字段)' },
);

export const CreateCustomFieldBody = Type.Object(
  {
    kind: Kind,
    key: Type.Optional(Type.String({ pattern: '^[a-z]+_[0-9]{6,19}$', description: 'Default: `<kind>_<unique number>`; must start with the kind' })),
    label: Type.String({ minLength: 1, maxLength: 100 }),
    options: Type.Optional(Type.Array(OptionInput, { maxItems: 1000 })),
    required: Type.Optional(Type.Boolean()),
    sort: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
    isActive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const UpdateCustomFieldBody = Type.Object(
  {
    label: Type.Optional(CreateCustomFieldBody.properties.label),
    options: Type.Optional(Type.Array(OptionInput, { maxItems: 1000, description: 'Replaces the options; existing ones cannot be dropped (values use them), only renamed' })),
    required: Type.Optional(Type.Boolean()),
    sort: CreateCustomFieldBody.properties.sort,
    isActive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** URL spelling (kebab-case) to the module's name. */
export const moduleName = (module: string) => module.replace(/-/g, '_');

export function renderCustomField(ctx: Zoned, f: CustomField): Static<typeof CustomFieldSchema> {
  return {
    id: f.id,
    module: f.module,
    key: f.key,
    kind: f.kind,
    label: f.label,
    options: (f.options as unknown as CustomFieldOption[]).map((o) => ({ id: o.id, name: o.name, parentId: o.parentId ?? null })),
    required: f.required,
    sort: f.sort,
    isActive: f.is_active,
    version: f.version,
    createdAt: time(ctx, f.created_at),
    updatedAt: time(ctx, f.updated_at),
  };
}
