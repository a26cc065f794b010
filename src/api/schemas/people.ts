import { Type, type Static } from 'typebox';
import type { Department, Role } from '../../db/schema.ts';
import type { User } from '../../core/users/users.service.ts';
import { ALL_PERMISSIONS, PERMISSIONS } from '../../core/shared/permissions.ts';
import { Id, Nullable, PageQuery, Timestamp } from './common.ts';
import { maybeTime, time, type Zoned } from './render.ts';

const Version = Type.Integer({ description: 'Increases on every change; also the ETag' });

export const DataScope = Type.Union(
  [Type.Literal('own'), Type.Literal('department'), Type.Literal('department_tree'), Type.Literal('all')],
  { description: 'Which customers a role sees: its own, its department\'s, its department and those below, or all' },
);

export const Permission = Type.Union(
  ALL_PERMISSIONS.map((p) => Type.Literal(p)),
  { description: Object.entries(PERMISSIONS).map(([p, d]) => `\`${p}\`: ${d}`).join('; ') },
);

// ---- users

const Login = Type.String({ minLength: 2, maxLength: 64, description: 'Login name, unique in the tenant (case-insensitive)' });
const Password = Type.String({ minLength: 8, maxLength: 256, description: 'At least 8 characters' });
const OptionalText = (description: string, maxLength = 200) => Type.Optional(Nullable(Type.String({ maxLength, description })));

export const UserSchema = Type.Object(
  {
    id: Id(),
    login: Type.String(),
    name: Type.String({ description: 'Display name (姓名)' }),
    jobNumber: Nullable(Type.String({ description: 'Job number (工号)' })),
    email: Nullable(Type.String()),
    mobile: Nullable(Type.String()),
    avatarUrl: Nullable(Type.String()),
    departmentId: Nullable(Id('Department')),
    roleId: Id('Role'),
    status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
    lastLoginAt: Nullable(Timestamp('Last password login')),
    version: Version,
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A user (employee)' },
);

export const CreateUserBody = Type.Object(
  {
    login: Login,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Display name; defaults to the login' })),
    password: Type.Optional(Password),
    jobNumber: OptionalText('Job number (工号), unique in the tenant', 50),
    email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 200 }))),
    mobile: OptionalText('Mobile phone', 50),
    avatarUrl: OptionalText('Avatar image URL', 2000),
    departmentId: Type.Optional(Nullable(Id('Department'))),
    roleId: Type.Optional(Id('Role; default: the `sales` role')),
  },
  { additionalProperties: false },
);

export const UpdateUserBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    jobNumber: OptionalText('Job number (工号)', 50),
    email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 200 }))),
    mobile: OptionalText('Mobile phone', 50),
    avatarUrl: OptionalText('Avatar image URL', 2000),
    departmentId: Type.Optional(Nullable(Id('Department'))),
    roleId: Type.Optional(Id('Role')),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
    password: Type.Optional(Password),
    currentPassword: Type.Optional(Type.String({ maxLength: 256, description: 'Required when changing your own password' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const UserListQuery = Type.Object(
  {
    ...PageQuery,
    departmentId: Type.Optional(Id('Only users of this department')),
    roleId: Type.Optional(Id('Only users with this role')),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Fragment of login, name or job number' })),
  },
  { additionalProperties: false },
);

export function renderUser(ctx: Zoned, user: User): Static<typeof UserSchema> {
  return {
    id: user.id,
    login: user.login,
    name: user.name,
    jobNumber: user.job_number,
    email: user.email,
    mobile: user.mobile,
    avatarUrl: user.avatar_url,
    departmentId: user.department_id,
    roleId: user.role_id,
    status: user.status,
    lastLoginAt: maybeTime(ctx, user.last_login_at),
    version: user.version,
    createdAt: time(ctx, user.created_at),
    updatedAt: time(ctx, user.updated_at),
  };
}

// ---- departments

export const DepartmentSchema = Type.Object(
  {
    id: Id(),
    parentId: Nullable(Id('Parent department; null for a top-level one')),
    name: Type.String(),
    sort: Type.Integer({ description: 'Display order among siblings' }),
    version: Version,
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A department (部门); departments form a tree' },
);

export const CreateDepartmentBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    parentId: Type.Optional(Nullable(Id('Parent department'))),
    sort: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);

export const UpdateDepartmentBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    parentId: Type.Optional(Nullable(Id('New parent department; null moves it to the top level'))),
    sort: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export function renderDepartment(ctx: Zoned, d: Department): Static<typeof DepartmentSchema> {
  return {
    id: d.id,
    parentId: d.parent_id,
    name: d.name,
    sort: d.sort,
    version: d.version,
    createdAt: time(ctx, d.created_at),
    updatedAt: time(ctx, d.updated_at),
  };
}

// ---- roles

export const RoleSchema = Type.Object(
  {
    id: Id(),
    code: Type.String({ description: 'Stable code, e.g. admin, manager, sales' }),
    name: Type.String(),
    permissions: Type.Array(Permission),
    dataScope: DataScope,
    isSystem: Type.Boolean({ description: 'The built-in admin role: cannot be deleted or reduced' }),
    version: Version,
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: 'A role: permissions plus a data scope' },
);

export const CreateRoleBody = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z][a-z0-9_-]{1,31}$', description: 'Stable code' }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    permissions: Type.Optional(Type.Array(Permission, { maxItems: 100 })),
    dataScope: DataScope,
  },
  { additionalProperties: false },
);

export const UpdateRoleBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    permissions: Type.Optional(Type.Array(Permission, { maxItems: 100 })),
    dataScope: Type.Optional(DataScope),
  },
  { additionalProperties: false, minProperties: 1 },
);

export function renderRole(ctx: Zoned, r: Role): Static<typeof RoleSchema> {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    permissions: r.permissions as Static<typeof RoleSchema>['permissions'],
    dataScope: r.data_scope,
    isSystem: r.is_system,
    version: r.version,
    createdAt: time(ctx, r.created_at),
    updatedAt: time(ctx, r.updated_at),
  };
}
