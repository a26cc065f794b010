import type { CustomFieldInput } from '../../src/core/custom-fields/custom-fields.service.ts';
import type { CustomerInput } from '../../src/core/customers/customers.service.ts';
import type { DictionaryName } from '../../src/core/dictionaries/catalog.ts';
import type { RequestContext } from '../../src/core/shared/context.ts';
import type { Permission } from '../../src/core/shared/permissions.ts';
import type { CustomFieldKind, CustomFieldModule, DataScope } from '../../src/db/schema.ts';
import { makeUser, type Harness, type TestTenant } from './harness.ts';

/** Factories for CRM rows, written through the services as the given caller. */

let counter = 0;

export function makeCustomer(h: Harness, ctx: RequestContext, overrides: CustomerInput = {}) {
  return h.services.customers.create(ctx, { ...overrides, name: overrides.name ?? `测试客户${++counter}` });
}

export function makeCustomField(
  h: Harness,
  ctx: RequestContext,
  module: CustomFieldModule,
  kind: CustomFieldKind,
  overrides: CustomFieldInput = {},
) {
  return h.services.customFields.create(ctx, module, { ...overrides, kind, label: overrides.label ?? `${kind} ${++counter}` });
}

/** An item of a dictionary by its stable code. */
export async function dictionaryItem(h: Harness, ctx: RequestContext, dictionary: DictionaryName, code = 1) {
  const items = await h.services.dictionaries.listItems(ctx, dictionary);
  const item = items.find((i) => i.code === code);
  if (!item) throw new Error(`no ${dictionary} item with code ${code}`);
  return item;
}

export function makeDepartment(h: Harness, tenant: TestTenant, name: string, parentId?: string) {
  return h.services.departments.create(tenant.ctx, { name, parentId });
}

export function makeRole(h: Harness, tenant: TestTenant, dataScope: DataScope, permissions: Permission[] = []) {
  return h.services.roles.create(tenant.ctx, { code: `r${++counter}-${dataScope.replace('_', '-')}`, name: `${dataScope} ${counter}`, dataScope, permissions });
}

/** The service context a token resolves to, as the native API would build it. */
export function userContext(h: Harness, token: string) {
  return h.services.auth.authenticate(token, { api: 'native', requestId: null, clock: h.clock });
}

/** A user with a role and department, with the service context their token resolves to. */
export async function makeMember(h: Harness, tenant: TestTenant, options: { role?: string; departmentId?: string } = {}) {
  const { user, token } = await makeUser(h, tenant, options);
  return { user, token, ctx: await userContext(h, token) };
}
