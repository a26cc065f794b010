import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { AppUser, Id } from '../../db/schema.ts';

export const findUser = (executor: Executor, tenantId: Id, id: Id): Promise<AppUser | undefined> =>
  executor.selectFrom('app_user').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();

export const findUserByLogin = (executor: Executor, tenantId: Id, login: string): Promise<AppUser | undefined> =>
  executor
    .selectFrom('app_user')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(sql`lower(login)`, '=', login.toLowerCase())
    .executeTakeFirst();

export const findUserByJobNumber = (executor: Executor, tenantId: Id, jobNumber: string): Promise<AppUser | undefined> =>
  executor.selectFrom('app_user').selectAll().where('tenant_id', '=', tenantId).where('job_number', '=', jobNumber).executeTakeFirst();

export interface UserQuery {
  departmentId?: Id | undefined;
  roleId?: Id | undefined;
  status?: 'active' | 'disabled' | undefined;
  /** Fragment of login, name or job number. */
  q?: string | undefined;
  after?: Id | undefined;
  limit: number;
}

export function listUsers(executor: Executor, tenantId: Id, query: UserQuery) {
  let q = executor.selectFrom('app_user').selectAll().where('tenant_id', '=', tenantId);
  if (query.departmentId) q = q.where('department_id', '=', query.departmentId);
  if (query.roleId) q = q.where('role_id', '=', query.roleId);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.q) {
    const pattern = `%${escapeLike(query.q)}%`;
    q = q.where((eb) =>
      eb.or([eb('login', 'ilike', pattern), eb('name', 'ilike', pattern), eb('job_number', 'ilike', pattern)]),
    );
  }
  if (query.after) q = q.where('id', '>', query.after);
  return q.orderBy('id').limit(query.limit + 1).execute();
}

export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
