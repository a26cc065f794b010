import { errorResponses } from '../schemas/common.ts';
import { renderTenant, TenantSchema, UpdateTenantBody } from '../schemas/tenant.ts';
import type { RoutePlugin } from '../types.ts';

export const tenantRoutes: RoutePlugin = async (app, { services }) => {
  const tags = ['tenant'];

  app.get('/tenant', { schema: { tags, summary: "The caller's tenant and its settings", response: { 200: TenantSchema, ...errorResponses } } }, async (request) =>
    renderTenant(request.ctx, await services.tenants.current(request.ctx)),
  );

  app.patch(
    '/tenant',
    { schema: { tags, summary: 'Change the tenant\'s name, time zone or settings (needs tenant:manage)', body: UpdateTenantBody, response: { 200: TenantSchema, ...errorResponses } } },
    async (request) => {
      const view = await services.tenants.update(request.ctx, request.body);
      // Times in this answer already follow the new zone.
      return renderTenant({ tenant: { timezone: view.tenant.timezone } }, view);
    },
  );
};
