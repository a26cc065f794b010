import { Type, type Static } from 'typebox';
import type { TokenInfo } from '../../core/auth/auth.service.ts';
import type { AuditEntry, DictionaryItem } from '../../db/schema.ts';
import { DICTIONARY_NAMES } from '../../core/dictionaries/catalog.ts';
import { Id, Nullable, PageQuery, Timestamp } from './common.ts';
import { maybeTime, time, type Zoned } from './render.ts';

// ---- tokens

export const TokenSchema = Type.Object(
  {
    id: Id(),
    userId: Id('Owner'),
    kind: Type.Union([Type.Literal('api'), Type.Literal('session')], { description: 'API token, or a session from a password login' }),
    name: Type.String(),
    prefix: Type.String({ description: 'First characters of the token, to recognise it' }),
    expiresAt: Nullable(Timestamp('Expiry; null: never')),
    lastUsedAt: Nullable(Timestamp('Last use (to the minute)')),
    revokedAt: Nullable(Timestamp('Revocation time; null while valid')),
    createdAt: Timestamp('Created'),
  },
  { description: 'An API token; the secret itself is shown only once, when created' },
);

export const IssuedTokenSchema = Type.Object({
  token: Type.String({ description: 'The bearer token. Store it now: Genjin keeps only its hash' }),
  info: TokenSchema,
});

export const CreateTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'What the token is for' }),
    userId: Type.Optional(Id('Create it for this user (needs tokens:manage); default: yourself')),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'Expiry; default never' })),
  },
  { additionalProperties: false },
);

export const TokenListQuery = Type.Object(
  {
    ...PageQuery,
    userId: Type.Optional(Id("Only this user's tokens (another user's need tokens:manage)")),
    includeRevoked: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export function renderToken(ctx: Zoned, t: TokenInfo): Static<typeof TokenSchema> {
  return {
    id: t.id,
    userId: t.user_id,
    kind: t.kind,
    name: t.name,
    prefix: t.token_prefix,
    expiresAt: maybeTime(ctx, t.expires_at),
    lastUsedAt: maybeTime(ctx, t.last_used_at),
    revokedAt: maybeTime(ctx, t.revoked_at),
    createdAt: time(ctx, t.created_at),
  };
}

export const LoginBody = Type.Object(
  {
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 63, default: 'default', description: 'Tenant slug; default `default`' })),
    login: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

// ---- dictionaries

export const DictionaryParams = Type.Object(
  { dict: Type.String({ pattern: '^[a-z_]{1,40}$', description: `Dictionary name: ${DICTIONARY_NAMES.join(', ')}` }) },
  { additionalProperties: false },
);
export const DictionaryItemParams = Type.Object(
  { dict: Type.String({ pattern: '^[a-z_]{1,40}$', description: 'Dictionary name' }), id: Id() },
  { additionalProperties: false },
);

export const DictionarySchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  hierarchical: Type.Boolean({ description: 'Items may have a parent item' }),
});

export const DictionaryItemSchema = Type.Object(
  {
    id: Id(),
    dictionary: Type.String(),
    code: Type.Integer({ description: 'Stable integer code; compatibility APIs use it (e.g. seed 004 type_id 1–7)' }),
    parentId: Nullable(Id('Parent item (hierarchical dictionaries only)')),
    name: Type.String(),
    color: Nullable(Type.String({ description: 'Display colour, #rrggbb' })),
    sort: Type.Integer(),
    isDefault: Type.Boolean({ description: 'Preselected item; at most one per dictionary' }),
    isActive: Type.Boolean({ description: 'Inactive items stay readable on old records but are not offered' }),
    version: Type.Integer(),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A dictionary item' },
);

const itemFields = {
  parentId: Type.Optional(Nullable(Id('Parent item'))),
  color: Type.Optional(Nullable(Type.String({ pattern: '^#[0-9a-fA-F]{6}$' }))),
  sort: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
  isDefault: Type.Optional(Type.Boolean()),
  isActive: Type.Optional(Type.Boolean()),
};

export const CreateDictionaryItemBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    code: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Default: the next free code' })),
    ...itemFields,
  },
  { additionalProperties: false },
);

export const UpdateDictionaryItemBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), ...itemFields },
  { additionalProperties: false, minProperties: 1 },
);

export const DictionaryItemsQuery = Type.Object(
  { includeInactive: Type.Optional(Type.Boolean({ default: false })) },
  { additionalProperties: false },
);

export function renderDictionaryItem(ctx: Zoned, i: DictionaryItem): Static<typeof DictionaryItemSchema> {
  return {
    id: i.id,
    dictionary: i.dictionary,
    code: i.code,
    parentId: i.parent_id,
    name: i.name,
    color: i.color,
    sort: i.sort,
    isDefault: i.is_default,
    isActive: i.is_active,
    version: i.version,
    createdAt: time(ctx, i.created_at),
    updatedAt: time(ctx, i.updated_at),
  };
}

// ---- audit

export const AuditEntrySchema = Type.Object(
  {
    id: Id(),
    at: Timestamp('When'),
    userId: Nullable(Id('Who; null for system work')),
    entity: Type.String({ description: 'Kind of record, e.g. user, department' }),
    entityId: Type.String(),
    action: Type.String({ description: 'create, update, delete, restore, revoke, login' }),
    changes: Type.Record(
      Type.String(),
      Type.Object({ before: Type.Optional(Type.Unknown()), after: Type.Optional(Type.Unknown()) }),
      { description: 'Changed fields (database column names) with their values before and after; secrets show as [secret]' },
    ),
    api: Type.String({ description: 'Surface the change came through: native, cli, system, or a compatibility API' }),
    requestId: Nullable(Type.String()),
  },
  { description: 'One audit log entry' },
);

export const AuditQuery = Type.Object(
  {
    ...PageQuery,
    entity: Type.Optional(Type.String({ maxLength: 50 })),
    entityId: Type.Optional(Type.String({ maxLength: 50 })),
    userId: Type.Optional(Id('Changes made by this user')),
  },
  { additionalProperties: false },
);

export function renderAudit(ctx: Zoned, e: AuditEntry): Static<typeof AuditEntrySchema> {
  return {
    id: e.id,
    at: time(ctx, e.at),
    userId: e.user_id,
    entity: e.entity,
    entityId: e.entity_id,
    action: e.action,
    changes: e.changes,
    api: e.api,
    requestId: e.request_id,
  };
}
