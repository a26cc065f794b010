/** The closed set of permissions a role can grant. */
export const PERMISSIONS = {
  'users:manage': 'Create users and change any user, role assignment or department membership',
  'departments:manage': 'Create, rename, move and delete departments',
  'roles:manage': 'Create and change roles, their permissions and data scope',
  'dictionaries:manage': 'Add and change dictionary items (follow-up types, sources, grades, …)',
  'tokens:manage': "List and revoke other users' API tokens, and create tokens for them",
  'audit:read': 'Read the audit log of the whole tenant',
  'tenant:manage': 'Change tenant settings',
  'customers:delete': 'Delete and restore customers',
  'pool:access': 'See and claim customers in the public pool',
  'pool:manage': 'Assign pool customers and manage pools and their rules',
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}
