import type { Executor } from '../../db/database.ts';
import type { Id, Tenant } from '../../db/schema.ts';

/** Tenant-wide switches kept in `tenant.settings`. */
export interface TenantSettings {
  /**
   * Lets webhooks target private, loopback and link-local addresses (an on-premises receiver,
   * tests). Off by default so a webhook cannot be used to probe the server's own network.
   */
  allowPrivateWebhookTargets: boolean;
}

export const DEFAULT_SETTINGS: TenantSettings = { allowPrivateWebhookTargets: false };

/** The known settings of a tenant row, defaults filled in. */
export function readSettings(tenant: Pick<Tenant, 'settings'>): TenantSettings {
  const stored = (tenant.settings ?? {}) as Record<string, unknown>;
  return { allowPrivateWebhookTargets: stored.allowPrivateWebhookTargets === true };
}

export async function loadSettings(executor: Executor, tenantId: Id): Promise<TenantSettings> {
  const row = await executor.selectFrom('tenant').select('settings').where('id', '=', tenantId).executeTakeFirst();
  return row ? readSettings(row) : DEFAULT_SETTINGS;
}
