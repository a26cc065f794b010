import type { Kysely, Transaction } from 'kysely';
import type { AppUser, DB, Id } from '../../db/schema.ts';
import { writeAudit } from '../audit/audit.repository.ts';
import type { CredentialCache } from '../auth/credentials.ts';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../auth/secrets.ts';
import { type RequestContext, requirePermission } from '../shared/context.ts';
import type { Permission } from '../shared/permissions.ts';
import { conflict, forbidden, invalidField, notFound } from '../shared/errors.ts';
import { requireId } from '../shared/ids.ts';
import { decodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../shared/pagination.ts';
import { inTransaction, updateVersioned } from '../shared/rows.ts';
import { findUser, findUserByJobNumber, findUserByLogin, listUsers } from './users.repository.ts';

/** A user as the APIs may show it: never the password hash or lock-out counters. */
export type User = Omit<AppUser, 'password_hash' | 'failed_logins' | 'locked_until'>;

export function publicUser(row: AppUser): User {
  const { password_hash: _hash, failed_logins: _failed, locked_until: _locked, ...user } = row;
  return user;
}

export interface CreateUserInput {
  login: string;
  name?: string | undefined;
  password?: string | undefined;
  jobNumber?: string | null | undefined;
  email?: string | null | undefined;
  mobile?: string | null | undefined;
  avatarUrl?: string | null | undefined;
  departmentId?: Id | null | undefined;
  /** Role by id, or by code (`admin`, `manager`, `sales`, …); default `sales`. */
  roleId?: Id | undefined;
  roleCode?: string | undefined;
}

export interface UpdateUserInput {
  name?: string | undefined;
  jobNumber?: string | null | undefined;
  email?: string | null | undefined;
  mobile?: string | null | undefined;
  avatarUrl?: string | null | undefined;
  departmentId?: Id | null | undefined;
  roleId?: Id | undefined;
  status?: 'active' | 'disabled' | undefined;
  password?: string | undefined;
  /** Required when users change their own password. */
  currentPassword?: string | undefined;
}

export interface UserFilter extends PageRequest {
  departmentId?: string | undefined;
  roleId?: string | undefined;
  status?: 'active' | 'disabled' | undefined;
  q?: string | undefined;
}

const LOGIN = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;
/** Fields users may change on their own account; the rest needs users:manage. */
const SELF_SERVICE = new Set(['name', 'email', 'mobile', 'avatarUrl', 'password', 'currentPassword']);

export class UsersService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly credentials: CredentialCache,
  ) {}

  async list(ctx: RequestContext, filter: UserFilter): Promise<Page<User>> {
    const limit = pageLimit(filter);
    const rows = await listUsers(this.db, ctx.tenant.id, {
      departmentId: filter.departmentId === undefined ? undefined : requireId(filter.departmentId, 'departmentId'),
      roleId: filter.roleId === undefined ? undefined : requireId(filter.roleId, 'roleId'),
      status: filter.status,
      q: filter.q,
      after: filter.cursor ? requireId(decodeCursor(filter.cursor, 1)[0], 'cursor') : undefined,
      limit,
    });
    return toPage(rows.map(publicUser), limit, (last) => [last.id]);
  }

  async get(ctx: RequestContext, id: Id): Promise<User> {
    const row = await findUser(this.db, ctx.tenant.id, requireId(id, 'id'));
    if (!row) throw notFound('user', id);
    return publicUser(row);
  }

  async getByLogin(ctx: RequestContext, login: string): Promise<User> {
    const row = await findUserByLogin(this.db, ctx.tenant.id, login);
    if (!row) throw notFound('user', login);
    return publicUser(row);
  }

  async create(ctx: RequestContext, input: CreateUserInput): Promise<User> {
    requirePermission(ctx, 'users:manage');
    return inTransaction(this.db, (trx) => this.insert(trx, ctx, input));
  }

  /** Also used when a tenant is created, inside that transaction. */
  async insert(trx: Transaction<DB>, ctx: RequestContext, input: CreateUserInput): Promise<User> {
    if (!LOGIN.test(input.login)) {
      throw invalidField('login', 'must be 2–64 letters, digits or . _ @ -, starting with a letter or digit');
    }
    if (await findUserByLogin(trx, ctx.tenant.id, input.login)) {
      throw conflict('login_taken', `login "${input.login}" is already taken`, 'login');
    }
    if (input.jobNumber && (await findUserByJobNumber(trx, ctx.tenant.id, input.jobNumber))) throw jobNumberTaken(input.jobNumber);
    if (input.password !== undefined) checkPassword(input.password, 'password');
    const roleId = await this.resolveRole(trx, ctx, input);
    if (input.departmentId) await this.requireDepartment(trx, ctx, input.departmentId);
    const row = await trx
      .insertInto('app_user')
      .values({
        tenant_id: ctx.tenant.id,
        login: input.login,
        name: input.name?.trim() || input.login,
        job_number: input.jobNumber ?? null,
        email: input.email ?? null,
        mobile: input.mobile ?? null,
        avatar_url: input.avatarUrl ?? null,
        department_id: input.departmentId ?? null,
        role_id: roleId,
        password_hash: input.password === undefined ? null : await hashPassword(input.password),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(trx, ctx, { entity: 'user', entityId: row.id, action: 'create', after: row });
    return publicUser(row);
  }

  async update(ctx: RequestContext, id: Id, input: UpdateUserInput, expectedVersion?: number): Promise<User> {
    requireId(id, 'id');
    const self = ctx.user?.id === id;
    const adminFields = Object.keys(input).filter((key) => !SELF_SERVICE.has(key));
    if (!self || adminFields.length > 0) {
      if (!ctx.permissions.has('users:manage')) {
        throw forbidden(
          self
            ? `Changing ${adminFields.join(', ')} of your own account needs the "users:manage" permission`
            : 'Changing another user needs the "users:manage" permission',
          'missing_permission',
        );
      }
    }
    return this.credentials.changing(() => inTransaction(this.db, async (trx) => {
      const values: Record<string, unknown> = {};
      if (input.name !== undefined) {
        if (!input.name.trim()) throw invalidField('name', 'must not be empty');
        values.name = input.name.trim();
      }
      if (input.jobNumber) {
        const holder = await findUserByJobNumber(trx, ctx.tenant.id, input.jobNumber);
        if (holder && holder.id !== id) throw jobNumberTaken(input.jobNumber);
      }
      if (input.jobNumber !== undefined) values.job_number = input.jobNumber;
      if (input.email !== undefined) values.email = input.email;
      if (input.mobile !== undefined) values.mobile = input.mobile;
      if (input.avatarUrl !== undefined) values.avatar_url = input.avatarUrl;
      if (input.departmentId !== undefined) {
        if (input.departmentId !== null) await this.requireDepartment(trx, ctx, input.departmentId);
        values.department_id = input.departmentId;
      }
      if (input.roleId !== undefined) values.role_id = await this.resolveRole(trx, ctx, { roleId: input.roleId });
      if (input.status !== undefined) {
        if (self && input.status === 'disabled') throw invalidField('status', 'you cannot disable your own account');
        values.status = input.status;
      }
      if (input.password !== undefined) {
        checkPassword(input.password, 'password');
        const current = self ? await findUser(trx, ctx.tenant.id, id) : undefined;
        // A user who has never had a password (token-only, e.g. a tenant created with --json) sets a first one.
        if (current?.password_hash) {
          if (!(await verifyPassword(current.password_hash, input.currentPassword ?? ''))) {
            throw invalidField('currentPassword', 'does not match your current password');
          }
        }
        values.password_hash = await hashPassword(input.password);
        values.failed_logins = 0;
        values.locked_until = null;
      }
      const row = await updateVersioned<AppUser>(trx, ctx, { table: 'app_user', entity: 'user', id, expectedVersion, values });
      if (values.department_id !== undefined) {
        // Department data scopes read the owner's department from the customer row: keep it current.
        await trx.updateTable('customer').set({ owner_department_id: row.department_id }).where('tenant_id', '=', ctx.tenant.id).where('owner_id', '=', id).execute();
        await trx.updateTable('customer').set({ service_department_id: row.department_id }).where('tenant_id', '=', ctx.tenant.id).where('service_owner_id', '=', id).execute();
      }
      return publicUser(row);
    }));
  }

  private async resolveRole(trx: Transaction<DB>, ctx: RequestContext, input: Pick<CreateUserInput, 'roleId' | 'roleCode'>) {
    let q = trx.selectFrom('role').select(['id', 'code', 'permissions']).where('tenant_id', '=', ctx.tenant.id);
    if (input.roleId !== undefined) q = q.where('id', '=', requireId(input.roleId, 'roleId'));
    else q = q.where('code', '=', input.roleCode ?? 'sales');
    const role = await q.executeTakeFirst();
    if (!role) {
      throw input.roleId !== undefined
        ? invalidField('roleId', `role ${input.roleId} does not exist`, 'reference_not_found')
        : invalidField('role', `no role with code "${input.roleCode ?? 'sales'}"`, 'reference_not_found');
    }
    // Managing users must not be a way to grant oneself more than one has.
    const beyond = role.permissions.filter((p) => !ctx.permissions.has(p as Permission));
    if (beyond.length > 0) {
      throw forbidden(`Role "${role.code}" grants ${beyond.join(', ')}, which you do not have; only someone who does may assign it`, 'role_exceeds_caller');
    }
    return role.id;
  }

  private async requireDepartment(trx: Transaction<DB>, ctx: RequestContext, departmentId: Id) {
    const found = await trx
      .selectFrom('department')
      .select('id')
      .where('tenant_id', '=', ctx.tenant.id)
      .where('id', '=', requireId(departmentId, 'departmentId'))
      .executeTakeFirst();
    if (!found) throw invalidField('departmentId', `department ${departmentId} does not exist`, 'reference_not_found');
  }
}

const jobNumberTaken = (jobNumber: string) => conflict('job_number_taken', `job number "${jobNumber}" is already taken`, 'jobNumber');

export function checkPassword(password: string, field: string) {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw invalidField(field, `must be at least ${MIN_PASSWORD_LENGTH} characters`, 'weak_password');
  }
  if (password.length > 256) throw invalidField(field, 'must be at most 256 characters');
}
