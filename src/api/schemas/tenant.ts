import { Type, type Static } from 'typebox';
import type { TenantView } from '../../core/tenants/tenants.service.ts';
import { Id, Timestamp } from './common.ts';
import { time, type Zoned } from './render.ts';

const settingsFields = {
  allowPrivateWebhookTargets: Type.Boolean({
    description: 'Let webhooks target private, loopback and link-local addresses (on-premises receivers). Off by default, so a webhook cannot probe the server\'s network',
  }),
};

export const TenantSchema = Type.Object(
  {
    id: Id(),
    slug: Type.String({ description: 'Stable short name of the tenant' }),
    name: Type.String(),
    timezone: Type.String({ description: 'IANA time zone used where local times are shown and for scheduled jobs' }),
    settings: Type.Object(settingsFields, { description: 'Tenant-wide switches' }),
    createdAt: Timestamp('Created'),
    updatedAt: Timestamp('Last changed'),
  },
  { description: "The caller's tenant (enterprise)" },
);

export const UpdateTenantBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Display name' })),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Asia/Shanghai' })),
    settings: Type.Optional(Type.Partial(Type.Object(settingsFields), { additionalProperties: false, description: 'Only the settings given change' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const renderTenant = (ctx: Zoned, view: TenantView): Static<typeof TenantSchema> => ({
  id: view.tenant.id,
  slug: view.tenant.slug,
  name: view.tenant.name,
  timezone: view.tenant.timezone,
  settings: view.settings,
  createdAt: time(ctx, view.tenant.created_at),
  updatedAt: time(ctx, view.tenant.updated_at),
});
