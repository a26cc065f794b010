import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RequestContext } from '../../core/shared/context.ts';
import type { ModuleData } from './module-data.ts';
import { AddBody, ProductLineHeaders, UpdateBody } from './schemas.ts';

declare module 'fastify' {
  interface FastifyRequest {
    moduleDataCtx: RequestContext;
  }
}

/** The seed's success envelope. */
const ok = <T>(item: T) => ({ code: 200 as const, data: { item }, message: '' });

export const moduleDataRoutes: FastifyPluginAsyncTypebox<{ moduleData: ModuleData }> = async (app, { moduleData }) => {
  // Hidden from the native OpenAPI document: this is the seed's wire format, described in the README.
  app.post('/update', { schema: { hide: true, headers: ProductLineHeaders, body: UpdateBody } }, async (request) =>
    ok(await moduleData.update(request.moduleDataCtx, request.headers['default-product-id'], request.body as UpdateBody)),
  );

  // Not in the seed's document, which tells integrators to capture the browser's add request.
  app.post('/add', { schema: { hide: true, headers: ProductLineHeaders, body: AddBody } }, async (request) =>
    ok(await moduleData.add(request.moduleDataCtx, request.headers['default-product-id'], request.body as AddBody)),
  );
};
