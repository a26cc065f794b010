import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Ids are int8 on the wire from both drivers and kept as decimal strings: never a float. */
export type Id = string;
type GeneratedId = ColumnType<Id, never, never>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface TenantTable {
  id: GeneratedId;
  slug: string;
  name: string;
  timezone: Generated<string>;
  settings: Generated<Json<Record<string, unknown>>>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ProductLineTable {
  tenant_id: Id;
  id: GeneratedId;
  name: string;
  is_default: Generated<boolean>;
  created_at: CreatedAt;
}

export interface DepartmentTable {
  tenant_id: Id;
  id: GeneratedId;
  parent_id: Id | null;
  name: string;
  sort: Generated<number>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type DataScope = 'own' | 'department' | 'department_tree' | 'all';

export interface RoleTable {
  tenant_id: Id;
  id: GeneratedId;
  code: string;
  name: string;
  permissions: string[];
  data_scope: DataScope;
  is_system: Generated<boolean>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface AppUserTable {
  tenant_id: Id;
  id: GeneratedId;
  login: string;
  name: string;
  job_number: string | null;
  email: string | null;
  mobile: string | null;
  avatar_url: string | null;
  department_id: Id | null;
  role_id: Id;
  password_hash: string | null;
  status: Generated<'active' | 'disabled'>;
  failed_logins: Generated<number>;
  locked_until: Date | null;
  last_login_at: Date | null;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ApiTokenTable {
  tenant_id: Id;
  id: GeneratedId;
  user_id: Id;
  kind: 'api' | 'session';
  name: string;
  token_hash: string;
  token_prefix: string;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: CreatedAt;
}

export interface DictionaryItemTable {
  tenant_id: Id;
  id: GeneratedId;
  dictionary: string;
  code: number;
  parent_id: Id | null;
  name: string;
  color: string | null;
  sort: Generated<number>;
  is_default: Generated<boolean>;
  is_active: Generated<boolean>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface AuditLogTable {
  tenant_id: Id;
  id: GeneratedId;
  at: CreatedAt;
  user_id: Id | null;
  entity: string;
  entity_id: string;
  action: string;
  changes: Json<Record<string, { before?: unknown; after?: unknown }>>;
  api: string;
  request_id: string | null;
}

export interface IdempotencyKeyTable {
  tenant_id: Id;
  user_id: Id;
  key: string;
  request_hash: string;
  status_code: number | null;
  response_body: string | null;
  response_headers: Json<Record<string, string>> | null;
  created_at: CreatedAt;
}

export interface DB {
  tenant: TenantTable;
  product_line: ProductLineTable;
  department: DepartmentTable;
  role: RoleTable;
  app_user: AppUserTable;
  api_token: ApiTokenTable;
  dictionary_item: DictionaryItemTable;
  audit_log: AuditLogTable;
  idempotency_key: IdempotencyKeyTable;
}

export type Tenant = Selectable<TenantTable>;
export type Department = Selectable<DepartmentTable>;
export type Role = Selectable<RoleTable>;
export type AppUser = Selectable<AppUserTable>;
export type ApiToken = Selectable<ApiTokenTable>;
export type DictionaryItem = Selectable<DictionaryItemTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type NewAppUser = Insertable<AppUserTable>;
export type AppUserUpdate = Updateable<AppUserTable>;
