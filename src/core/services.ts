import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AuditService } from './audit/audit.service.ts';
import { AuthService } from './auth/auth.service.ts';
import { CustomFieldsService } from './custom-fields/custom-fields.service.ts';
import { CustomersService } from './customers/customers.service.ts';
import { DepartmentsService } from './departments/departments.service.ts';
import { DictionariesService } from './dictionaries/dictionaries.service.ts';
import { IdempotencyService } from './idempotency/idempotency.service.ts';
import { RolesService } from './roles/roles.service.ts';
import { TenantsService } from './tenants/tenants.service.ts';
import { UsersService } from './users/users.service.ts';

/** Every core service, built once per process over one database. */
export function createServices(db: Kysely<DB>) {
  const users = new UsersService(db);
  const auth = new AuthService(db);
  const customFields = new CustomFieldsService(db);
  return {
    customFields,
    customers: new CustomersService(db, customFields),
    audit: new AuditService(db),
    auth,
    departments: new DepartmentsService(db),
    dictionaries: new DictionariesService(db),
    idempotency: new IdempotencyService(db),
    roles: new RolesService(db),
    tenants: new TenantsService(db, users, auth),
    users,
  };
}

export type Services = ReturnType<typeof createServices>;
